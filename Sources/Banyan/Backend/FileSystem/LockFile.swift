import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Git lock file: `<target>.lock`, created with `O_CREAT | O_EXCL`, filled
/// with the target's new content and renamed over the target.
///
/// This is the protocol `git` itself uses for refs, `packed-refs` and
/// `config`, so Banyan and `git` processes exclude each other. A lock left by
/// a crashed process stays until someone removes it; `acquire` waits a little
/// for a live holder and then reports the file.
final class LockFile {
    /// The file the lock protects.
    let target: String
    /// The lock file itself, `<target>.lock`.
    let path: String
    private var fd: Int32
    private var held = true
    /// True once the new content replaced the target.
    private(set) var isCommitted = false

    private init(target: String, path: String, fd: Int32) {
        self.target = target
        self.path = path
        self.fd = fd
    }

    /// Runs `body` holding the lock on `target`; the lock is removed afterwards
    /// unless `body` committed it.
    ///
    /// Waits up to `timeout` for another holder, then throws `refLocked`.
    static func withLock<R>(on target: String, timeout: Duration = .seconds(1), _ body: (LockFile) throws -> R) throws -> R {
        let lock = try acquire(target, timeout: timeout)
        defer { lock.release() }
        return try body(lock)
    }

    private static func acquire(_ target: String, timeout: Duration) throws -> LockFile {
        let path = target + ".lock"
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var delay = 1_000
        var recreatedParent = false
        while true {
            let fd = FileIO.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if fd >= 0 { return LockFile(target: target, path: path, fd: fd) }
            switch errno {
            case EEXIST where clock.now < deadline:
                Posix.sleep(microseconds: Int.random(in: delay / 2...delay))
                delay = min(delay * 2, 32_000)
            case EEXIST:
                throw BanyanError(.refLocked, """
                    could not lock \(target): \(path) exists. Another process seems to be updating it; \
                    if no other process is running, one crashed and left the lock behind: remove \(path) and try again
                    """)
            case ENOENT where !recreatedParent:
                // Another process may have removed the empty parent directory
                // after deleting the last ref in it; make it again once.
                recreatedParent = true
                try Posix.makeDirectories(Posix.parent(of: path))
            default:
                throw Posix.ioError("create lock file", path)
            }
        }
    }

    /// Writes `bytes` to the lock file.
    func write(_ bytes: [UInt8]) throws {
        try Posix.writeAll(fd, bytes, path: path)
    }

    /// Renames the lock file over the target, after flushing it and, when
    /// `durable`, its directory to stable storage.
    func commit(durable: Bool) throws {
        if durable { try Posix.flush(fd, path: path) }
        close(fd)
        fd = -1
        // The file replaced is freed when its last descriptor closes; on a
        // filesystem mounted with online discard that waits for the device
        // (about a millisecond here, most of a small commit's time), so the
        // last descriptor is closed off the writer's thread.
        let replaced = FileIO.open(target, O_RDONLY | O_CLOEXEC, 0)
        guard FileIO.rename(path, target) == 0 else {
            if replaced >= 0 { close(replaced) }
            throw Posix.ioError("rename \(path) over", target)
        }
        if replaced >= 0 { DeferredClose.close(replaced) }
        held = false
        isCommitted = true
        if durable { try Posix.fsyncDirectory(Posix.parent(of: target)) }
    }

    private func release() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        if held {
            FileIO.unlink(path)
            held = false
        }
    }
}

/// Closes descriptors on a background queue: the close that frees a
/// replaced file's blocks may wait for the device (online discard).
enum DeferredClose {
    private static let queue = DispatchQueue(label: "banyan.deferred-close", qos: .utility)

    /// Closes `fd` soon, on another thread.
    static func close(_ fd: Int32) {
        queue.async {
            #if canImport(Glibc)
            _ = Glibc.close(fd)
            #else
            _ = Darwin.close(fd)
            #endif
        }
    }
}
