/// Indexes a received pack, as `git index-pack` does: walks every entry,
/// resolves deltas, computes ids and CRC-32s, and checks the trailer.
///
/// REF_DELTA bases missing from the pack may come from `baseLookup` (a thin
/// pack, as fetches and pushes send); `completeThinPack` then appends those
/// bases so the pack stands alone, like `git index-pack --fix-thin`.
///
/// Cost: one inflate per entry (a second for entries that are delta bases),
/// one delta application per delta entry, one hash per object and one over
/// the whole pack. Delta trees are
/// resolved from each base outward with an explicit stack, so depth is
/// bounded by memory, not by the stack, and trees under different whole
/// objects on different threads; inflated deltas are kept in memory
/// up to `deltaMemory` bytes and re-inflated beyond that.
public enum PackIndexer {
    /// Finds a delta base that is not in the pack.
    public typealias BaseLookup = (ObjectID) throws -> RawObject?
    /// Sees each object of the pack once, as indexing computes its id: the
    /// object, its id, and for a delta whose base is in the pack, that base
    /// (nil for a whole object or a base from `BaseLookup`). What it throws
    /// stops the indexing and comes out of `index`. It may be called from
    /// several threads at once (see `index`).
    public typealias Inspector = @Sendable (_ object: RawObject, _ id: ObjectID, _ base: RawObject?) throws -> Void

    /// One object of an indexed pack.
    public struct Entry: Sendable, Hashable {
        /// The object's id.
        public var id: ObjectID
        /// The object's kind.
        public var kind: ObjectKind
        /// Where its entry starts in the pack.
        public var offset: UInt64
        /// zlib's CRC-32 of the entry's bytes.
        public var crc32: UInt32
        /// The object's size (the full object's, also for delta entries).
        public var size: Int
        /// Deltas between this entry and a whole object: 0 for a whole object.
        public var depth: Int

        /// The entry as a pack index records it.
        public var indexEntry: PackIndex.Entry { PackIndex.Entry(id: id, offset: offset, crc32: crc32) }
    }

    /// What indexing a pack found.
    public struct Result: Sendable {
        /// Every object, in pack order.
        public var entries: [Entry]
        /// The pack's checksum (its verified trailer).
        public var checksum: ObjectID
        /// Bases of REF_DELTA entries that came from `baseLookup` rather than
        /// the pack, sorted; non-empty means the pack is thin.
        public var externalBases: [ObjectID]

        /// A result from its parts (a pack completed outside `PackIndexer`).
        public init(entries: [Entry], checksum: ObjectID, externalBases: [ObjectID]) {
            self.entries = entries
            self.checksum = checksum
            self.externalBases = externalBases
        }

        /// The `.idx` file for the pack, byte-identical to `git index-pack`'s.
        public func indexBytes() throws -> [UInt8] {
            try PackIndexWriter.encode(count: entries.count, packChecksum: checksum) { entries[$0].indexEntry }
        }
    }

    /// Indexes the pack in `pack`.
    ///
    /// Throws `corruptObject` for a bad signature or version, a truncated or
    /// damaged entry, zlib data whose size differs from its header, bytes
    /// after the last entry, a checksum mismatch, a delta base that is
    /// missing or an OFS_DELTA that does not point at an entry;
    /// `limitExceeded` for an object larger than `maxObjectSize`. `inspect`
    /// sees every object as it is resolved, so a caller that checks objects
    /// needs no second pass over the pack.
    ///
    /// Deltas are resolved on `threads` threads (nil: one per core, up to
    /// two, for a pack of a few thousand objects or more) when no entry is a
    /// REF_DELTA; `inspect` is then called from all of them at once.
    public static func index(
        pack: UnsafeRawBufferPointer, algorithm: HashAlgorithm, maxObjectSize: Int = Zlib.defaultInflateLimit,
        deltaMemory: Int = 64 << 20, threads: Int? = nil, baseLookup: BaseLookup? = nil, inspect: Inspector? = nil
    ) throws -> Result {
        var walk = try EntryWalk(pack: pack, algorithm: algorithm, maxObjectSize: maxObjectSize, deltaMemory: deltaMemory,
                                 inspect: inspect)
        try walk.scan()
        try walk.resolve(baseLookup: baseLookup, threads: threads ?? EntryWalk.threads(for: walk.slots.count))
        return walk.result()
    }

    /// Indexes the pack in `pack`; see the pointer version.
    public static func index(
        pack: [UInt8], algorithm: HashAlgorithm, maxObjectSize: Int = Zlib.defaultInflateLimit,
        baseLookup: BaseLookup? = nil
    ) throws -> Result {
        try pack.withUnsafeBytes {
            try index(pack: $0, algorithm: algorithm, maxObjectSize: maxObjectSize, baseLookup: baseLookup)
        }
    }
}

/// The state of one indexing run: entries found by the sequential scan, then
/// filled in by delta resolution (`EntryWalk+Resolve.swift`).
struct EntryWalk {
    struct Slot {
        var offset: Int
        var end: Int
        var header: PackEntryHeader
        var crc32: UInt32
        /// The inflated delta, while within the memory budget.
        var delta: [UInt8]?
        /// The whole object's id, or the delta's once resolved.
        var id: ObjectID?
        var kind: ObjectKind?
        var size = 0
        var depth = 0

        /// True for a whole object, false for a delta.
        var isWhole: Bool {
            if case .object = header.kind { true } else { false }
        }
    }

    let pack: UnsafeRawBufferPointer
    let algorithm: HashAlgorithm
    let maxObjectSize: Int
    let entriesEnd: Int
    var deltaMemory: Int
    var slots: [Slot] = []
    var checksum: ObjectID
    var externalBases: [ObjectID] = []
    let inflater: PackInflater
    let inspect: PackIndexer.Inspector?

    init(pack: UnsafeRawBufferPointer, algorithm: HashAlgorithm, maxObjectSize: Int, deltaMemory: Int,
         inspect: PackIndexer.Inspector?) throws {
        self.pack = pack
        self.inspect = inspect
        self.algorithm = algorithm
        self.maxObjectSize = maxObjectSize
        self.deltaMemory = deltaMemory
        entriesEnd = pack.count - algorithm.digestLength
        checksum = ObjectID.zero(algorithm)
        inflater = try PackInflater()
    }

    /// Walks the entries in order: headers, zlib boundaries, CRCs; whole objects are hashed now.
    mutating func scan() throws {
        let (_, count) = try PackFormat.parseHeader(pack, algorithm: algorithm)
        // Every entry takes at least a header byte and a minimal zlib stream, so
        // a hostile count cannot make us reserve more than the pack could hold.
        slots.reserveCapacity(min(count, (entriesEnd - PackFormat.headerLength) / 9 + 1))
        var position = PackFormat.headerLength
        for number in 0..<count {
            guard position < entriesEnd else {
                throw BanyanError(.corruptObject, "pack is truncated: it ends after \(number) of the \(count) objects its header promises")
            }
            let offset = position
            try PackBytes.withContext("pack entry \(number) at offset \(offset)") {
                let header = try PackEntryHeader.parse(pack, at: offset, end: entriesEnd, algorithm: algorithm)
                guard header.size <= maxObjectSize else {
                    throw BanyanError(.limitExceeded, "entry declares \(header.size) bytes, above the \(maxObjectSize)-byte limit")
                }
                let data = UnsafeRawBufferPointer(rebasing: pack[header.dataStart..<entriesEnd])
                let (output, consumed) = try inflater.inflate(data, exactSize: header.size)
                let end = header.dataStart + consumed
                var slot = Slot(offset: offset, end: end, header: header,
                                crc32: PackBytes.crc32(UnsafeRawBufferPointer(rebasing: pack[offset..<end])))
                if case .object(let kind) = header.kind {
                    slot.kind = kind
                    slot.size = output.count
                    let id = ObjectID.hash(kind: kind, body: output, algorithm: algorithm)
                    slot.id = id
                    try inspect?(RawObject(kind: kind, body: output), id, nil)
                } else if output.count <= deltaMemory {
                    deltaMemory -= output.count
                    slot.delta = output
                }
                slots.append(slot)
                position = end
            }
        }
        guard position == entriesEnd else {
            throw BanyanError(.corruptObject, "pack has \(entriesEnd - position) unexpected bytes between its last entry and its trailer")
        }
        let trailer = PackBytes.id(pack, entriesEnd, algorithm)
        let actual = PackBytes.checksum(UnsafeRawBufferPointer(rebasing: pack[..<entriesEnd]), algorithm)
        guard actual == trailer else {
            throw BanyanError(.corruptObject, "pack checksum mismatch: the trailer says \(trailer) but the bytes hash to \(actual)")
        }
        checksum = trailer
    }

    func result() -> PackIndexer.Result {
        // A base looked up elsewhere may also turn out to be in the pack, when a
        // delta on it came before it; the pack's own copy is enough.
        let inPack = Set(slots.lazy.compactMap(\.id).filter(Set(externalBases).contains))
        let externalBases = externalBases.filter { !inPack.contains($0) }.sorted()
        let entries = slots.map {
            PackIndexer.Entry(id: $0.id!, kind: $0.kind!, offset: UInt64($0.offset), crc32: $0.crc32,
                              size: $0.size, depth: $0.depth)
        }
        return PackIndexer.Result(entries: entries, checksum: checksum, externalBases: externalBases)
    }
}
