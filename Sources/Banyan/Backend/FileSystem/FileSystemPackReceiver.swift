#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileSystemBackend: PackReceivingStore {
    /// A receiver writing to a new temporary file `objects/pack/tmp_pack_XXXXXX`,
    /// which ``PackReceiver/install(index:checksum:)`` links into place as
    /// `pack-<checksum>.pack` beside its `.idx`, without copying it.
    ///
    /// Every write goes through the backend's I/O seam (fault injection and
    /// the power-loss simulation see it). A process killed meanwhile leaves
    /// a `tmp_pack_*` file, which Git ignores and gc removes once it is an
    /// hour old, as Git's own. Throws `io` when the file cannot be created.
    public func makePackReceiver() throws -> any PackReceiver {
        try FileSystemPackReceiver(backend: self)
    }
}

/// A received pack in a temporary file of `objects/pack`; see ``FileSystemBackend/makePackReceiver()``.
final class FileSystemPackReceiver: PackReceiver {
    private let backend: FileSystemBackend
    private let path: String
    /// The open file; -1 once it is closed (installed or discarded).
    private var descriptor: Int32
    private(set) var count = 0

    init(backend: FileSystemBackend) throws {
        self.backend = backend
        let directory = backend.path + "/objects/pack"
        try Posix.makeDirectories(directory)
        var template = Array((directory + "/tmp_pack_XXXXXX").utf8CString)
        descriptor = FileIO.makeTemporaryFile(&template)
        guard descriptor >= 0 else { throw Posix.ioError("create a temporary pack in", directory) }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    deinit {
        guard descriptor >= 0 else { return }
        close(descriptor)
        FileIO.unlink(path)
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = FileIO.write(try open(), bytes.baseAddress! + offset, bytes.count - offset, path: path)
            guard written > 0 else {
                if written < 0 && errno == EINTR { continue }
                throw Posix.ioError("write the received pack to", path)
            }
            offset += written
        }
        count += bytes.count
    }

    func bytes() throws -> ByteStorage {
        guard count > 0 else { return ByteStorage([]) }
        guard let base = mmap(nil, count, PROT_READ, MAP_SHARED, try open(), 0), base != MAP_FAILED else {
            throw Posix.ioError("map", path)
        }
        return ByteStorage(unsafeBytes: UnsafeRawBufferPointer(start: base, count: count)) { bytes in
            munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
        }
    }

    func truncate(to newCount: Int) throws {
        let descriptor = try open()
        guard FileIO.truncate(descriptor, to: off_t(newCount), path: path) == 0,
              lseek(descriptor, off_t(newCount), SEEK_SET) == off_t(newCount)
        else { throw Posix.ioError("truncate", path) }
        count = min(count, newCount)
    }

    func overwrite(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        guard offset >= 0, offset + bytes.count <= count else {
            throw BanyanError(.invalidArgument, "cannot overwrite \(bytes.count) bytes at \(offset) of a \(count)-byte pack")
        }
        guard FileIO.pwrite(try open(), bytes.baseAddress!, bytes.count, at: off_t(offset), path: path) == bytes.count else {
            throw Posix.ioError("rewrite", path)
        }
    }

    /// Flushes the file, then links it into place with its index (see `installPack(file:index:checksum:)`).
    @discardableResult
    func install(index: [UInt8], checksum: ObjectID) throws -> String? {
        let descriptor = try open()
        self.descriptor = -1
        let synced = FileIO.fsync(descriptor, path: path) == 0
        let code = errno
        close(descriptor)
        guard synced else {
            FileIO.unlink(path)
            throw Posix.ioError("flush", path, code: code)
        }
        return try backend.installPack(file: path, index: index, checksum: checksum)
    }

    private func open() throws -> Int32 {
        guard descriptor >= 0 else { throw BanyanError(.invalidArgument, "the received pack \(path) was already installed") }
        return descriptor
    }
}
