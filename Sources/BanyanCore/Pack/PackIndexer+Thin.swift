extension PackIndexer {
    /// Makes a thin pack self-contained, like `git index-pack --fix-thin`:
    /// appends each external base as a whole object, rewrites the object
    /// count and the trailer. Returns the new pack and its index result.
    ///
    /// `indexed` must be the result of indexing `pack`. The REF_DELTA entries
    /// stay as they are; their bases now follow them in the same pack. Costs
    /// one compression per base and one hash over the new pack. Throws
    /// `corruptObject` when `indexed` does not describe `pack`,
    /// `objectNotFound` when `baseLookup` lacks a base, and `corruptObject`
    /// when what it returns does not hash to the base's id.
    public static func completeThinPack(
        _ pack: [UInt8], indexed: Result, algorithm: HashAlgorithm, compressionLevel: Int32 = -1,
        baseLookup: BaseLookup
    ) throws -> (pack: [UInt8], result: Result) {
        let hashLength = algorithm.digestLength
        guard pack.count >= PackFormat.headerLength + hashLength,
              pack.withUnsafeBytes({ PackBytes.id($0, pack.count - hashLength, algorithm) }) == indexed.checksum
        else {
            throw BanyanError(.corruptObject, "the pack's trailer is not the checksum \(indexed.checksum) its index result records")
        }
        guard !indexed.externalBases.isEmpty else { return (pack, indexed) }
        var completed = pack
        completed.removeLast(hashLength)
        let (tail, entries) = try thinPackCompletion(indexed, entriesEnd: UInt64(completed.count), algorithm: algorithm,
                                                     compressionLevel: compressionLevel, baseLookup: baseLookup)
        completed += tail
        completed.replaceSubrange(8..<12, with: PackFormat.header(count: UInt32(entries.count))[8..<12])
        let checksum = PackEntryEncoder.appendTrailer(to: &completed, algorithm: algorithm)
        return (completed, Result(entries: entries, checksum: checksum, externalBases: []))
    }

    /// What completing a thin pack adds, for a caller that keeps the pack
    /// elsewhere (a file): the encoded whole-object entries of the external
    /// bases, to be written at `entriesEnd` (where the old trailer started),
    /// and every entry of the completed pack. The caller then rewrites the
    /// header for `entries.count` objects (`PackEntryEncoder.packHeader`)
    /// and appends the new trailer, the hash of all the bytes before it.
    ///
    /// Throws `limitExceeded` when the completed pack would hold more objects
    /// than a pack can, and what `completeThinPack` throws for a bad base.
    public static func thinPackCompletion(
        _ indexed: Result, entriesEnd: UInt64, algorithm: HashAlgorithm, compressionLevel: Int32 = -1,
        baseLookup: BaseLookup
    ) throws -> (bytes: [UInt8], entries: [Entry]) {
        let total = indexed.entries.count + indexed.externalBases.count
        guard total <= Int(UInt32.max) else {
            throw BanyanError(.limitExceeded, "a completed pack of \(total) objects is more than a pack can hold")
        }
        let encoder = try PackEntryEncoder(algorithm: algorithm, compressionLevel: compressionLevel)
        var bytes: [UInt8] = []
        var entries = indexed.entries
        for id in indexed.externalBases {
            let object = try verifiedBase(id, algorithm: algorithm, baseLookup: baseLookup)
            let offset = entriesEnd + UInt64(bytes.count)
            let (encoded, crc) = try encoder.encode(.object(object), at: offset)
            bytes += encoded
            entries.append(Entry(id: id, kind: object.kind, offset: offset, crc32: crc, size: object.body.count, depth: 0))
        }
        return (bytes, entries)
    }

    /// The base `id` from `baseLookup`, checked to hash to `id`.
    static func verifiedBase(_ id: ObjectID, algorithm: HashAlgorithm, baseLookup: BaseLookup) throws -> RawObject {
        guard let object = try baseLookup(id) else {
            throw BanyanError(.objectNotFound, "thin-pack base \(id) is not available")
        }
        let actual = object.id(algorithm)
        guard actual == id else {
            throw BanyanError(.corruptObject, "the object supplied as thin-pack base \(id) hashes to \(actual)")
        }
        return object
    }
}
