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
        let algorithm = packChecksum.algorithm
        guard entries.count < Int(UInt32.max) else {
            throw BanyanError(.invalidArgument, "a pack index holds at most \(UInt32.max - 1) objects, not \(entries.count)")
        }
        if let stray = entries.first(where: { $0.id.algorithm != algorithm }) {
            throw BanyanError(.invalidArgument, "object \(stray.id) is \(stray.id.algorithm) but the pack checksum is \(algorithm)")
        }
        let inOrder: (PackIndex.Entry, PackIndex.Entry) -> Bool = { ($0.id, $0.offset) < ($1.id, $1.offset) }
        // Entries that come sorted (a sealing append pack's) are not copied.
        let sorted = zip(entries, entries.dropFirst()).allSatisfy(inOrder) ? entries : entries.sorted(by: inOrder)
        let hashLength = algorithm.digestLength
        var output: [UInt8] = []
        output.reserveCapacity(PackIndex.idsStart + sorted.count * (hashLength + 8) + 2 * hashLength)
        output.append(contentsOf: PackIndex.magic)
        PackBytes.appendUInt32(2, to: &output)

        var fanout = [UInt32](repeating: 0, count: 256)
        for entry in sorted { fanout[Int(entry.id.firstByte)] += 1 }
        var running: UInt32 = 0
        for bucket in 0..<256 {
            running += fanout[bucket]
            PackBytes.appendUInt32(running, to: &output)
        }
        for entry in sorted { entry.id.append(to: &output) }
        for entry in sorted { PackBytes.appendUInt32(entry.crc32, to: &output) }
        var large: [UInt64] = []
        for entry in sorted {
            if entry.offset < 0x8000_0000 {
                PackBytes.appendUInt32(UInt32(entry.offset), to: &output)
            } else {
                PackBytes.appendUInt32(0x8000_0000 | UInt32(large.count), to: &output)
                large.append(entry.offset)
            }
        }
        for offset in large { PackBytes.appendUInt64(offset, to: &output) }
        packChecksum.append(to: &output)
        let checksum = output.withUnsafeBytes { PackBytes.checksum($0, algorithm) }
        checksum.append(to: &output)
        return output
    }
}
