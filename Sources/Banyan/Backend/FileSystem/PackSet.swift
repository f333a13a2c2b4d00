import Synchronization

/// The pack files of a repository (`objects/pack/pack-*.pack` with their
/// `.idx`), memory-mapped and looked up through their indexes, or through
/// Git's `multi-pack-index` when one covers them.
///
/// Loaded lazily and reloaded by `refresh()` when a lookup misses, so packs
/// written by `git gc`, another process or a sealed append pack become
/// visible; packs that disappeared (repacked away) are dropped, and so are
/// those a geometric repack replaced (`ReplacedPacks`), still on disk for git.
///
/// With a multi-pack-index, a lookup is one binary search in it for the
/// packs it covers; the small packs it does not cover (sealed since) are
/// found through one hash map (`SmallPackLookup`), and the big ones by one
/// binary search each. An
/// index that does not parse, holds the other hash function's ids or names a
/// pack that is not loaded is ignored until the next refresh, and every pack
/// is searched on its own: a stale index costs speed, never a lookup.
///
/// Thread-safe: the list of packs is swapped under a mutex; readers are
/// `Sendable` and work on immutable mappings.
final class PackSet: Sendable {
    /// A multi-pack-index all of whose packs are loaded.
    private struct Covering: Sendable {
        let index: MultiPackIndex
        /// The reader of each pack the index names, by its number there.
        let readers: [PackReader]
    }

    /// The packs `add` mapped since the last listing, in order; shared by
    /// the snapshots `add` makes, each seeing the first `count` of them, so
    /// adding one costs no copy of every pack before it.
    private final class AddedPacks: Sendable {
        private let readers = Mutex<[PackReader]>([])

        /// Appends `reader`; returns how many there are now.
        func append(_ reader: PackReader) -> Int {
            readers.withLock { $0.append(reader); return $0.count }
        }

        func prefix(_ count: Int) -> ArraySlice<PackReader> {
            readers.withLock { $0.prefix(count) }
        }
    }

    /// What lookups search; replaced whole by a refresh, so a lookup takes
    /// one reference under the mutex.
    private final class Snapshot: Sendable {
        /// Every pack the listing found, biggest first.
        let listed: [PackReader]
        /// The packs added since, the first `addedCount` of them.
        let added: AddedPacks
        let addedCount: Int
        let covering: Covering?
        /// The small packs the multi-pack-index does not cover (shared with
        /// the snapshots `add` makes from this one).
        let small: SmallPackLookup
        /// The other packs it does not cover, biggest first, searched one by one.
        let searched: [PackReader]

        init(listed: [PackReader], added: AddedPacks, addedCount: Int, covering: Covering?, small: SmallPackLookup,
             searched: [PackReader]) {
            self.listed = listed
            self.added = added
            self.addedCount = addedCount
            self.covering = covering
            self.small = small
            self.searched = searched
        }

        /// A snapshot of a listing and `covering`, the packs it does not
        /// cover sorted into a new small-pack map and the searched list.
        convenience init(listed: [PackReader], covering: Covering?) {
            let covered = Set((covering?.readers ?? []).map(ObjectIdentifier.init))
            let small = SmallPackLookup()
            var searched: [PackReader] = []
            for reader in listed where !covered.contains(ObjectIdentifier(reader)) {
                if reader.count <= SmallPackLookup.maximumObjects { small.add(reader) } else { searched.append(reader) }
            }
            self.init(listed: listed, added: AddedPacks(), addedCount: 0, covering: covering, small: small,
                      searched: searched)
        }

        /// Every pack: the listed ones biggest first, then those added since.
        var order: [PackReader] {
            addedCount == 0 ? listed : listed + added.prefix(addedCount)
        }

        /// This snapshot with `reader` added (never covered by the
        /// multi-pack-index); only ever called on the latest snapshot.
        func adding(_ reader: PackReader) -> Snapshot {
            // Appended, not sorted in: a store written a commit at a time adds
            // thousands of small packs between repacks, and only `searched`
            // (big packs) is searched in order.
            let count = added.append(reader)
            guard reader.count > SmallPackLookup.maximumObjects else {
                small.add(reader)
                return Snapshot(listed: listed, added: added, addedCount: count, covering: covering, small: small,
                                searched: searched)
            }
            return Snapshot(listed: listed, added: added, addedCount: count, covering: covering, small: small,
                            searched: (searched + [reader]).sorted { $0.count > $1.count })
        }

        /// The pack holding `id` and where its entry starts, or nil.
        func locate(_ id: ObjectID) -> (reader: PackReader, offset: UInt64)? {
            if let covering, let location = covering.index.location(of: id) {
                return (covering.readers[location.pack], location.offset)
            }
            if let found = small.locate(id) { return found }
            for reader in searched {
                if let offset = reader.index.offset(of: id) { return (reader, offset) }
            }
            return nil
        }
    }

    /// The multi-pack-index file last read: its trailing checksum and what
    /// it parsed to, nil when it did not parse. Git replaces the file by
    /// renaming a new one in, so the same checksum means the same file, and a
    /// refresh parses (and hashes) it again only when it changed, whether it
    /// was used or ignored.
    private struct IndexFile {
        let checksum: [UInt8]
        let index: MultiPackIndex?
    }

    /// The one pack's reachability bitmap index the listing found, read when first asked for.
    private struct Bitmap {
        /// The pack's name (`pack-<hex>`).
        let name: String
        /// Nil until read; `.some(nil)` when it did not parse (ignored until the next listing).
        var index: PackBitmapIndex??
    }

    private struct State {
        var packs: [String: PackReader] = [:]
        var indexFile: IndexFile?
        /// Nil until the directory was first listed.
        var snapshot: Snapshot?
        var bitmap: Bitmap?
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
        try current().order
    }

    /// The multi-pack-index lookups go through, loading the packs on first
    /// use; nil when there is none or it is ignored (stale or damaged).
    func multiPackIndex() throws -> MultiPackIndex? {
        try current().covering?.index
    }

    /// The object `id` from any pack, or nil.
    func find(_ id: ObjectID) throws -> RawObject? {
        guard let found = try locate(id) else { return nil }
        return try found.reader.object(at: found.offset)
    }

    /// How `id` is stored in the pack a lookup finds it in, or nil when none holds it.
    func storedEntry(_ id: ObjectID) throws -> StoredEntry? {
        guard let found = try locate(id) else { return nil }
        return try found.reader.storedEntry(at: found.offset)
    }

    /// The type and size of `id` from the entry headers of the pack a lookup finds it in, or nil.
    func info(_ id: ObjectID) throws -> (kind: ObjectKind, size: Int)? {
        guard let found = try locate(id) else { return nil }
        return try found.reader.info(at: found.offset)
    }

    /// True when some pack holds `id`.
    func contains(_ id: ObjectID) throws -> Bool {
        try locate(id) != nil
    }

    /// Maps the pack `base` (its path without extension), just sealed or
    /// installed by this process, without re-listing the directory; a no-op
    /// before the first listing, when it is mapped already or its files are gone.
    func add(_ base: String) throws {
        let name = String(base.split(separator: "/").last ?? "")
        guard state.withLock({ $0.snapshot != nil && $0.packs[name] == nil }) else { return }
        guard let index = try Posix.mapFile(base + ".idx"), let pack = try Posix.mapFile(base + ".pack") else { return }
        let reader: PackReader
        do {
            reader = try PackReader(pack: pack, index: PackIndex(index, algorithm: algorithm, verifyChecksum: false))
        } catch let error as BanyanError {
            throw BanyanError(error.code, "pack \(base).pack: \(error.message)", cause: error)
        }
        state.withLock { state in
            guard let snapshot = state.snapshot, state.packs[name] == nil else { return }
            state.packs[name] = reader
            // A new pack is never in the multi-pack-index: searched after it.
            state.snapshot = snapshot.adding(reader)
        }
    }

    /// Re-lists the pack directory: opens new packs, drops vanished ones,
    /// reads the multi-pack-index again. Returns the current readers.
    @discardableResult
    func refresh() throws -> [PackReader] {
        try reload().snapshot.order
    }

    /// Re-lists the pack directory like `refresh()` and returns every pack
    /// by its file name without extension (`pack-<hex>`).
    func refreshByName() throws -> [String: PackReader] {
        try reload().packs
    }

    private func current() throws -> Snapshot {
        if let ready = state.withLock({ $0.snapshot }) { return ready }
        return try reload().snapshot
    }

    /// The pack holding `id` and where its entry starts, or nil.
    private func locate(_ id: ObjectID) throws -> (reader: PackReader, offset: UInt64)? {
        try current().locate(id)
    }

    private func reload() throws -> (packs: [String: PackReader], snapshot: Snapshot) {
        // Packs a repack replaced are left for git processes that may still
        // read them; their objects are in the pack that replaced them.
        let replaced = ReplacedPacks.read(String(directory.dropLast("/objects/pack".count)))
        let listing = try Posix.listDirectory(directory).filter { !$0.isDirectory && $0.name.hasPrefix("pack-") }
        let names = listing
            .filter { $0.name.hasSuffix(".idx") }
            .map { String($0.name.dropLast(".idx".count)) }
            .filter { replaced[$0] == nil }
        let (known, knownIndexFile) = state.withLock { ($0.packs, $0.indexFile) }
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
                next[name] = try PackReader(pack: pack, index: PackIndex(index, algorithm: algorithm, verifyChecksum: false))
            } catch let error as BanyanError {
                throw BanyanError(error.code, "pack \(directory)/\(name).pack: \(error.message)", cause: error)
            }
        }
        // Bigger packs first: after gc most objects live in the one big pack.
        let order = next.values.sorted { $0.count > $1.count }
        let indexFile = readIndexFile(reusing: knownIndexFile)
        let covering = indexFile?.index.flatMap { Self.covering($0, packs: next) }
        let snapshot = Snapshot(listed: order, covering: covering)
        // Git uses one bitmap and ignores others; so does this, the biggest pack's.
        let bitmapped = listing.filter { $0.name.hasSuffix(".bitmap") }.map { String($0.name.dropLast(".bitmap".count)) }
        let bitmapName = bitmapped.filter { next[$0] != nil }.max { next[$0]!.count < next[$1]!.count }
        state.withLock { state in
            let bitmap = state.bitmap?.name == bitmapName ? state.bitmap : bitmapName.map { Bitmap(name: $0, index: nil) }
            state = State(packs: next, indexFile: indexFile, snapshot: snapshot, bitmap: bitmap)
        }
        return (next, snapshot)
    }

    /// The reachability bitmap index of a pack (`pack-<hex>.bitmap`), read
    /// on first use after a listing; nil when no loaded pack has one or it
    /// does not parse (a damaged or stale bitmap costs speed, never a result).
    func reachabilityBitmap() throws -> PackBitmapIndex? {
        _ = try current()
        guard let (name, loaded, reader) = state.withLock({ state -> (String, PackBitmapIndex??, PackReader?)? in
            state.bitmap.map { ($0.name, $0.index, state.packs[$0.name]) }
        }) else { return nil }
        if let loaded { return loaded }
        var index: PackBitmapIndex?
        if let reader, let mapped = try? Posix.mapFile("\(directory)/\(name).bitmap") {
            index = try? PackBitmapIndex(mapped, index: reader.index)
        }
        state.withLock { state in
            if state.bitmap?.name == name { state.bitmap?.index = .some(index) }
        }
        return index
    }

    /// The repository's multi-pack-index file, nil when there is none;
    /// `previous` when the file still ends in the same checksum.
    private func readIndexFile(reusing previous: IndexFile?) -> IndexFile? {
        // Whatever goes wrong here (a damaged file, an I/O error) only means
        // that lookups search every pack, so errors are dropped, not thrown.
        guard let mapped = try? Posix.mapFile(directory + "/multi-pack-index") else { return nil }
        let checksum = mapped.copyBytes(max(0, mapped.count - algorithm.digestLength)..<mapped.count)
        if let previous, previous.checksum == checksum { return previous }
        return IndexFile(checksum: checksum, index: try? MultiPackIndex(mapped, algorithm: algorithm))
    }

    /// `index` with the readers of the packs it names, or nil when one of
    /// them is not loaded (removed since the index was written, or not whole yet).
    private static func covering(_ index: MultiPackIndex, packs: [String: PackReader]) -> Covering? {
        var readers: [PackReader] = []
        readers.reserveCapacity(index.packNames.count)
        for name in index.packNames {
            guard name.hasSuffix(".idx"), let reader = packs[String(name.dropLast(".idx".count))] else { return nil }
            readers.append(reader)
        }
        return Covering(index: index, readers: readers)
    }
}
