#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An `errno` value, carried as the cause of an `io` error.
struct Errno: Error, CustomStringConvertible {
    let code: Int32
    var description: String { "\(String(cString: strerror(code))), errno \(code)" }
}

/// Thin wrappers over the POSIX calls the filesystem backend uses, turning
/// failures into `BanyanError`s that name the path.
enum Posix {
    /// What a path names.
    enum FileType { case file, directory, other }

    /// The `io` error for `action` on `path` failing with `code`.
    static func ioError(_ action: String, _ path: String, code: Int32 = errno) -> BanyanError {
        BanyanError(.io, "could not \(action) \(path)", cause: Errno(code: code))
    }

    /// What `path` names, or nil when nothing is there (also when a parent is a file).
    static func fileType(_ path: String) -> FileType? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// The whole content of the file at `path`; nil when it does not exist or is a directory.
    static func readFile(_ path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw ioError("open", path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ioError("stat", path) }
        if info.st_mode & S_IFMT == S_IFDIR { return nil }
        var bytes = [UInt8](repeating: 0, count: max(Int(info.st_size), 0) + 1)
        var count = 0
        while true {
            if count == bytes.count { bytes.append(contentsOf: repeatElement(0, count: bytes.count)) }
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError("read", path)
            }
            if n == 0 { break }
            count += n
        }
        bytes.removeSubrange(count...)
        return bytes
    }

    /// Writes all of `bytes` to `fd`, retrying short writes.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { FileIO.write(fd, $0.baseAddress! + offset, $0.count - offset, path: path) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError("write", path)
            }
            offset += n
        }
    }

    /// Creates `file` holding `text`; with `exclusive`, throws `alreadyExists` when it exists.
    static func createFile(_ file: String, _ text: String, exclusive: Bool = false) throws {
        let fd = FileIO.open(file, O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC), 0o666)
        guard fd >= 0 else {
            if errno == EEXIST { throw BanyanError(.alreadyExists, "\(file) exists already") }
            throw ioError("create", file)
        }
        defer { close(fd) }
        try writeAll(fd, Array(text.utf8), path: file)
    }

    /// Flushes the open file `fd` to stable storage.
    static func flush(_ fd: Int32, path: String) throws {
        guard FileIO.fsync(fd, path: path) == 0 else { throw ioError("fsync", path) }
    }

    /// Flushes a directory's entries (new, renamed or removed names) to stable storage.
    static func fsyncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("open directory", path) }
        defer { close(fd) }
        try flush(fd, path: path)
    }

    /// Creates `path` and its missing parents; returns the directories it created, outermost first.
    @discardableResult
    static func makeDirectories(_ path: String) throws -> [String] {
        if fileType(path) == .directory { return [] }
        var created: [String] = []
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if FileIO.makeDirectory(current, 0o777) == 0 {
                created.append(current)
            } else if errno != EEXIST || fileType(current) != .directory {
                throw ioError("create directory", current)
            }
        }
        return created
    }

    /// The names in directory `path` (without `.` and `..`); empty when it does not exist.
    static func listDirectory(_ path: String) throws -> [(name: String, isDirectory: Bool)] {
        guard let dir = opendir(path) else {
            if errno == ENOENT || errno == ENOTDIR { return [] }
            throw ioError("list directory", path)
        }
        defer { closedir(dir) }
        var entries: [(name: String, isDirectory: Bool)] = []
        // A record is only as long as its name (`d_reclen`), and the last one
        // may end a page: the name is read up to its NUL, never as the whole
        // 256-byte `d_name` array, which would read past the record.
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        while let entry = readdir(dir) {
            let name = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
            if name == "." || name == ".." { continue }
            let isDirectory: Bool
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_DIR): isDirectory = true
            case Int32(DT_UNKNOWN): isDirectory = fileType(path + "/" + name) == .directory
            default: isDirectory = false
            }
            entries.append((name, isDirectory))
        }
        return entries
    }

    /// Removes `path` if it exists; throws on any other failure.
    static func removeFile(_ path: String) throws {
        if FileIO.unlink(path) != 0 && errno != ENOENT { throw ioError("remove", path) }
    }

    /// Removes the empty directories from `directory` upwards, stopping before `root`.
    ///
    /// Best effort: a directory that is not empty (or that another process
    /// just filled) ends the walk, which is what a concurrent writer needs.
    static func removeEmptyDirectories(from directory: String, upTo root: String) {
        var current = directory
        while current.count > root.count, current.hasPrefix(root + "/"), rmdir(current) == 0 {
            current = parent(of: current)
        }
    }

    /// Removes the directory `path` when it and its subdirectories hold no files.
    static func removeEmptyTree(_ path: String) throws {
        for entry in try listDirectory(path) where entry.isDirectory {
            try removeEmptyTree(path + "/" + entry.name)
        }
        guard rmdir(path) == 0 else { throw ioError("remove the directory", path) }
    }

    /// The directory part of `path` (`a/b/c` → `a/b`).
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Sleeps for `microseconds`.
    static func sleep(microseconds: Int) {
        usleep(useconds_t(microseconds))
    }

    /// `path` made absolute against the current directory, without trailing slashes.
    static func absolutePath(_ path: String) -> String {
        var result = path
        if !result.hasPrefix("/") {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            if getcwd(&buffer, buffer.count) != nil {
                let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                result = cwd == "/" ? "/" + result : cwd + "/" + result
            }
        }
        while result.count > 1 && result.hasSuffix("/") { result.removeLast() }
        return result
    }
}

extension Posix {
    /// Maps the file at `path` read-only; nil when it does not exist. The
    /// mapping lives as long as the returned storage.
    static func mapFile(_ path: String) throws -> ByteStorage? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw ioError("open", path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ioError("stat", path) }
        let size = Int(info.st_size)
        guard size > 0 else { return ByteStorage([]) }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw ioError("map", path)
        }
        return ByteStorage(unsafeBytes: UnsafeRawBufferPointer(start: base, count: size)) { bytes in
            munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
        }
    }
}

extension Posix {
    /// Reads exactly `count` bytes at `offset` (fewer only at end of file).
    static func read(_ fd: Int32, at offset: UInt64, count: Int, path: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError("read", path)
            }
            if n == 0 { break }
            done += n
        }
        if done < count { bytes.removeSubrange(done...) }
        return bytes
    }

    /// Creates (or replaces) `file` holding `bytes`, flushed when `durable`.
    static func createFile(_ file: String, bytes: [UInt8], durable: Bool) throws {
        let fd = FileIO.open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o444)
        guard fd >= 0 else { throw ioError("create", file) }
        defer { close(fd) }
        try writeAll(fd, bytes, path: file)
        if durable { try flush(fd, path: file) }
    }

    /// The size of the file at `path`, or nil when it does not exist.
    static func fileSize(_ path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt64(info.st_size)
    }
}
