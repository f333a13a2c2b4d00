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
/// Thread-safe: appends and reads go through one mutex. A seal takes the
/// open pack under it and finishes it (checksum, index, fsyncs, renames)
/// outside it, while the other threads append to a new pack; a seal
/// returns once every pack taken before it began is finished, so it covers
/// every append made before it by any thread (group commit: the writers
/// that appended during one seal's fsyncs share the next).
final class AppendPack: Sendable {
    private struct State {
        var fd: Int32 = -1
        var file = ""
        var end: UInt64 = 0
        var index: AppendPackIndex
        var encoder: PackEntryEncoder?
        /// Writes whole trees without compression (see `treeCompressionLevel`).
        var treeEncoder: PackEntryEncoder?
        var reader: AppendPackFile?
        /// Packs given up unsealed after a failed write or seal: their objects
        /// may be about to be named by a ref, so the next seal seals them first.
        var abandoned: [String] = []
        /// Packs taken by seals still finishing: their objects are found
        /// through them until the pack set maps the sealed file.
        var sealing: [Sealing] = []

        /// No pack open.
        init(algorithm: HashAlgorithm) {
            index = AppendPackIndex(algorithm: algorithm)
        }

        /// Forgets the open pack (its file is sealed, abandoned or gone);
        /// `abandoned`, `sealing` and the encoders (reset for every entry) kept.
        mutating func forgetOpenPack() {
            var next = State(algorithm: index.algorithm)
            next.abandoned = abandoned
            next.sealing = sealing
            next.encoder = encoder
            next.treeEncoder = treeEncoder
            self = next
        }
    }

    /// What a seal finishes outside the lock.
    private struct Taken: Sendable {
        let fd: Int32
        let file: String
        let end: UInt64
        let entries: [PackIndex.Entry]
        let done: SealLatch
    }

    /// A pack a seal took from the open slot and is finishing.
    private struct Sealing {
        let fd: Int32
        let file: String
        let end: UInt64
        let index: AppendPackIndex
        var reader: AppendPackFile?
        let done: SealLatch
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

    /// Whole trees are stored, not compressed: a commit made alone seals a
    /// pack of its own, where no earlier version of its trees is there to
    /// delta against, so every tree on the changed paths is written whole,
    /// and deflating them was a third of such a commit's time for a quarter
    /// of their size (twenty-byte ids do not compress). Maintenance
    /// compresses them when it repacks: `PackWriter` does not copy a whole
    /// entry stored without compression. Blobs and deltas are deflated at
    /// level 1.
    static let treeCompressionLevel: Int32 = 0

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
            guard let encoder = state.encoder, let treeEncoder = state.treeEncoder, var reader = state.reader else {
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
                let isWholeTree = if case .object(let whole) = payload { whole.kind == .tree } else { false }
                let encoded = try (isWholeTree ? treeEncoder : encoder).encode(payload, at: offset)
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

    /// True when the open pack, or a pack being sealed, holds `id`.
    func contains(_ id: ObjectID) -> Bool {
        state.withLock { state in
            state.index.contains(id) || state.sealing.contains { $0.index.contains(id) }
        }
    }

    /// The object `id` from the open pack or a pack being sealed, or nil.
    ///
    /// Reads under the lock, so a seal cannot close the file meanwhile.
    func find(_ id: ObjectID) throws -> RawObject? {
        try state.withLock { state in
            if let location = state.index.location(of: id), var reader = state.reader {
                state.reader = nil
                defer { state.reader = reader }
                return try reader.object(at: location.offset, fd: state.fd)
            }
            for slot in state.sealing.indices {
                guard let location = state.sealing[slot].index.location(of: id), var reader = state.sealing[slot].reader
                else { continue }
                state.sealing[slot].reader = nil
                defer { state.sealing[slot].reader = reader }
                return try reader.object(at: location.offset, fd: state.sealing[slot].fd)
            }
            return nil
        }
    }

    /// The ids in the open pack and the packs being sealed.
    func allIDs() -> [ObjectID] {
        state.withLock { state in
            state.index.ids + state.sealing.flatMap { $0.index.ids }
        }
    }

    /// Seals the open pack into `pack-<checksum>.pack` and `.idx`, after any
    /// pack given up by a failed write or seal; returns the sealed packs'
    /// paths without extension (none when nothing was open).
    ///
    /// `install` maps a sealed pack (the backend's pack set) before its
    /// objects leave this pack's index, so a reader finds them throughout.
    /// `durable` flushes the pack, its index and the pack directory to
    /// stable storage before returning. Appends made by any thread before
    /// this call are sealed when it returns: by it, or by the seals that were
    /// finishing when it was called, which it waits for (and, when one of
    /// them failed, by sealing that pack again itself).
    @discardableResult
    func seal(durable: Bool, install: (String) throws -> Void = { _ in }) throws -> [String] {
        var sealed: [String] = []
        let (taken, earlier) = try state.withLock { state -> (Taken?, [SealLatch]) in
            while let file = state.abandoned.first {
                if let base = try AbandonedAppendPacks.recover(file, directory: directory, algorithm: algorithm, wait: true) {
                    try install(base)
                    sealed.append(base)
                }
                state.abandoned.removeFirst()
            }
            let earlier = state.sealing.map(\.done)
            guard state.fd >= 0 else { return (nil, earlier) }
            guard state.index.count > 0 else {
                close(state.fd)
                FileIO.unlink(state.file)
                state.forgetOpenPack()
                return (nil, earlier)
            }
            let done = SealLatch()
            state.sealing.append(Sealing(fd: state.fd, file: state.file, end: state.end, index: state.index,
                                         reader: state.reader, done: done))
            let taken = Taken(fd: state.fd, file: state.file, end: state.end, entries: state.index.sortedEntries(), done: done)
            state.forgetOpenPack()
            return (taken, earlier)
        }
        if let taken {
            var failed = true
            defer {
                // Out of sight (the pack set has it, or it is abandoned) before the file closes.
                state.withLock { state in
                    state.sealing.removeAll { $0.done === taken.done }
                    close(taken.fd)
                    if failed { state.abandoned.append(taken.file) }
                }
                taken.done.open(failed: failed)
            }
            let base = try Self.finish(fd: taken.fd, file: taken.file, end: taken.end, entries: taken.entries,
                                       directory: directory, algorithm: algorithm, durable: durable)
            try install(base)
            sealed.append(base)
            failed = false
        }
        // A pack taken before this call may hold this caller's objects.
        if earlier.map({ $0.wait() }).contains(true) {
            // Its seal failed and gave it up: seal it again (recovery) now.
            sealed += try seal(durable: durable, install: install)
        }
        return sealed
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
        let file = state.file
        state.forgetOpenPack()
        state.abandoned.append(file)
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
            if state.encoder == nil {
                state.encoder = try PackEntryEncoder(algorithm: algorithm, compressionLevel: 1)
                state.treeEncoder = try PackEntryEncoder(algorithm: algorithm, compressionLevel: Self.treeCompressionLevel)
            }
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

/// Opened once, when a seal finishes; the seals that began while it ran
/// wait for it, and learn whether it failed.
private final class SealLatch: @unchecked Sendable {
    // NSCondition guards every field.
    private let condition = NSCondition()
    private var isOpen = false
    private var failed = false

    /// Lets every waiter go; `failed` tells them the pack was given up.
    func open(failed: Bool) {
        condition.lock()
        self.failed = failed
        isOpen = true
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until `open(failed:)`; returns whether the seal failed.
    func wait() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !isOpen { condition.wait() }
        return failed
    }
}
