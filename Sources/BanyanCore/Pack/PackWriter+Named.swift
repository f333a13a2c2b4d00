extension PackWriter {
    /// One object to pack, named by id and kind alone: its size comes from
    /// its stored entry, or from its body when it has none.
    public struct Named: Sendable {
        /// The object's id.
        public var id: ObjectID
        /// Its kind.
        public var kind: ObjectKind
        /// A path (or name) for the object, as `Item.nameHint`.
        public var nameHint: String?

        /// Creates a named object.
        public init(id: ObjectID, kind: ObjectKind, nameHint: String? = nil) {
            self.id = id
            self.kind = kind
            self.nameHint = nameHint
        }
    }

    /// Packs the objects `named` lists, as an upload-pack serving a store
    /// does: every object's stored entry is looked up first, stored deltas
    /// whose bases are sent and stored whole objects are copied as they are
    /// (see `write(sources:algorithm:baseItems:options:reuse:load:)`), and
    /// only the objects that must be searched or compressed afresh are
    /// loaded. Duplicate ids are packed once. With a streaming
    /// `destination` the pack goes out in pieces as it is written.
    ///
    /// Cost: one stored-entry lookup per object, and for objects without a
    /// usable stored entry what `write(sources:…)` costs (a load to learn
    /// the size, the search, the compression). Throws what `load` and
    /// `reuse` throw, and `invalidArgument` as `write(_:algorithm:bases:options:)` does.
    public static func write(
        named: [Named], algorithm: HashAlgorithm, baseItems: [Item] = [], options: Options = Options(),
        reuse: StoredLookup, destination: Destination = .memory, load: (ObjectID) throws -> RawObject
    ) throws -> Output {
        var sources: [Source] = []
        var entries: [StoredEntry?] = []
        var seen = ObjectIDSet(capacity: named.count)
        sources.reserveCapacity(named.count)
        entries.reserveCapacity(named.count)
        for object in named where seen.insert(object.id) {
            let entry = try reuse(object.id)
            // A delta's size is learnt below if the delta cannot be kept.
            var size = -1
            if let entry, entry.form == .whole(object.kind) { size = entry.size }
            sources.append(Source(id: object.id, kind: object.kind, size: size, nameHint: object.nameHint))
            entries.append(entry)
        }
        let externalIDs = externalBases(baseItems, algorithm: algorithm, excluding: seen).map(\.id)
        let stored = reusable(sources: sources, entries: entries, externalIDs: externalIDs, options: options)
        for position in sources.indices where sources[position].size < 0 && stored[position] == nil {
            sources[position].size = try load(sources[position].id).body.count
        }
        return try write(sources: sources, algorithm: algorithm, baseItems: baseItems, options: options,
                         stored: stored, destination: destination) { try load(sources[$0].id) }
    }
}
