#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system calls through which the filesystem backend changes files:
/// each is the plain POSIX call unless a test installed a matching `Fault`
/// (see `FaultInjector`), in which case it fails the way a full or failing
/// disk does, with `errno` set and -1 returned.
///
/// Reads are not routed here: faults model what can go wrong while writing.
/// A test may also install a `FileIOObserver`, which sees each call before
/// and after it runs (the power-loss simulation records through it).
/// Cost when neither is installed: two relaxed atomic loads per call.
enum FileIO {
    /// `open(2)` of `path` for writing (or creating).
    static func open(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
        if FaultInjector.isArmed, let code = FaultInjector.error(for: .open, path: path) { return fail(code) }
        guard FileIOObservation.isActive else { return Glibc.open(path, flags, mode) }
        return FileIOObservation.observe(.open(path: path, flags: flags)) { Glibc.open(path, flags, mode) }
    }

    /// `mkstemp(3)`: creates a unique file from `template` (ending in `XXXXXX`), rewriting it in place.
    static func makeTemporaryFile(_ template: inout [CChar]) -> Int32 {
        if FaultInjector.isArmed {
            let directory = Posix.parent(of: template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
            if let code = FaultInjector.error(for: .open, path: directory) { return fail(code) }
        }
        guard FileIOObservation.isActive else { return template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) } }
        let directory = Posix.parent(of: template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        return FileIOObservation.observe(.makeTemporaryFile(directory: directory)) {
            template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        }
    }

    /// `write(2)` of `count` bytes to `fd`, the open file `path`.
    static func write(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int, path: String) -> Int {
        var count = count
        if FaultInjector.isArmed {
            switch FaultInjector.effect(for: .write, path: path) {
            case .error(let code)?: return fail(code)
            case .shortWrite?: count = max(count / 2, 1)
            case nil: break
            }
        }
        guard FileIOObservation.isActive else { return Glibc.write(fd, bytes, count) }
        return FileIOObservation.observe(.write(fd: fd, path: path)) { Glibc.write(fd, bytes, count) }
    }

    /// `pwrite(2)` of `count` bytes at `offset` of `fd`, the open file `path`.
    static func pwrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int, at offset: off_t, path: String) -> Int {
        if FaultInjector.isArmed, let code = FaultInjector.error(for: .write, path: path) { return fail(code) }
        guard FileIOObservation.isActive else { return Glibc.pwrite(fd, bytes, count, offset) }
        return FileIOObservation.observe(.write(fd: fd, path: path)) { Glibc.pwrite(fd, bytes, count, offset) }
    }

    /// `fsync(2)` of `fd`, the open file or directory `path`.
    static func fsync(_ fd: Int32, path: String) -> Int32 {
        if FaultInjector.isArmed, let code = FaultInjector.error(for: .fsync, path: path) { return fail(code) }
        guard FileIOObservation.isActive else { return Glibc.fsync(fd) }
        return FileIOObservation.observe(.fsync(fd: fd, path: path)) { Glibc.fsync(fd) }
    }

    /// `ftruncate(2)` of `fd`, the open file `path`, to `length` bytes.
    static func truncate(_ fd: Int32, to length: off_t, path: String) -> Int32 {
        if FaultInjector.isArmed, let code = FaultInjector.error(for: .truncate, path: path) { return fail(code) }
        guard FileIOObservation.isActive else { return ftruncate(fd, length) }
        return FileIOObservation.observe(.truncate(fd: fd, path: path)) { ftruncate(fd, length) }
    }

    /// `rename(2)` of `source` to `target`; a fault matches either path.
    static func rename(_ source: String, _ target: String) -> Int32 {
        if FaultInjector.isArmed, let code = FaultInjector.error(for: .rename, path: source, or: target) {
            return fail(code)
        }
        guard FileIOObservation.isActive else { return Glibc.rename(source, target) }
        return FileIOObservation.observe(.rename(from: source, to: target)) { Glibc.rename(source, target) }
    }

    /// `link(2)` of `source` as `target`; a fault matches either path.
    static func link(_ source: String, _ target: String) -> Int32 {
        if FaultInjector.isArmed, let code = FaultInjector.error(for: .link, path: source, or: target) {
            return fail(code)
        }
        guard FileIOObservation.isActive else { return Glibc.link(source, target) }
        return FileIOObservation.observe(.link(from: source, to: target)) { Glibc.link(source, target) }
    }

    /// `unlink(2)` of `path`.
    @discardableResult
    static func unlink(_ path: String) -> Int32 {
        if FaultInjector.isArmed, let code = FaultInjector.error(for: .unlink, path: path) { return fail(code) }
        guard FileIOObservation.isActive else { return Glibc.unlink(path) }
        return FileIOObservation.observe(.unlink(path: path)) { Glibc.unlink(path) }
    }

    /// `mkdir(2)` of `path`.
    static func makeDirectory(_ path: String, _ mode: mode_t) -> Int32 {
        if FaultInjector.isArmed, let code = FaultInjector.error(for: .makeDirectory, path: path) {
            return fail(code)
        }
        guard FileIOObservation.isActive else { return mkdir(path, mode) }
        return FileIOObservation.observe(.makeDirectory(path: path)) { mkdir(path, mode) }
    }

    private static func fail<Result: SignedInteger>(_ code: Int32) -> Result {
        errno = code
        return -1
    }
}
