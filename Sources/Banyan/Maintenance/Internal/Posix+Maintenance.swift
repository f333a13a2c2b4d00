#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The POSIX calls gc, count-objects and bundles need beyond the backend's.
extension Posix {
    /// What `stat` says about a file: its size, the bytes it occupies on
    /// disk, and when its content last changed.
    struct FileStatus {
        var size: UInt64
        var diskUsage: UInt64
        var modified: Date
    }

    /// The status of the regular file at `path`; nil when nothing (or no regular file) is there.
    static func status(_ path: String) -> FileStatus? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        let modified = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec) + TimeInterval(info.st_mtim.tv_nsec) / 1e9)
        return FileStatus(size: UInt64(info.st_size), diskUsage: UInt64(info.st_blocks) * 512, modified: modified)
    }

    /// Writes all of `bytes` to `fd`, retrying short writes.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = FileIO.write(fd, bytes.baseAddress! + offset, bytes.count - offset, path: path)
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError("write", path)
            }
            offset += n
        }
    }

    /// Writes `bytes` to a new read-only file in `directory` named
    /// `<prefix>XXXXXX`, flushed to stable storage; returns its path.
    static func writeTemporaryFile(in directory: String, prefix: String, _ bytes: UnsafeRawBufferPointer) throws -> String {
        var template = Array((directory + "/" + prefix + "XXXXXX").utf8CString)
        let fd = FileIO.makeTemporaryFile(&template)
        guard fd >= 0 else { throw ioError("create a temporary file in", directory) }
        let file = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        do {
            defer { close(fd) }
            try writeAll(fd, bytes, path: file)
            guard fchmod(fd, 0o444) == 0 else { throw ioError("make read-only", file) }
            try flush(fd, path: file)
        } catch {
            FileIO.unlink(file)
            throw error
        }
        return file
    }

    /// Moves `source` to `target` atomically, replacing it.
    static func rename(_ source: String, to target: String) throws {
        guard FileIO.rename(source, target) == 0 else { throw ioError("rename \(source) to", target) }
    }

    /// The name of this machine, for lock files that name their holder.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
