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
/// A torn last entry (a write cut short by a crash, or still in progress)
/// ends the scan; its offset is where the next scan resumes, or where
/// recovery truncates.
enum AppendPackScanner {
    /// One complete entry found by a scan.
    struct Entry {
        var id: ObjectID
        var offset: UInt64
        var end: UInt64
        var crc32: UInt32
    }

    /// Scans `fd` from `offset` to its current end, recording every complete
    /// entry in `reader`; returns them and the offset after the last one.
    static func scan(_ fd: Int32, from offset: UInt64, into reader: inout AppendPackFile) throws -> (entries: [Entry], end: UInt64) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Posix.ioError("stat", reader.file) }
        let size = UInt64(info.st_size)
        guard size > offset else { return ([], offset) }
        let tail = try Posix.read(fd, at: offset, count: Int(size - offset), path: reader.file)
        var entries: [Entry] = []
        var position = 0
        while position < tail.count {
            let start = offset + UInt64(position)
            let decoded = tail.withUnsafeBytes { bytes in
                try? AppendPackFile.decode(UnsafeRawBufferPointer(rebasing: bytes[position...]), at: start,
                                           algorithm: reader.algorithm, file: reader.file)
            }
            guard let (payload, length) = decoded else { break }
            let end = start + UInt64(length)
            var object: RawObject?
            if case .object(let whole) = payload { object = whole }
            reader.record(offset: start, end: end, object: object)
            guard let resolved = try? object ?? reader.object(at: start, fd: fd) else { break }
            let crc = tail.withUnsafeBytes { Zlib.crc32(UnsafeRawBufferPointer(rebasing: $0[position..<(position + length)])) }
            entries.append(Entry(id: resolved.id(reader.algorithm), offset: start, end: end, crc32: crc))
            position += length
        }
        return (entries, offset + UInt64(position))
    }
}

/// The open append packs of other writers (processes, or other backends in
/// this one), indexed as far as they have been written.
final class ForeignAppendPacks: Sendable {
    private struct Scanned {
        var end: UInt64 = 12
        /// Scanned entries have no known delta depth: recorded as 0, unused by readers.
        var index: AppendPackIndex
        var reader: AppendPackFile
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
    ///
    /// Each file is scanned only past where the last look stopped. Scans run
    /// under one lock: this is the slow path of a lookup that missed everywhere else.
    func find(_ id: ObjectID) throws -> RawObject? {
        for file in try openPackFiles() {
            let fd = open(file, O_RDONLY | O_CLOEXEC)
            // Gone: sealed meanwhile (the pack set finds it) or abandoned and recovered.
            guard fd >= 0 else { continue }
            defer { close(fd) }
            let found: RawObject? = try files.withLock { files in
                var scanned = files.removeValue(forKey: file)
                    ?? Scanned(index: AppendPackIndex(algorithm: algorithm), reader: AppendPackFile(file: file, algorithm: algorithm))
                defer { files[file] = scanned }
                let (entries, end) = try AppendPackScanner.scan(fd, from: scanned.end, into: &scanned.reader)
                for entry in entries {
                    scanned.index.insert(entry.id, at: AppendPackIndex.Location(offset: entry.offset, crc32: entry.crc32, depth: 0))
                }
                scanned.end = end
                guard let location = scanned.index.location(of: id) else { return nil }
                return try scanned.reader.object(at: location.offset, fd: fd)
            }
            if let found { return found }
        }
        return nil
    }

    /// Seals the open packs whose writers are gone (no one holds their lock):
    /// complete entries become a normal pack, a torn tail is cut off.
    func recoverAbandoned() throws {
        for file in try openPackFiles() {
            var fd = FileIO.open(file, O_RDWR | O_CLOEXEC, 0)
            if fd < 0 && errno == EACCES {
                // A seal that failed after making the file read-only.
                chmod(file, 0o644)
                fd = FileIO.open(file, O_RDWR | O_CLOEXEC, 0)
            }
            guard fd >= 0 else { continue }
            defer { close(fd) }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { continue }
            var reader = AppendPackFile(file: file, algorithm: algorithm)
            let (entries, end) = try AppendPackScanner.scan(fd, from: 12, into: &reader)
            if entries.isEmpty {
                FileIO.unlink(file)
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
