#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// The high-throughput write path: new objects are appended to one open pack
/// file (`objects/pack/tmp_banyan_<id>.pack`) and found again through an
/// in-memory index, instead of costing a file each. A tree whose previous
/// version is in the open pack is stored as a delta built from the edit.
///
/// The open pack is sealed (object count, trailer, `.idx`, renamed to
/// `pack-<checksum>.pack`) on `seal(durable:)`, which the backend calls
/// before every ref update (so a ref never names an object `git` cannot
/// read), on flush, on close, and when the pack passes its size limit.
/// Until then no other process sees its objects, `git` or Banyan. The writer
/// holds an `flock` on the file for its whole life, so recovery can tell an
/// abandoned pack (its writer crashed) from a live one.
///
/// Thread-safe: appends, reads and seals go through one mutex, so a seal
/// covers every append made before it by any thread (group commit: the
/// writers queued behind one seal find their objects sealed already).
final class AppendPack: Sendable {
    private struct State {
        var fd: Int32 = -1
        var file = ""
        var end: UInt64 = 0
        var index: AppendPackIndex
        var encoder: PackEntryEncoder?
        var reader: AppendPackFile?
        /// Packs given up unsealed after a failed write or seal: their objects
        /// may be about to be named by a ref, so the next seal seals them first.
        var abandoned: [String] = []

        /// No pack open; `abandoned` kept.
        init(algorithm: HashAlgorithm, abandoned: [String] = []) {
            index = AppendPackIndex(algorithm: algorithm)
            self.abandoned = abandoned
        }
    }

    private let directory: String
    private let algorithm: HashAlgorithm
    /// Seal when the open pack passes this many bytes.
    let sizeLimit: UInt64
    private let state: Mutex<State>

    init(directory: String, algorithm: HashAlgorithm, sizeLimit: UInt64 = 64 << 20) {
        self.directory = directory
        self.algorithm = algorithm
        self.sizeLimit = sizeLimit
        state = Mutex(State(algorithm: algorithm))
    }

    deinit {
        // Best effort: the objects of a pack left open are named by no ref
        // (every ref update seals first); recovery or gc disposes of it.
        _ = try? seal(durable: false)
    }

    /// The file name prefix of open packs, shared with the scanner and recovery.
    static let filePrefix = "tmp_banyan_"

    /// Appends the objects that are not in the open pack yet, in one write.
    ///
    /// An object with an entry in `deltaBases` (its previous version, e.g.
    /// the same tree before an edit) is stored as an OFS_DELTA against that
    /// base when the base is in the open pack and the delta is small; the
    /// delta is taken from `deltas` when given there, else computed from the
    /// common prefix and suffix.
    /// Returns whether the pack passed its size limit.
    func append(
        _ objects: [(id: ObjectID, object: RawObject)], deltaBases: [ObjectID: ObjectID] = [:],
        deltas: [ObjectID: [UInt8]] = [:]
    ) throws -> Bool {
        try state.withLock { state in
            if state.fd < 0 { try open(&state) }
            guard let encoder = state.encoder, var reader = state.reader else {
                throw BanyanError(.io, "append pack \(state.file) is not open")
            }
            // Moved out and back, so its dictionaries are not copied on write.
            state.reader = nil
            defer { state.reader = reader }
            var buffer: [UInt8] = []
            var added: [(ObjectID, AppendPackIndex.Location)] = []
            var pending: [ObjectID: AppendPackIndex.Location] = [:]
            let bases = Set(deltaBases.values)
            for (id, object) in objects where !state.index.contains(id) && pending[id] == nil {
                let offset = state.end + UInt64(buffer.count)
                var payload = PackEntryEncoder.Payload.object(object)
                var depth = 0
                if let baseID = deltaBases[id], let base = pending[baseID] ?? state.index.location(of: baseID) {
                    if base.depth < AppendPackFile.maxDepth,
                       let delta = editDelta(of: object, given: deltas[id], base: base.offset, reader: &reader, fd: state.fd) {
                        payload = .ofsDelta(baseOffset: base.offset, delta: delta)
                        depth = base.depth + 1
                    }
                    // Superseded: the next edit starts from this object.
                    reader.forget(base.offset)
                }
                let encoded = try encoder.encode(payload, at: offset)
                buffer.append(contentsOf: encoded.bytes)
                let location = AppendPackIndex.Location(offset: offset, crc32: encoded.crc32, depth: depth)
                pending[id] = location
                added.append((id, location))
                // Edits are kept in memory, being the likely bases of the next
                // edits (unless their delta came ready-made: their editor keeps
                // them); so is a base of an edit in this batch, not written yet.
                let cached = (deltaBases[id] != nil && deltas[id] == nil) || bases.contains(id)
                reader.record(offset: offset, end: offset + UInt64(encoded.bytes.count), object: cached ? object : nil)
            }
            if !buffer.isEmpty {
                do {
                    try Posix.writeAll(state.fd, buffer, path: state.file)
                } catch {
                    Self.discardTail(&state)
                    throw error
                }
                state.end += UInt64(buffer.count)
                for (id, location) in added { state.index.insert(id, at: location) }
            }
            return state.end >= sizeLimit
        }
    }

    /// The delta to store `object` as against the object at `offset`: the
    /// one that came with it (its editor knew it), else one found from the
    /// edit; nil when it would not be small.
    private func editDelta(
        of object: RawObject, given: [UInt8]?, base offset: UInt64, reader: inout AppendPackFile, fd: Int32
    ) -> [UInt8]? {
        if let given { return given.count < object.body.count / 2 ? given : nil }
        guard let base = try? reader.object(at: offset, fd: fd) else { return nil }
        return Delta.fromEdit(base: base.body, target: object.body)
    }

    /// The path of the open pack, if one is open.
    var currentFile: String? {
        state.withLock { $0.fd >= 0 ? $0.file : nil }
    }

    /// True when the open pack holds `id`.
    func contains(_ id: ObjectID) -> Bool {
        state.withLock { $0.index.contains(id) }
    }

    /// The object `id` from the open pack, or nil.
    ///
    /// Reads under the lock, so a concurrent seal cannot close the file meanwhile.
    func find(_ id: ObjectID) throws -> RawObject? {
        try state.withLock { state in
            guard let location = state.index.location(of: id), var reader = state.reader else { return nil }
            state.reader = nil
            defer { state.reader = reader }
            return try reader.object(at: location.offset, fd: state.fd)
        }
    }

    /// The ids in the open pack.
    func allIDs() -> [ObjectID] {
        state.withLock { $0.index.ids }
    }

    /// Seals the open pack into `pack-<checksum>.pack` and `.idx`, after any
    /// pack given up by a failed write or seal; a no-op when there is none.
    /// Returns the sealed packs' paths without extension.
    ///
    /// `durable` flushes the pack, its index and the pack directory to
    /// stable storage before returning. Appends made by other threads before
    /// this call are sealed by it, or by the seal that was running when it
    /// was called.
    @discardableResult
    func seal(durable: Bool) throws -> [String] {
        try state.withLock { state in
            var sealed: [String] = []
            while let file = state.abandoned.first {
                if let base = try AbandonedAppendPacks.recover(file, directory: directory, algorithm: algorithm, wait: true) {
                    sealed.append(base)
                }
                state.abandoned.removeFirst()
            }
            guard state.fd >= 0 else { return sealed }
            let (fd, file, end) = (state.fd, state.file, state.end)
            // The reader's cache, then the index, go as soon as they are not
            // needed, lowering the peak while the `.idx` is built.
            state.reader = nil
            let entries = state.index.sortedEntries()
            state = State(algorithm: algorithm, abandoned: state.abandoned)
            defer { close(fd) }
            if entries.isEmpty {
                FileIO.unlink(file)
                return sealed
            }
            do {
                sealed.append(try Self.finish(fd: fd, file: file, end: end, entries: entries, directory: directory,
                                              algorithm: algorithm, durable: durable))
            } catch {
                // Closed by the defer, so unlocked: the next seal recovers it.
                state.abandoned.append(file)
                throw error
            }
            return sealed
        }
    }

    /// Turns the open pack `file` (entries up to `end`) into a sealed pack:
    /// writes the object count and trailer and moves it into place (with
    /// `durable`, flushing the pack, its index and the directory). The
    /// sealed pack is linked before its index is renamed into place, so a
    /// reader (Banyan or `git`) never finds an index without its pack.
    /// Returns the sealed pack's path without extension. Shared with
    /// recovery of abandoned packs.
    @discardableResult
    static func finish(
        fd: Int32, file: String, end: UInt64, entries: [PackIndex.Entry],
        directory: String, algorithm: HashAlgorithm, durable: Bool
    ) throws -> String {
        guard FileIO.truncate(fd, to: off_t(end), path: file) == 0 else { throw Posix.ioError("truncate", file) }
        var count = UInt32(entries.count).bigEndian
        guard FileIO.pwrite(fd, &count, 4, at: 8, path: file) == 4 else { throw Posix.ioError("write the object count of", file) }
        var hasher = HashAlgorithm.Hasher(algorithm)
        var offset: UInt64 = 0
        while offset < end {
            let chunk = try Posix.read(fd, at: offset, count: Int(min(end - offset, 1 << 20)), path: file)
            hasher.update(chunk)
            offset += UInt64(chunk.count)
        }
        let checksum = hasher.finalize()
        guard lseek(fd, off_t(end), SEEK_SET) >= 0 else { throw Posix.ioError("seek in", file) }
        try Posix.writeAll(fd, checksum.bytes, path: file)
        guard fchmod(fd, 0o444) == 0 else { throw Posix.ioError("make read-only", file) }
        if durable { try Posix.flush(fd, path: file) }
        let index = try PackIndexWriter.encode(entries, packChecksum: checksum)
        let name = "\(directory)/pack-\(checksum.hex)"
        // A pack of that name still on disk may be a replaced one, kept for
        // git readers: it must not be deleted under these objects. (One that
        // is gone is not deleted again: see `ReplacedPacks.removeExpired`.)
        if Posix.fileType(name + ".pack") != nil {
            try ReplacedPacks.revive("pack-\(checksum.hex)", repository: Posix.parent(of: Posix.parent(of: directory)), durable: durable)
        }
        // Not `*.idx`: git loads every `objects/pack/*.idx` it lists, whole or not.
        let indexTemporary = file.replacingOccurrences(of: ".pack", with: "")
            .replacingOccurrences(of: "/" + filePrefix, with: "/tmp_idx_banyan_")
        // A failed seal may have left it, read-only.
        try Posix.removeFile(indexTemporary)
        try Posix.createFile(indexTemporary, bytes: index, durable: durable)
        if FileIO.link(file, name + ".pack") != 0 && errno != EEXIST {
            throw Posix.ioError("link the sealed pack", name + ".pack")
        }
        guard FileIO.rename(indexTemporary, name + ".idx") == 0 else { throw Posix.ioError("rename the pack index", indexTemporary) }
        FileIO.unlink(file)
        if durable { try Posix.fsyncDirectory(directory) }
        return name
    }

    /// After a failed write, which may have stored part of its bytes: cuts
    /// the file back to the last whole entry so the next append starts
    /// there, or, when that fails too, gives the pack up.
    private static func discardTail(_ state: inout State) {
        let end = off_t(state.end)
        if FileIO.truncate(state.fd, to: end, path: state.file) == 0, lseek(state.fd, end, SEEK_SET) == end { return }
        abandon(&state)
    }

    /// Gives the open pack up without sealing it: closing it releases its
    /// lock, so the next recovery seals its whole entries; the next append
    /// opens a new pack.
    private static func abandon(_ state: inout State) {
        close(state.fd)
        state = State(algorithm: state.index.algorithm, abandoned: state.abandoned + [state.file])
    }

    private func open(_ state: inout State) throws {
        try Posix.makeDirectories(directory)
        let name = "\(directory)/\(Self.filePrefix)\(UUID().uuidString)"
        let file = name + ".pack"
        // Made under another name, locked, then renamed: recovery only looks at
        // `.pack` names, so it never sees a pack its writer has not locked yet.
        let fd = FileIO.open(name + ".new", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Posix.ioError("create the append pack", file) }
        do {
            // Held until the pack is sealed: recovery skips packs whose lock is taken.
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { throw Posix.ioError("lock the append pack", file) }
            try Posix.writeAll(fd, PackEntryEncoder.packHeader(objectCount: 0), path: file)
            state.encoder = try PackEntryEncoder(algorithm: algorithm, compressionLevel: 1)
            guard FileIO.rename(name + ".new", file) == 0 else { throw Posix.ioError("rename the append pack", file) }
        } catch {
            close(fd)
            FileIO.unlink(name + ".new")
            throw error
        }
        state.fd = fd
        state.file = file
        state.end = 12
        state.reader = AppendPackFile(file: file, algorithm: algorithm)
    }
}
