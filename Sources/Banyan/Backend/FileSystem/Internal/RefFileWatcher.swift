#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// Watches a repository's ref files for changes other processes make
/// (another `banyan`, `git`, a server on the same store) and posts them to a
/// notifier, so watchers in this process hear of them at once.
///
/// inotify on Linux: the repository directory (for `HEAD` and
/// `packed-refs`, which Git and Banyan replace by renaming their lock file)
/// and every directory under `refs/`, directories created later included.
/// Any rename into, creation, write or removal of a name that is not a
/// `.lock` file posts; a queue overflow posts too. A background thread reads
/// the events until ``stop()``. Elsewhere, or when inotify cannot be set up
/// (the per-user watch limit), ``start(root:notifier:)`` returns nil and
/// watches poll.
final class RefFileWatcher: Sendable {
    private let stopped = Atomic(false)

    private init() {}

    /// Starts watching the repository at `root`; nil when that is not possible here.
    static func start(root: String, notifier: RefChangeNotifier) -> RefFileWatcher? {
        #if os(Linux)
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        var directories: [Int32: String] = [:]
        guard add(root, recursive: false, fd: fd, to: &directories),
              add(root + "/refs", recursive: true, fd: fd, to: &directories)
        else {
            close(fd)
            return nil
        }
        let watcher = RefFileWatcher()
        let thread = Thread { [directories] in
            watcher.run(fd: fd, root: root, directories: directories, notifier: notifier)
        }
        thread.name = "banyan-ref-watcher"
        thread.start()
        return watcher
        #else
        return nil
        #endif
    }

    /// Ends the watch; the thread exits within half a second.
    func stop() {
        stopped.store(true, ordering: .relaxed)
    }

    #if os(Linux)
    private static let mask = UInt32(IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_CLOSE_WRITE | IN_ONLYDIR)

    /// Adds a watch on `directory` (and, with `recursive`, on each directory below it).
    private static func add(_ directory: String, recursive: Bool, fd: Int32, to directories: inout [Int32: String]) -> Bool {
        let wd = inotify_add_watch(fd, directory, mask)
        guard wd >= 0 else { return errno == ENOENT }
        directories[wd] = directory
        guard recursive, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return true }
        for name in names where Posix.fileType(directory + "/" + name) == .directory {
            guard add(directory + "/" + name, recursive: true, fd: fd, to: &directories) else { return false }
        }
        return true
    }

    private func run(fd: Int32, root: String, directories: [Int32: String], notifier: RefChangeNotifier) {
        defer { close(fd) }
        var directories = directories
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !stopped.load(ordering: .relaxed) {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 500) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { continue }
            var changed: String?
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= count {
                let (wd, eventMask, length) = buffer.withUnsafeBytes { bytes in
                    let event = bytes.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (event.wd, event.mask, Int(event.len))
                }
                let nameBytes = buffer[(offset + header)..<min(count, offset + header + length)]
                let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
                offset += header + length
                if eventMask & UInt32(IN_Q_OVERFLOW) != 0 {
                    changed = "refs/"
                    continue
                }
                guard let directory = directories[wd], !name.hasSuffix(".lock"), !name.isEmpty else { continue }
                let path = directory + "/" + name
                if directory == root {
                    guard name == "HEAD" || name == "packed-refs" else { continue }
                } else if eventMask & UInt32(IN_ISDIR) != 0 {
                    if eventMask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
                        _ = Self.add(path, recursive: true, fd: fd, to: &directories)
                    }
                    continue
                }
                changed = String(path.dropFirst(root.count + 1))
            }
            if let changed { notifier.post(changed) }
        }
    }
    #endif
}
