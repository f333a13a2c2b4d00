#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads open append packs sequentially, entry by entry, without an index:
/// packs whose writer died (recovery seals them), and other writers' open
/// packs (gc keeps what they hold).
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

/// Open append packs whose writer is gone: it crashed, or gave the pack up
/// after a failed write or seal. Their whole entries are sealed into a
/// normal pack and a torn tail is cut off.
///
/// A ref never names an object only such a pack holds, except after a
/// crash of a Banyan older than the seal-before-ref rule; sealing them keeps
/// those stores whole, and keeps the objects of a pack whose seal failed for
/// the writers that are about to name them.
enum AbandonedAppendPacks {
    /// Seals every open pack in `directory` whose lock no one holds.
    /// Returns the sealed packs' paths without extension.
    @discardableResult
    static func recoverAll(directory: String, algorithm: HashAlgorithm, except own: String?) throws -> [String] {
        let names = try Posix.listDirectory(directory)
            .filter { !$0.isDirectory && $0.name.hasPrefix(AppendPack.filePrefix) && $0.name.hasSuffix(".pack") }
            .map { "\(directory)/\($0.name)" }
        var sealed: [String] = []
        for file in names where file != own {
            if let base = try recover(file, directory: directory, algorithm: algorithm, wait: false) { sealed.append(base) }
        }
        return sealed
    }

    /// Seals the open pack `file` if its lock is free (with `wait`, once it
    /// is free). Returns the sealed pack's path without extension; nil when
    /// the file is gone (sealed or removed by someone else), locked, or
    /// held no whole entry (it is removed then).
    static func recover(_ file: String, directory: String, algorithm: HashAlgorithm, wait: Bool) throws -> String? {
        var fd = FileIO.open(file, O_RDWR | O_CLOEXEC, 0)
        if fd < 0 && errno == EACCES {
            // A seal that failed after making the file read-only.
            chmod(file, 0o644)
            fd = FileIO.open(file, O_RDWR | O_CLOEXEC, 0)
        }
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) == 0 else { return nil }
        // Another recoverer sealed it and removed the name while we waited.
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_nlink > 0 else { return nil }
        var reader = AppendPackFile(file: file, algorithm: algorithm)
        let (entries, end) = try AppendPackScanner.scan(fd, from: 12, into: &reader)
        if entries.isEmpty {
            FileIO.unlink(file)
            return nil
        }
        return try AppendPack.finish(fd: fd, file: file, end: end,
                                     entries: entries.map { PackIndex.Entry(id: $0.id, offset: $0.offset, crc32: $0.crc32) },
                                     directory: directory, algorithm: algorithm, durable: true)
    }
}
