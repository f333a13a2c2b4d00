/// Writes pack index files (`.idx`, version 2) byte-identical to what
/// `git index-pack` writes for the same pack.
public enum PackIndexWriter {
    /// Encodes an index for `entries` (any order) of the pack whose trailer is `packChecksum`.
    ///
    /// Offsets of 2 GiB and more go to the 64-bit table, as Git does. O(n log n)
    /// for the sort (none when `entries` come sorted), one hash over the output. Throws `invalidArgument` when
    /// an entry's id uses another hash algorithm than `packChecksum` or there
    /// are more than 2³²−1 entries.
    public static func encode(_ entries: [PackIndex.Entry], packChecksum: ObjectID) throws -> [UInt8] {
        try encode(count: entries.count, packChecksum: packChecksum) { entries[$0] }
    }

    /// Encodes an index for the `count` entries `entry(0)`, `entry(1)`, …
    /// (any order), as `encode(_:packChecksum:)` does, without a copy of them:
    /// what is sorted is each entry's position with the first word of its id
    /// (16 bytes each, compared in place), so an indexer's entries become an
    /// index without a second array of them.
    public static func encode(
        count: Int, packChecksum: ObjectID, entry: (Int) -> PackIndex.Entry
    ) throws -> [UInt8] {
        let algorithm = packChecksum.algorithm
        guard count < Int(UInt32.max) else {
            throw BanyanError(.invalidArgument, "a pack index holds at most \(UInt32.max - 1) objects, not \(count)")
        }
        if let stray = (0..<count).lazy.map(entry).first(where: { $0.id.algorithm != algorithm }) {
            throw BanyanError(.invalidArgument, "object \(stray.id) is \(stray.id.algorithm) but the pack checksum is \(algorithm)")
        }
        let inOrder: (PackIndex.Entry, PackIndex.Entry) -> Bool = { ($0.id, $0.offset) < ($1.id, $1.offset) }
        var keys = [(word: UInt64, position: UInt32)](unsafeUninitializedCapacity: count) { buffer, initialized in
            for position in 0..<count { buffer[position] = (entry(position).id.leadingWord, UInt32(position)) }
            initialized = count
        }
        // Entries that come sorted (a sealing append pack's) are not sorted again.
        if !(1..<max(count, 1)).allSatisfy({ inOrder(entry($0 - 1), entry($0)) }) {
            keys.sort { a, b in
                a.word != b.word ? a.word < b.word : inOrder(entry(Int(a.position)), entry(Int(b.position)))
            }
        }
        let hashLength = algorithm.digestLength
        var output: [UInt8] = []
        output.reserveCapacity(PackIndex.idsStart + count * (hashLength + 8) + 2 * hashLength)
        output.append(contentsOf: PackIndex.magic)
        PackBytes.appendUInt32(2, to: &output)

        var fanout = [UInt32](repeating: 0, count: 256)
        for key in keys { fanout[Int(key.word >> 56)] += 1 }
        var running: UInt32 = 0
        for bucket in 0..<256 {
            running += fanout[bucket]
            PackBytes.appendUInt32(running, to: &output)
        }
        // The ids, CRCs and offsets tables, filled in one pass over the entries in order.
        let idsStart = output.count, crcsStart = idsStart + count * hashLength, offsetsStart = crcsStart + count * 4
        output.append(contentsOf: repeatElement(0, count: count * (hashLength + 8)))
        var large: [UInt64] = []
        output.withUnsafeMutableBytes { table in
            for (rank, key) in keys.enumerated() {
                let entry = entry(Int(key.position))
                entry.id.withUnsafeBytes { digest in
                    UnsafeMutableRawBufferPointer(rebasing: table[(idsStart + rank * hashLength)...]).copyMemory(from: digest)
                }
                table.storeBytes(of: entry.crc32.bigEndian, toByteOffset: crcsStart + rank * 4, as: UInt32.self)
                var word = UInt32(truncatingIfNeeded: entry.offset)
                if entry.offset >= 0x8000_0000 {
                    word = 0x8000_0000 | UInt32(large.count)
                    large.append(entry.offset)
                }
                table.storeBytes(of: word.bigEndian, toByteOffset: offsetsStart + rank * 4, as: UInt32.self)
            }
        }
        for offset in large { PackBytes.appendUInt64(offset, to: &output) }
        packChecksum.append(to: &output)
        let checksum = output.withUnsafeBytes { PackBytes.checksum($0, algorithm) }
        checksum.append(to: &output)
        return output
    }
}
