import Synchronization

/// The pack files of a repository (`objects/pack/pack-*.pack` with their
/// `.idx`), memory-mapped and looked up through their indexes.
///
/// Loaded lazily and reloaded by `refresh()` when a lookup misses, so packs
/// written by `git gc`, another process or a sealed append pack become
/// visible; packs that disappeared (repacked away) are dropped.
/// Thread-safe: the list of packs is swapped under a mutex; readers are
/// `Sendable` and work on immutable mappings.
final class PackSet: Sendable {
    private struct State {
        var packs: [String: PackReader] = [:]
        var order: [PackReader] = []
        var loaded = false
    }

    private let directory: String
    private let algorithm: HashAlgorithm
    private let state = Mutex(State())

    init(directory: String, algorithm: HashAlgorithm) {
        self.directory = directory
        self.algorithm = algorithm
    }

    /// The readers, loading them on first use.
    func readers() throws -> [PackReader] {
        if let ready = state.withLock({ $0.loaded ? $0.order : nil }) { return ready }
        return try refresh()
    }

    /// The object `id` from any pack, or nil.
    func find(_ id: ObjectID) throws -> RawObject? {
        for reader in try readers() where reader.contains(id) {
            return try reader.get(id)
        }
        return nil
    }

    /// How `id` is stored in the first pack holding it, or nil when none does.
    func storedEntry(_ id: ObjectID) throws -> StoredEntry? {
        for reader in try readers() {
            if let entry = try reader.storedEntry(id) { return entry }
        }
        return nil
    }

    /// True when some pack holds `id`.
    func contains(_ id: ObjectID) throws -> Bool {
        try readers().contains { $0.contains(id) }
    }

    /// Maps the pack `base` (its path without extension), just installed by
    /// this process, without re-listing the directory; a no-op when it is
    /// mapped already or its files are gone.
    func add(_ base: String) throws {
        let name = String(base.split(separator: "/").last ?? "")
        guard state.withLock({ $0.loaded && $0.packs[name] == nil }) else { return }
        guard let index = try Posix.mapFile(base + ".idx"), let pack = try Posix.mapFile(base + ".pack") else { return }
        let reader: PackReader
        do {
            reader = try PackReader(pack: pack, index: PackIndex(index, algorithm: algorithm))
        } catch let error as BanyanError {
            throw BanyanError(error.code, "pack \(base).pack: \(error.message)", cause: error)
        }
        state.withLock { state in
            guard state.packs[name] == nil else { return }
            state.packs[name] = reader
            state.order.append(reader)
            state.order.sort { $0.count > $1.count }
        }
    }

    /// Re-lists the pack directory: opens new packs, drops vanished ones.
    /// Returns the current readers.
    @discardableResult
    func refresh() throws -> [PackReader] {
        let names = try Posix.listDirectory(directory)
            .filter { !$0.isDirectory && $0.name.hasPrefix("pack-") && $0.name.hasSuffix(".idx") }
            .map { String($0.name.dropLast(".idx".count)) }
        let known = state.withLock { $0.packs }
        var next: [String: PackReader] = [:]
        for name in names {
            if let reader = known[name] {
                next[name] = reader
                continue
            }
            // An index may appear before its pack is renamed into place by a
            // writer that links the idx last; skip a pack that is not whole yet.
            guard let index = try Posix.mapFile("\(directory)/\(name).idx"),
                  let pack = try Posix.mapFile("\(directory)/\(name).pack")
            else { continue }
            do {
                next[name] = try PackReader(pack: pack, index: PackIndex(index, algorithm: algorithm))
            } catch let error as BanyanError {
                throw BanyanError(error.code, "pack \(directory)/\(name).pack: \(error.message)", cause: error)
            }
        }
        // Bigger packs first: after gc most objects live in the one big pack.
        let order = next.values.sorted { $0.count > $1.count }
        state.withLock {
            $0.packs = next
            $0.order = order
            $0.loaded = true
        }
        return order
    }
}
