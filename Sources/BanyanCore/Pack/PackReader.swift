import Synchronization

/// Reads objects from one pack file and its index, resolving deltas.
///
/// The pack's bytes stay where they are (a heap copy or an `mmap`); each
/// read inflates only the entries on the object's delta chain. Chains are
/// walked iteratively, so depth is bounded by memory, not by the stack, and
/// a chain that loops back on itself is reported as corruption. Resolved
/// delta bases are kept in an LRU cache keyed by offset (bounded by count and
/// bytes), so reading the objects of a long chain one by one costs about one
/// delta application each rather than the whole chain each time.
///
/// Thread-safe: the cache sits behind a `Mutex`; reads run concurrently and
/// hold the lock only for cache lookups and inserts.
public final class PackReader: Sendable {
    /// Finds objects outside this pack that a REF_DELTA entry names as its base.
    public typealias BaseLookup = @Sendable (ObjectID) throws -> RawObject?

    /// The index of this pack.
    public let index: PackIndex
    /// The pack's bytes.
    public let storage: ByteStorage
    /// The hash function of the pack's ids and checksum.
    public var algorithm: HashAlgorithm { index.algorithm }
    /// The pack format version from the header (2 or 3).
    public let version: UInt32
    /// The pack's trailing checksum, which also names it (`pack-<checksum>.pack`).
    public let checksum: ObjectID
    /// The largest object or delta, in bytes, a read will inflate.
    public let maxObjectSize: Int

    /// Where the entries end (the trailer starts).
    let entriesEnd: Int
    let baseLookup: BaseLookup?
    private let cache: Mutex<DeltaBaseCache>
    private let layoutCache = Mutex<PackLayout?>(nil)

    /// The entries in offset order, built on first use.
    var layout: PackLayout {
        layoutCache.withLock { cached in
            if let cached { return cached }
            let built = PackLayout(index)
            cached = built
            return built
        }
    }

    /// Opens a pack for reading.
    ///
    /// Checks the header, that the object count matches the index and that
    /// the trailer equals the checksum the index records. It does not hash
    /// the whole pack; call `verifyChecksum()` for that. Throws
    /// `corruptObject` on any mismatch and `unsupported` for versions other
    /// than 2 and 3.
    ///
    /// - Parameters:
    ///   - cacheEntries: the most resolved bases to keep.
    ///   - cacheBytes: the most body bytes to keep in the base cache.
    ///   - baseLookup: where to find REF_DELTA bases that are not in this pack.
    public init(
        pack: ByteStorage, index: PackIndex, maxObjectSize: Int = Zlib.defaultInflateLimit,
        cacheEntries: Int = 1024, cacheBytes: Int = 32 << 20, baseLookup: BaseLookup? = nil
    ) throws {
        let bytes = pack.bytes
        let (version, count) = try PackFormat.parseHeader(bytes, algorithm: index.algorithm)
        guard count == index.count else {
            throw BanyanError(.corruptObject, "pack header says \(count) objects but its index lists \(index.count)")
        }
        let hashLength = index.algorithm.digestLength
        let trailer = PackBytes.id(bytes, bytes.count - hashLength, index.algorithm)
        guard trailer == index.packChecksum else {
            throw BanyanError(.corruptObject, "pack trailer \(trailer) does not match the checksum \(index.packChecksum) its index records")
        }
        self.index = index
        storage = pack
        self.version = version
        checksum = trailer
        self.maxObjectSize = maxObjectSize
        entriesEnd = bytes.count - hashLength
        self.baseLookup = baseLookup
        cache = Mutex(DeltaBaseCache(maxEntries: cacheEntries, maxBytes: cacheBytes))
    }

    /// Opens a pack held in byte arrays (each copied once).
    public convenience init(pack: [UInt8], index: [UInt8], algorithm: HashAlgorithm, baseLookup: BaseLookup? = nil) throws {
        try self.init(pack: ByteStorage(pack), index: PackIndex(bytes: index, algorithm: algorithm), baseLookup: baseLookup)
    }

    /// The number of objects in the pack.
    public var count: Int { index.count }

    /// True when the pack holds `id`. O(log n), no I/O beyond the index.
    public func contains(_ id: ObjectID) -> Bool {
        index.contains(id)
    }

    /// The object `id`, or nil when this pack does not hold it.
    ///
    /// Throws when the pack holds the id but its entry is damaged.
    public func find(_ id: ObjectID) throws -> RawObject? {
        guard let offset = index.offset(of: id) else { return nil }
        return try object(at: offset)
    }

    /// The object `id`; throws `objectNotFound` when this pack does not hold it.
    public func get(_ id: ObjectID) throws -> RawObject {
        guard let object = try find(id) else {
            throw BanyanError(.objectNotFound, "object \(id) is not in pack \(checksum)")
        }
        return object
    }

    /// The object whose entry starts at `offset`, with its delta chain resolved.
    ///
    /// Cost: one inflate per chain entry not found in the cache, one delta
    /// application per delta. Throws `corruptObject` for an offset that is
    /// not an entry, damaged zlib data, a size that disagrees with the
    /// header, a delta chain that loops, or a REF_DELTA base found neither in
    /// this pack nor through `baseLookup`; `limitExceeded` for an object or
    /// delta larger than `maxObjectSize`. It does not check that the result
    /// hashes to the id the index gives.
    public func object(at offset: UInt64) throws -> RawObject {
        try storage.withUnsafeBytes { pack in
            try PackBytes.withContext("pack \(checksum.abbreviated(12)) object at offset \(offset)") {
                try resolve(pack, offset: offset)
            }
        }
    }

    /// Hashes the whole pack and compares the result with its trailer. O(pack size).
    public func verifyChecksum() throws {
        let actual = storage.withUnsafeBytes { PackBytes.checksum(UnsafeRawBufferPointer(rebasing: $0[..<entriesEnd]), algorithm) }
        guard actual == checksum else {
            throw BanyanError(.corruptObject, "pack checksum mismatch: the trailer says \(checksum) but the bytes hash to \(actual)")
        }
    }

    private func resolve(_ pack: UnsafeRawBufferPointer, offset requested: UInt64) throws -> RawObject {
        guard requested < UInt64(entriesEnd) else {
            throw BanyanError(.corruptObject, "offset is past the last entry (\(entriesEnd))")
        }
        let inflater = try PackInflater()
        return try DeltaChain.resolve(
            at: Int(requested), limit: maxObjectSize,
            cached: { offset in cache.withLock { $0.object(at: UInt64(offset)) } },
            read: { offset -> DeltaChain.Link<PackEntryHeader> in
                let header = try PackEntryHeader.parse(pack, at: offset, end: entriesEnd, algorithm: algorithm)
                guard header.size <= maxObjectSize else {
                    throw BanyanError(.limitExceeded, "entry at offset \(offset) declares \(header.size) bytes, above the \(maxObjectSize)-byte limit")
                }
                switch header.kind {
                case .object(let kind):
                    return .whole(RawObject(kind: kind, body: try inflate(pack, header, at: offset, inflater)))
                case .ofsDelta(let base):
                    return .delta(header, base: base)
                case .refDelta(let baseID):
                    if let inPack = index.offset(of: baseID) { return .delta(header, base: Int(clamping: inPack)) }
                    guard let external = try baseLookup?(baseID) else {
                        throw BanyanError(.corruptObject, "REF_DELTA base \(baseID) of the entry at offset \(offset) is neither in the pack nor found elsewhere")
                    }
                    return .deltaOn(header, base: external)
                }
            },
            delta: { offset, header in try inflate(pack, header, at: offset, inflater) },
            resolved: { offset, object in cache.withLock { $0.insert(object, at: UInt64(offset)) } }
        )
    }

    private func inflate(_ pack: UnsafeRawBufferPointer, _ header: PackEntryHeader, at offset: Int, _ inflater: PackInflater) throws -> [UInt8] {
        let data = UnsafeRawBufferPointer(rebasing: pack[header.dataStart..<entriesEnd])
        return try PackBytes.withContext("entry at offset \(offset)") {
            try inflater.inflate(data, exactSize: header.size).output
        }
    }
}
