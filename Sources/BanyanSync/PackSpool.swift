import Banyan
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A received pack on its way in, written as its bytes arrive: to a
/// temporary file `objects/pack/tmp_pack_XXXXXX` of a filesystem repository,
/// so memory stays bounded whatever the pack's size, or to memory for any
/// other store.
///
/// `PackIngest.ingest(_:into:)` indexes and verifies what was spooled and
/// keeps the file as the repository's pack. A spool that is not ingested
/// (the sender stopped part-way, a check failed) removes its file when it is
/// released, so a cut-off transfer leaves nothing behind. A process killed
/// meanwhile leaves a `tmp_pack_*` file, which Git ignores and `gc` removes
/// once it is an hour old, as Git's own do.
///
/// Not thread-safe: one writer appends, then one ingest reads.
public final class PackSpool {
    /// The most bytes the spool accepts.
    public let limit: Int
    /// The bytes appended so far.
    public private(set) var count = 0
    /// The temporary file and its descriptor; nil for a spool in memory or once the file is handed over.
    private(set) var file: (path: String, descriptor: Int32)?
    /// The bytes, for a spool in memory.
    private(set) var memory: [UInt8] = []

    /// An empty spool for a pack going into `repository`; `limit` bounds its size.
    ///
    /// Throws `io` when the temporary file cannot be created.
    public init(for repository: Repository, limit: Int = .max) throws {
        self.limit = limit
        guard let backend = repository.objects as? FileSystemBackend else { return }
        let directory = backend.path + "/objects/pack"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw BanyanError(.io, "cannot create \(directory)", cause: error)
        }
        var template = Array((directory + "/tmp_pack_XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw Self.ioError("create a temporary pack in", directory) }
        file = (template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }, descriptor)
    }

    deinit { discard() }

    /// Appends `bytes`. Throws `limitExceeded` past `limit`, `io` when the file cannot be written.
    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count <= limit - count else {
            throw BanyanError(.limitExceeded, "the pack is over the \(limit)-byte limit")
        }
        try write(bytes)
    }

    /// Appends `bytes`; see the pointer version.
    public func append(_ bytes: some Collection<UInt8>) throws {
        if try bytes.withContiguousStorageIfAvailable({ try append(UnsafeRawBufferPointer($0)) }) == nil {
            try Array(bytes).withUnsafeBytes { try append($0) }
        }
    }

    /// Appends `bytes` whatever the limit.
    private func write(_ bytes: UnsafeRawBufferPointer) throws {
        if let file {
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(file.descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                guard written > 0 else {
                    if written < 0 && errno == EINTR { continue }
                    throw Self.ioError("write the received pack to", file.path)
                }
                offset += written
            }
        } else {
            memory.append(contentsOf: bytes)
        }
        count += bytes.count
    }

    /// The bytes spooled so far, for reading: the file mapped, or the memory.
    func bytes() throws -> ByteStorage {
        guard let file else { return ByteStorage(memory) }
        guard count > 0 else { return ByteStorage([]) }
        guard let base = mmap(nil, count, PROT_READ, MAP_SHARED, file.descriptor, 0), base != MAP_FAILED else {
            throw Self.ioError("map", file.path)
        }
        return ByteStorage(unsafeBytes: UnsafeRawBufferPointer(start: base, count: count)) { bytes in
            munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
        }
    }

    /// Makes the spooled thin pack stand alone, as `git index-pack --fix-thin`
    /// does: appends the external bases `indexed` names, rewrites the object
    /// count and the trailer. Returns the completed pack's index result.
    ///
    /// A file is completed where it is: one pass to append, one read to hash.
    func completeThinPack(_ indexed: PackIndexer.Result, algorithm: HashAlgorithm,
                          baseLookup: PackIndexer.BaseLookup) throws -> PackIndexer.Result {
        guard !indexed.externalBases.isEmpty else { return indexed }
        guard let file else {
            let completed = try PackIndexer.completeThinPack(memory, indexed: indexed, algorithm: algorithm, baseLookup: baseLookup)
            memory = completed.pack
            count = memory.count
            return completed.result
        }
        let entriesEnd = count - algorithm.digestLength
        let (tail, entries) = try PackIndexer.thinPackCompletion(indexed, entriesEnd: UInt64(entriesEnd), algorithm: algorithm,
                                                                 baseLookup: baseLookup)
        guard ftruncate(file.descriptor, off_t(entriesEnd)) == 0, lseek(file.descriptor, 0, SEEK_END) == off_t(entriesEnd) else {
            throw Self.ioError("truncate", file.path)
        }
        count = entriesEnd
        try tail.withUnsafeBytes { try write($0) }
        let header = PackEntryEncoder.packHeader(objectCount: UInt32(entries.count))
        guard header[8..<12].withUnsafeBytes({ pwrite(file.descriptor, $0.baseAddress, 4, 8) }) == 4 else {
            throw Self.ioError("rewrite the object count of", file.path)
        }
        var hasher = HashAlgorithm.Hasher(algorithm)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var offset = 0
        while offset < count {
            let read = chunk.withUnsafeMutableBytes { pread(file.descriptor, $0.baseAddress, min($0.count, count - offset), off_t(offset)) }
            guard read > 0 else { throw Self.ioError("read back", file.path) }
            hasher.update(chunk[..<read])
            offset += read
        }
        let checksum = hasher.finalize()
        try checksum.bytes.withUnsafeBytes { try write($0) }
        return PackIndexer.Result(entries: entries, checksum: checksum, externalBases: [])
    }

    /// Flushes the file to disk, before it becomes the repository's pack.
    func sync() throws {
        guard let file else { return }
        guard fsync(file.descriptor) == 0 else { throw Self.ioError("flush", file.path) }
    }

    /// Closes and removes the file (when there still is one).
    func discard() {
        guard let file else { return }
        close(file.descriptor)
        unlink(file.path)
        self.file = nil
    }

    /// Closes the file without removing it: someone else (the installed pack) owns it now.
    func handOver() {
        guard let file else { return }
        close(file.descriptor)
        self.file = nil
    }

    static func ioError(_ action: String, _ path: String) -> BanyanError {
        BanyanError(.io, "cannot \(action) \(path): \(String(cString: strerror(errno)))")
    }
}
