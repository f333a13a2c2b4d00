#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps two gc runs off one repository: an `flock` on `gc.pid`, which
/// holds `<pid> <host>` as Git's own gc lock does (so `git gc` sees a gc
/// running on this machine and waits its turn).
///
/// An `flock` ends with its process, so a crashed gc never leaves the
/// repository locked.
enum GCLock {
    /// How long an explicit run waits for another one to finish.
    static let patience: Duration = .seconds(120)

    /// Runs `body` holding the gc lock of the repository at `repository`.
    ///
    /// With `wait` (a gc or repack asked for by hand), waits up to
    /// `patience` for a running one (background maintenance, most often)
    /// to finish; without it (automatic maintenance), or once the wait is
    /// over, throws `refLocked` while another holds the lock.
    static func withLock<R>(repository: String, wait: Bool, patience: Duration = patience,
                            _ body: () throws -> R) throws -> R {
        let file = repository + "/gc.pid"
        let deadline = ContinuousClock.now + patience
        while true {
            let fd = FileIO.open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw Posix.ioError("create the gc lock", file) }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                close(fd)
                if wait && ContinuousClock.now < deadline {
                    usleep(20_000)
                    continue
                }
                throw BanyanError(.refLocked, "another gc is running on \(repository) (it holds \(file)); wait for it to finish")
            }
            // The holder before us may have removed the file between our open
            // and our flock: then the lock is on a dead inode; take it again.
            var opened = stat(), current = stat()
            guard fstat(fd, &opened) == 0, stat(file, &current) == 0, opened.st_ino == current.st_ino else {
                close(fd)
                continue
            }
            defer {
                FileIO.unlink(file)
                close(fd)
            }
            guard FileIO.truncate(fd, to: 0, path: file) == 0 else { throw Posix.ioError("truncate", file) }
            try Posix.writeAll(fd, Array("\(getpid()) \(Posix.hostName())".utf8), path: file)
            return try body()
        }
    }
}
