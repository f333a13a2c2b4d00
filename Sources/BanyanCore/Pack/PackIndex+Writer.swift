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
    /// what is sorted is their positions (4 bytes each), so an indexer's
    /// entries become an index without a second array of them.
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
        var order = [UInt32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for position in 0..<count { buffer[position] = UInt32(position) }
            initialized = count
        }
        // Entries that come sorted (a sealing append pack's) are not sorted again.
        if !(1..<max(count, 1)).allSatisfy({ inOrder(entry($0 - 1), entry($0)) }) {
            order.sort { inOrder(entry(Int($0)), entry(Int($1))) }
        }
        let hashLength = algorithm.digestLength
        var output: [UInt8] = []
        output.reserveCapacity(PackIndex.idsStart + count * (hashLength + 8) + 2 * hashLength)
        output.append(contentsOf: PackIndex.magic)
        PackBytes.appendUInt32(2, to: &output)

        var fanout = [UInt32](repeating: 0, count: 256)
        for position in order { fanout[Int(entry(Int(position)).id.firstByte)] += 1 }
        var running: UInt32 = 0
        for bucket in 0..<256 {
            running += fanout[bucket]
            PackBytes.appendUInt32(running, to: &output)
        }
        for position in order { entry(Int(position)).id.append(to: &output) }
        for position in order { PackBytes.appendUInt32(entry(Int(position)).crc32, to: &output) }
        var large: [UInt64] = []
        for position in order {
            let offset = entry(Int(position)).offset
            if offset < 0x8000_0000 {
                PackBytes.appendUInt32(UInt32(offset), to: &output)
            } else {
                PackBytes.appendUInt32(0x8000_0000 | UInt32(large.count), to: &output)
                large.append(offset)
            }
        }
        for offset in large { PackBytes.appendUInt64(offset, to: &output) }
        packChecksum.append(to: &output)
        let checksum = output.withUnsafeBytes { PackBytes.checksum($0, algorithm) }
        checksum.append(to: &output)
        return output
    }
}
