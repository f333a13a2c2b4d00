#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Reads open append packs sequentially, entry by entry, without an index:
/// the open packs of other writers (so their objects are visible before
/// they seal), and packs whose writer died (recovery seals them).
///
/// An append pack holds only whole objects. A torn last entry (a write cut
/// short by a crash, or still in progress) ends the scan; its offset is
/// where the next scan resumes, or where recovery truncates.
enum AppendPackScanner {
    /// One complete entry found by a scan.
    struct Entry {
        var id: ObjectID
        var offset: UInt64
        var end: UInt64
        var crc32: UInt32
    }

    /// Scans `fd` from `offset` to its current end; returns the complete
    /// entries and the offset after the last of them.
    static func scan(_ fd: Int32, file: String, from offset: UInt64, algorithm: HashAlgorithm) throws -> (entries: [Entry], end: UInt64) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Posix.ioError("stat", file) }
        let size = UInt64(info.st_size)
        guard size > offset else { return ([], offset) }
        let tail = try Posix.read(fd, at: offset, count: Int(size - offset), path: file)
        var entries: [Entry] = []
        var position = 0
        tail.withUnsafeBytes { bytes in
            while position < bytes.count {
                let rest = UnsafeRawBufferPointer(rebasing: bytes[position...])
                guard let (object, length) = try? decodeEntry(rest, algorithm: algorithm) else { break }
                let crc = Zlib.crc32(UnsafeRawBufferPointer(rebasing: rest[..<length]))
                let start = offset + UInt64(position)
                entries.append(Entry(id: object.id(algorithm), offset: start, end: start + UInt64(length), crc32: crc))
                position += length
            }
        }
        return (entries, offset + UInt64(position))
    }

    /// Decodes the whole-object entry `bytes` read from `file` at `offset`.
    static func decodeFullEntry(_ bytes: [UInt8], algorithm: HashAlgorithm, file: String, offset: UInt64) throws -> RawObject {
        do {
            return try bytes.withUnsafeBytes { try decodeEntry($0, algorithm: algorithm).object }
        } catch {
            throw BanyanError(.corruptObject, "append pack \(file) has a damaged entry at offset \(offset)", cause: error)
        }
    }

    /// Decodes the entry at the start of `bytes`: a type-and-size header and
    /// the zlib data of a whole object. Returns it and the entry's length.
    private static func decodeEntry(_ bytes: UnsafeRawBufferPointer, algorithm: HashAlgorithm) throws -> (object: RawObject, length: Int) {
        guard !bytes.isEmpty else { throw BanyanError(.corruptObject, "empty pack entry") }
        var position = 0
        var byte = bytes[position]
        position += 1
        guard let kind = ObjectKind(packCode: (byte >> 4) & 7) else {
            throw BanyanError(.corruptObject, "append pack entry is not a whole object")
        }
        var size = Int(byte & 0x0f)
        var shift = 4
        while byte & 0x80 != 0 {
            guard position < bytes.count, shift <= 56 else { throw BanyanError(.corruptObject, "truncated pack entry header") }
            byte = bytes[position]
            position += 1
            size |= Int(byte & 0x7f) << shift
            shift += 7
        }
        let (body, consumed) = try Zlib.inflate(UnsafeRawBufferPointer(rebasing: bytes[position...]), limit: size, sizeHint: size)
        guard body.count == size else {
            throw BanyanError(.corruptObject, "pack entry inflates to \(body.count) bytes, not the \(size) its header says")
        }
        return (RawObject(kind: kind, body: body), position + consumed)
    }
}

/// The open append packs of other writers (processes, or other backends in
/// this one), indexed as far as they have been written.
final class ForeignAppendPacks: Sendable {
    private struct Scanned {
        var end: UInt64 = 12
        var entries: [ObjectID: AppendPackScanner.Entry] = [:]
    }

    private let directory: String
    private let algorithm: HashAlgorithm
    private let own: AppendPack
    private let files = Mutex<[String: Scanned]>([:])

    init(directory: String, algorithm: HashAlgorithm, own: AppendPack) {
        self.directory = directory
        self.algorithm = algorithm
        self.own = own
    }

    /// The object `id` from another writer's open pack, or nil.
    func find(_ id: ObjectID) throws -> RawObject? {
        for file in try openPackFiles() {
            let fd = open(file, O_RDONLY | O_CLOEXEC)
            // Gone: sealed meanwhile (the pack set finds it) or abandoned and recovered.
            guard fd >= 0 else { continue }
            defer { close(fd) }
            let start = files.withLock { $0[file]?.end ?? 12 }
            let (entries, end) = try AppendPackScanner.scan(fd, file: file, from: start, algorithm: algorithm)
            let entry: AppendPackScanner.Entry? = files.withLock { files in
                var scanned = files[file] ?? Scanned()
                if scanned.end == start {
                    for entry in entries { scanned.entries[entry.id] = entry }
                    scanned.end = end
                }
                files[file] = scanned
                return scanned.entries[id]
            }
            if let entry {
                let bytes = try Posix.read(fd, at: entry.offset, count: Int(entry.end - entry.offset), path: file)
                return try AppendPackScanner.decodeFullEntry(bytes, algorithm: algorithm, file: file, offset: entry.offset)
            }
        }
        return nil
    }

    /// Seals the open packs whose writers are gone (no one holds their lock):
    /// complete entries become a normal pack, a torn tail is cut off.
    func recoverAbandoned() throws {
        for file in try openPackFiles() {
            let fd = open(file, O_RDWR | O_CLOEXEC)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { continue }
            let (entries, end) = try AppendPackScanner.scan(fd, file: file, from: 12, algorithm: algorithm)
            if entries.isEmpty {
                unlink(file)
                continue
            }
            try AppendPack.finish(fd: fd, file: file, end: end,
                                  entries: entries.map { PackIndex.Entry(id: $0.id, offset: $0.offset, crc32: $0.crc32) },
                                  directory: directory, algorithm: algorithm)
        }
    }

    private func openPackFiles() throws -> [String] {
        let ownFile = own.currentFile
        let names = try Posix.listDirectory(directory)
            .filter { !$0.isDirectory && $0.name.hasPrefix(AppendPack.filePrefix) && $0.name.hasSuffix(".pack") }
            .map { "\(directory)/\($0.name)" }
        let live = Set(names)
        files.withLock { files in files = files.filter { live.contains($0.key) } }
        return names.filter { $0 != ownFile }
    }
}
