/// Builds a pack from objects, with delta compression like `git pack-objects`.
///
/// Objects are sorted by (kind, name hash, size descending), and each is
/// tried as a delta against the previous `window` objects of its kind,
/// keeping the smallest delta whose chain stays within `depth`. Bases are
/// written before their deltas; entries are OFS_DELTA (REF_DELTA when asked)
/// and objects that gain nothing from a delta are stored whole. A large
/// search runs on several threads (`Options.threads`).
///
/// Cost: about `window` delta attempts per object (each O(object size)),
/// one zlib compression per entry, one hash per object whose id is not
/// given and one of the output. The pack is built in memory, or handed on in
/// pieces as it is written (`Destination.stream`). Without name
/// hints, objects are grouped by size alone and deltas find fewer good
/// bases: pass paths when they are known.
public enum PackWriter {
    /// Tuning knobs, with Git's defaults.
    public struct Options: Sendable {
        /// How many preceding objects each object is tried against (Git's `--window`, 10).
        public var window: Int
        /// The longest delta chain allowed (Git's `--depth`, 50).
        public var depth: Int
        /// Write REF_DELTA entries instead of OFS_DELTA (Git's behaviour without `ofs-delta`).
        public var useRefDeltas: Bool
        /// zlib level for entries: 0–9 or -1 for zlib's default, as Git's `pack.compression`.
        public var compressionLevel: Int32
        /// Objects smaller than this are neither deltified nor used as bases (Git uses 50).
        public var minDeltaSize: Int
        /// Threads for the delta search (Git's `pack.threads`): 0 for one per
        /// core. A search of fewer than 4,096 objects uses one thread. With
        /// several, the sorted objects are cut into runs (never inside a
        /// group of one name), each searched on its own, as Git does: the
        /// pack can differ with the thread count, never its objects.
        public var threads: Int

        /// Options with Git's defaults unless given.
        public init(window: Int = 10, depth: Int = 50, useRefDeltas: Bool = false,
                    compressionLevel: Int32 = -1, minDeltaSize: Int = 50, threads: Int = 0) {
            self.window = window
            self.depth = depth
            self.useRefDeltas = useRefDeltas
            self.compressionLevel = compressionLevel
            self.minDeltaSize = minDeltaSize
            self.threads = threads
        }
    }

    /// One object to pack, with its id if known and the path it was found at, if any.
    public struct Item: Sendable {
        /// The object.
        public var object: RawObject
        /// Its id, or nil to have the writer hash it.
        public var id: ObjectID?
        /// A path (or name) for the object; objects with similar names are tried against each other first.
        public var nameHint: String?

        /// Creates an item.
        public init(_ object: RawObject, id: ObjectID? = nil, nameHint: String? = nil) {
            self.object = object
            self.id = id
            self.nameHint = nameHint
        }
    }

    /// One object to pack, described without its body, which the writer
    /// loads when it needs it (see `write(sources:algorithm:baseItems:options:load:)`).
    public struct Source: Sendable {
        /// The object's id.
        public var id: ObjectID
        /// Its kind.
        public var kind: ObjectKind
        /// Its body's size in bytes.
        public var size: Int
        /// A path (or name) for the object, as `Item.nameHint`.
        public var nameHint: String?

        /// Creates a source.
        public init(id: ObjectID, kind: ObjectKind, size: Int, nameHint: String? = nil) {
            self.id = id
            self.kind = kind
            self.size = size
            self.nameHint = nameHint
        }
    }

    /// A finished pack.
    public struct Output: Sendable {
        /// The pack's bytes, trailer included (empty when the pack was streamed).
        public var pack: [UInt8]
        /// One index entry per object, in pack order.
        public var entries: [PackIndex.Entry]
        /// The pack's checksum (its trailer and name).
        public var checksum: ObjectID
        /// How many entries are deltas.
        public var deltaCount: Int
        /// The external bases that thin-pack deltas refer to.
        public var externalBases: [ObjectID]
        /// How many entries were copied from stored packs (whole or delta) without a search or compression.
        public var reusedCount: Int
        /// How many of those are deltas.
        public var reusedDeltaCount: Int

        /// The `.idx` file for this pack, as `git index-pack` would write it.
        public func indexBytes() throws -> [UInt8] {
            try PackIndexWriter.encode(entries, packChecksum: checksum)
        }
    }

    /// Packs `objects` (duplicates by id are packed once).
    ///
    /// - Parameters:
    ///   - bases: objects the receiver already has; deltas against them
    ///     make a thin pack (REF_DELTA entries whose bases are not in it).
    /// - Throws: `invalidArgument` for a negative window or depth, a bad
    ///   compression level, or an id of another hash algorithm.
    public static func write(
        _ objects: [RawObject], algorithm: HashAlgorithm, bases: [ObjectID: RawObject] = [:], options: Options = Options()
    ) throws -> Output {
        try write(items: objects.map { Item($0) }, algorithm: algorithm, bases: bases, options: options)
    }

    /// Packs `items`; see `write(_:algorithm:bases:options:)`, and
    /// `write(sources:algorithm:baseItems:options:reuse:load:)` for `reuse`.
    public static func write(
        items: [Item], algorithm: HashAlgorithm, bases: [ObjectID: RawObject] = [:], options: Options = Options(),
        reuse: StoredLookup? = nil
    ) throws -> Output {
        try write(items: items, algorithm: algorithm, baseItems: bases.map { Item($0.value, id: $0.key) },
                  options: options, reuse: reuse)
    }

    /// Packs `items` as a thin pack against `baseItems`, objects the receiver
    /// already has. A base's name hint (its path) puts it next to the objects
    /// of the same path in the delta search, as `git pack-objects --thin`
    /// does with the trees of the commits the receiver has. Throws as
    /// `write(_:algorithm:bases:options:)` does.
    public static func write(
        items: [Item], algorithm: HashAlgorithm, baseItems: [Item], options: Options = Options(),
        reuse: StoredLookup? = nil
    ) throws -> Output {
        var objects: [RawObject] = []
        var sources: [Source] = []
        var seen = ObjectIDSet(capacity: items.count)
        objects.reserveCapacity(items.count)
        for item in items {
            let id = item.id ?? item.object.id(algorithm)
            guard seen.insert(id) else { continue }
            objects.append(item.object)
            sources.append(Source(id: id, kind: item.object.kind, size: item.object.body.count, nameHint: item.nameHint))
        }
        return try write(sources: sources, algorithm: algorithm, baseItems: baseItems, options: options,
                         reuse: reuse) { objects[$0] }
    }

    /// Packs the objects `sources` describe, loading a body through `load`
    /// (given the source's position) only when the delta search or the
    /// output needs it: memory holds the window's objects, the chosen deltas
    /// and the pack, not every object. Duplicate ids are packed once;
    /// `baseItems` make a thin pack as in `write(items:algorithm:baseItems:options:)`.
    ///
    /// With `reuse`, objects already stored in packs are copied as stored,
    /// as `git pack-objects` does: a stored delta whose base is packed too
    /// (or is a base item) is written without a search or compression, a
    /// stored whole object without compression when the search finds it no
    /// delta, and, as Git's `try_delta`, such an object is not tried against
    /// another object of its own pack (that pack's writer tried the pair).
    /// Only objects `reuse` knows nothing of pay the full search.
    ///
    /// Cost: up to two loads per object of at least `minDeltaSize` bytes
    /// (search, then output when it is stored whole), one for smaller ones.
    /// `load` must return the object the source describes; the writer does
    /// not hash it (index the result to check). With `destination`
    /// `.stream`, the pack is handed on in pieces as it is written and
    /// `Output.pack` stays empty. Throws what `load` or the destination
    /// throws, and `invalidArgument` as `write(_:algorithm:bases:options:)` does.
    public static func write(
        sources: [Source], algorithm: HashAlgorithm, baseItems: [Item] = [], options: Options = Options(),
        reuse: StoredLookup? = nil, destination: Destination = .memory, load: (Int) throws -> RawObject
    ) throws -> Output {
        var unique: [Int] = []
        var seen = ObjectIDSet(capacity: sources.count)
        for (position, source) in sources.enumerated() where seen.insert(source.id) {
            unique.append(position)
        }
        let packed = unique.map { sources[$0] }
        let externalIDs = externalBases(baseItems, algorithm: algorithm, excluding: seen).map(\.id)
        let stored = try reuse.map { try reusable(sources: packed, externalIDs: externalIDs, options: options, lookup: $0) }
            ?? Array(repeating: nil, count: packed.count)
        return try write(sources: packed, algorithm: algorithm, baseItems: baseItems, options: options, stored: stored,
                         destination: destination) { try load(unique[$0]) }
    }

    /// The thin-pack bases among `baseItems` that are not in `excluding`, each once, sorted by id.
    static func externalBases(
        _ baseItems: [Item], algorithm: HashAlgorithm, excluding packed: ObjectIDSet
    ) -> [(id: ObjectID, item: Item)] {
        var seen = Set<ObjectID>()
        var externals: [(id: ObjectID, item: Item)] = []
        for base in baseItems {
            let id = base.id ?? base.object.id(algorithm)
            guard !packed.contains(id), seen.insert(id).inserted else { continue }
            externals.append((id, base))
        }
        return externals.sorted { $0.id < $1.id }
    }

    /// Packs `sources` (distinct ids) whose stored entries to copy are
    /// decided already (`stored`, from `reusable`); `load` takes a position in `sources`.
    static func write(
        sources: [Source], algorithm: HashAlgorithm, baseItems: [Item], options: Options, stored: [Reuse?],
        destination: Destination = .memory, load: (Int) throws -> RawObject
    ) throws -> Output {
        guard options.window >= 0, options.depth >= 0, options.threads >= 0 else {
            throw BanyanError(.invalidArgument,
                              "pack window (\(options.window)), depth (\(options.depth)) and threads (\(options.threads)) must not be negative")
        }
        for source in sources where source.id.algorithm != algorithm {
            throw BanyanError(.invalidArgument, "object \(source.id) is \(source.id.algorithm) but the pack is \(algorithm)")
        }
        var packed = ObjectIDSet(capacity: baseItems.isEmpty ? 0 : sources.count)
        if !baseItems.isEmpty { for source in sources { packed.insert(source.id) } }
        let externals = externalBases(baseItems, algorithm: algorithm, excluding: packed)
        var planner = DeltaPlanner(sources: sources, externals: externals.map(\.item.object),
                                   externalHints: externals.map(\.item.nameHint), algorithm: algorithm, options: options)
        (planner.roles, planner.reservedDepth) = searchRoles(for: stored)
        planner.storedPacks = stored.map { $0?.entry.pack }
        let plan = try planner.plan(load: load)
        return try emit(sources: sources, externalIDs: externals.map(\.id), plan: plan, reuse: stored,
                        algorithm: algorithm, options: options, destination: destination, load: load)
    }

    /// Writes entries in input order, each delta's base first.
    private static func emit(
        sources: [Source], externalIDs: [ObjectID], plan: [DeltaPlanner.Choice?], reuse: [Reuse?],
        algorithm: HashAlgorithm, options: Options, destination: Destination, load: (Int) throws -> RawObject
    ) throws -> Output {
        let encoder = try PackEntryEncoder(algorithm: algorithm, compressionLevel: options.compressionLevel)
        guard sources.count <= Int(UInt32.max) else {
            throw BanyanError(.invalidArgument, "a pack holds at most \(UInt32.max) objects, not \(sources.count)")
        }
        var pack = PackOutput(destination, algorithm: algorithm, header: PackEntryEncoder.packHeader(objectCount: UInt32(sources.count)),
                              expectedBytes: sources.reduce(64) { $0 + max(0, $1.size) / 4 })
        var offsets = [UInt64?](repeating: nil, count: sources.count)
        var entries: [PackIndex.Entry] = []
        entries.reserveCapacity(sources.count)
        var usedExternals = Set<ObjectID>()
        var deltaCount = 0
        var reusedCount = 0
        var reusedDeltaCount = 0
        func inPackBase(_ position: Int) -> Int? {
            if case .inPack(let base, _)? = plan[position] { return base }
            return plan[position] == nil ? reuse[position]?.inPackBase : nil
        }
        var stack: [Int] = []
        for start in sources.indices where offsets[start] == nil {
            stack.append(start)
            // Walk up to the first base already written (or whole, or external), then write downwards.
            while let base = inPackBase(stack.last!), offsets[base] == nil {
                guard stack.count <= sources.count else {
                    throw BanyanError(.corruptObject, "stored delta bases loop back to object \(sources[base].id)")
                }
                stack.append(base)
            }
            while let next = stack.popLast() {
                let payload: PackEntryEncoder.Payload
                switch plan[next] {
                case nil:
                    switch reuse[next] {
                    case nil:
                        payload = .object(try load(next))
                    case .whole(let entry)? where entry.form != .whole(.tree) || !entry.isUncompressed:
                        payload = .stored(entry, base: nil)
                    case .whole?:
                        // A tree stored without compression (as append packs keep them): compressed here.
                        payload = .object(try load(next))
                    case .inPack(let base, let entry)?:
                        reusedDeltaCount += 1
                        payload = .stored(entry, base: options.useRefDeltas ? .id(sources[base].id) : .offset(offsets[base]!))
                    case .external(let base, let entry)?:
                        reusedDeltaCount += 1
                        usedExternals.insert(externalIDs[base])
                        payload = .stored(entry, base: .id(externalIDs[base]))
                    }
                    if case .stored = payload { reusedCount += 1 }
                case .inPack(let base, let delta)?:
                    deltaCount += 1
                    payload = options.useRefDeltas
                        ? .refDelta(base: sources[base].id, delta: delta)
                        : .ofsDelta(baseOffset: offsets[base]!, delta: delta)
                case .external(let base, let delta)?:
                    deltaCount += 1
                    usedExternals.insert(externalIDs[base])
                    payload = .refDelta(base: externalIDs[base], delta: delta)
                }
                let (offset, crc) = try pack.append(payload, encoder: encoder)
                offsets[next] = offset
                entries.append(PackIndex.Entry(id: sources[next].id, offset: offset, crc32: crc))
            }
        }
        let (bytes, checksum) = try pack.finish()
        return Output(pack: bytes, entries: entries, checksum: checksum, deltaCount: deltaCount + reusedDeltaCount,
                      externalBases: usedExternals.sorted(), reusedCount: reusedCount, reusedDeltaCount: reusedDeltaCount)
    }
}
