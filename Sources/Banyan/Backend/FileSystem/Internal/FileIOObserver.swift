#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// One change `FileIO` is about to make, as an observer sees it.
package enum FileIOEvent: Sendable, CustomStringConvertible {
    /// `open(2)` with these flags (creating the file when `O_CREAT` is set and it did not exist).
    case open(path: String, flags: Int32)
    /// `mkstemp(3)` in this directory.
    case makeTemporaryFile(directory: String)
    /// `write(2)` or `pwrite(2)`.
    case write(fd: Int32, path: String)
    case truncate(fd: Int32, path: String)
    case fsync(fd: Int32, path: String)
    case rename(from: String, to: String)
    case link(from: String, to: String)
    case unlink(path: String)
    case makeDirectory(path: String)

    package var description: String {
        switch self {
        case .open(let path, let flags): "open\(flags & O_CREAT != 0 ? "(create)" : "") \(path)"
        case .makeTemporaryFile(let directory): "mkstemp in \(directory)"
        case .write(_, let path): "write \(path)"
        case .truncate(_, let path): "truncate \(path)"
        case .fsync(_, let path): "fsync \(path)"
        case .rename(let from, let to): "rename \(from) -> \(to)"
        case .link(let from, let to): "link \(from) -> \(to)"
        case .unlink(let path): "unlink \(path)"
        case .makeDirectory(let path): "mkdir \(path)"
        }
    }
}

/// Watches every change the filesystem backend makes through `FileIO`,
/// before and after it: what a power-loss simulation needs to know which
/// bytes and names a real disk would have made durable at any moment.
/// For tests only (`package`): no production code installs one.
package protocol FileIOObserver: AnyObject, Sendable {
    /// Called before the call runs.
    func willRun(_ event: FileIOEvent)
    /// Called after the call ran; `result` is what it returned (a descriptor
    /// for `open` and `makeTemporaryFile`, -1 when it failed).
    func didRun(_ event: FileIOEvent, result: Int)
}

/// Holds the installed observers (one per simulation running: tests of
/// several suites may run at once, each observer watching its own store).
/// `FileIO` asks it before each call, but only once `isActive` says one is
/// installed.
package enum FileIOObservation {
    private static let active = Atomic<Bool>(false)
    private static let current = Mutex<[ObjectIdentifier: any FileIOObserver]>([:])

    /// True when an observer is installed.
    static var isActive: Bool { active.load(ordering: .relaxed) }

    /// Runs `body` with `observer` seeing every `FileIO` change (beside any
    /// other observer installed meanwhile), then removes it.
    package static func run<T>(_ observer: any FileIOObserver, _ body: () throws -> T) rethrows -> T {
        let key = ObjectIdentifier(observer)
        current.withLock {
            $0[key] = observer
            active.store(true, ordering: .relaxed)
        }
        defer {
            current.withLock {
                $0[key] = nil
                active.store(!$0.isEmpty, ordering: .relaxed)
            }
        }
        return try body()
    }

    /// Runs the system call `body` between the observers' two calls.
    static func observe<Result: BinaryInteger>(_ event: FileIOEvent, _ body: () -> Result) -> Result {
        let observers = current.withLock { Array($0.values) }
        guard !observers.isEmpty else { return body() }
        for observer in observers { observer.willRun(event) }
        let result = body()
        let saved = errno
        for observer in observers { observer.didRun(event, result: Int(result)) }
        errno = saved
        return result
    }
}
