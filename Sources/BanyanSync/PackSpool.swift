import Banyan

/// A received pack on its way in, kept as its bytes arrive by the
/// repository's `PackReceiver` (a filesystem store: a temporary file in
/// `objects/pack`, so memory stays bounded whatever the pack's size; a store
/// that keeps objects: memory), with a limit on its size.
///
/// `PackIngest.ingest(_:into:)` indexes and verifies what was spooled and
/// installs it. A spool that is not ingested (the sender stopped part-way, a
/// check failed) leaves nothing behind when it is released.
///
/// Not thread-safe: one writer appends, then one ingest reads.
package final class PackSpool {
    /// The most bytes the spool accepts.
    package let limit: Int
    /// Where the bytes go.
    let receiver: any PackReceiver

    /// The bytes appended so far.
    package var count: Int { receiver.count }

    /// An empty spool for a pack going into `repository`; `limit` bounds its size.
    ///
    /// Throws `io` when the store cannot make a place for the pack.
    package init(for repository: Repository, limit: Int = .max) throws {
        self.limit = limit
        receiver = try repository.objects.packReceiver()
    }

    /// Appends `bytes`. Throws `limitExceeded` past `limit`, `io` when they cannot be kept.
    package func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count <= limit - count else {
            throw BanyanError(.limitExceeded, "the pack is over the \(limit)-byte limit")
        }
        try receiver.append(bytes)
    }

    /// Appends `bytes`; see the pointer version.
    package func append(_ bytes: some Collection<UInt8>) throws {
        if try bytes.withContiguousStorageIfAvailable({ try append(UnsafeRawBufferPointer($0)) }) == nil {
            try Array(bytes).withUnsafeBytes { try append($0) }
        }
    }

    /// The bytes spooled so far, for reading.
    func bytes() throws -> ByteStorage {
        try receiver.bytes()
    }

    /// Makes the spooled thin pack stand alone, as `git index-pack --fix-thin`
    /// does: appends the external bases `indexed` names in place of the
    /// trailer, rewrites the object count and the trailer. Returns the
    /// completed pack's index result.
    func completeThinPack(_ indexed: PackIndexer.Result, algorithm: HashAlgorithm,
                          baseLookup: PackIndexer.BaseLookup) throws -> PackIndexer.Result {
        guard !indexed.externalBases.isEmpty else { return indexed }
        let entriesEnd = count - algorithm.digestLength
        let (tail, entries) = try PackIndexer.thinPackCompletion(indexed, entriesEnd: UInt64(entriesEnd), algorithm: algorithm,
                                                                 baseLookup: baseLookup)
        try receiver.truncate(to: entriesEnd)
        try tail.withUnsafeBytes { try receiver.append($0) }
        let header = PackEntryEncoder.packHeader(objectCount: UInt32(entries.count))
        try header[8..<12].withUnsafeBytes { try receiver.overwrite($0, at: 8) }
        var hasher = HashAlgorithm.Hasher(algorithm)
        try receiver.bytes().withUnsafeBytes { hasher.update($0) }
        let checksum = hasher.finalize()
        try checksum.bytes.withUnsafeBytes { try receiver.append($0) }
        return PackIndexer.Result(entries: entries, checksum: checksum, externalBases: [])
    }
}
