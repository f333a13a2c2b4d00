/// Writes multi-pack-index files (version 1, no reverse index or bitmap
/// chunks) as `git multi-pack-index write` does.
///
/// An object held by several packs is listed once, in the pack Git would
/// choose: the one whose `.pack` file was modified last (whole seconds, as
/// Git compares them), and among equally new ones the pack whose name sorts
/// first. Git breaks that last tie by the order it read the directory in, and
/// prefers a "preferred pack" first, which it only picks when it writes a
/// bitmap; Banyan writes none. Either choice is a valid index: `git
/// multi-pack-index verify` checks that each listed location holds the
/// object, not which copy was chosen. For packs that share no objects, or
/// whose shared objects have distinct modification times, the bytes equal
/// Git's.
package enum MultiPackIndexWriter {
    /// One pack to cover.
    package struct Pack: Sendable {
        /// The name of its index as Git lists it: `pack-<hex>.idx`.
        package var name: String
        /// Its index.
        package var index: PackIndex
        /// When its `.pack` file was last modified, in whole seconds since 1970.
        package var modified: Int64

        /// Describes a pack.
        package init(name: String, index: PackIndex, modified: Int64) {
            self.name = name
            self.index = index
            self.modified = modified
        }
    }

    /// One copy of an object while a fan-out bucket is sorted.
    private struct Candidate {
        var id: ObjectID
        /// Lower is preferred: the pack's place in newest-first order.
        var preference: Int
        var pack: UInt32
        var offset: UInt64
    }

    /// Encodes a multi-pack-index covering `packs` (any order; listed sorted by name).
    ///
    /// Cost: one pass over every index entry and a sort of each fan-out
    /// bucket's copies, O(n log n) for n entries across the packs; the output
    /// is built in memory and hashed once. Throws `invalidArgument` when an
    /// index uses another hash function than `algorithm`, when two packs share
    /// a name or a name is empty or holds a NUL byte, or when there are 2³² or
    /// more packs or distinct objects.
    package static func encode(_ packs: [Pack], algorithm: HashAlgorithm) throws -> [UInt8] {
        if let stray = packs.first(where: { $0.index.algorithm != algorithm }) {
            throw BanyanError(.invalidArgument, "pack \(stray.name) is \(stray.index.algorithm) but the multi-pack-index is \(algorithm)")
        }
        if let bad = packs.first(where: { $0.name.isEmpty || $0.name.utf8.contains(0) }) {
            throw BanyanError(.invalidArgument, "pack name '\(bad.name)' is empty or holds a NUL byte")
        }
        guard packs.count < Int(UInt32.max) else {
            throw BanyanError(.invalidArgument, "a multi-pack-index covers at most \(UInt32.max - 1) packs, not \(packs.count)")
        }
        let byName = packs.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        for (first, second) in zip(byName, byName.dropFirst()) where first.name == second.name {
            throw BanyanError(.invalidArgument, "pack \(first.name) is listed twice")
        }
        // Newest first; among equally new packs, the one whose name sorts first.
        let newestFirst = byName.indices.sorted { (byName[$1].modified, $0) < (byName[$0].modified, $1) }
        var preference = [Int](repeating: 0, count: byName.count)
        for (rank, pack) in newestFirst.enumerated() { preference[pack] = rank }

        let hashLength = algorithm.digestLength
        var fanout = [UInt32](repeating: 0, count: 256)
        var ids: [UInt8] = []
        var chosen: [(pack: UInt32, offset: UInt64)] = []
        var cursors = [Int](repeating: 0, count: byName.count)
        var bucket: [Candidate] = []
        for first in 0..<256 {
            bucket.removeAll(keepingCapacity: true)
            for (pack, entry) in byName.enumerated() {
                let index = entry.index
                while cursors[pack] < index.count {
                    let position = cursors[pack]
                    let id = index.id(at: position)
                    guard id.firstByte == UInt8(first) else { break }
                    bucket.append(Candidate(id: id, preference: preference[pack], pack: UInt32(pack), offset: index.offset(at: position)))
                    cursors[pack] += 1
                }
            }
            bucket.sort { $0.id != $1.id ? $0.id < $1.id : $0.preference < $1.preference }
            for (number, candidate) in bucket.enumerated() where number == 0 || bucket[number - 1].id != candidate.id {
                candidate.id.append(to: &ids)
                chosen.append((candidate.pack, candidate.offset))
            }
            guard chosen.count < Int(UInt32.max) else {
                throw BanyanError(.invalidArgument, "a multi-pack-index holds at most \(UInt32.max - 1) objects")
            }
            fanout[first] = UInt32(chosen.count)
        }

        var names: [UInt8] = []
        for pack in byName {
            names.append(contentsOf: pack.name.utf8)
            names.append(0)
        }
        while names.count % 4 != 0 { names.append(0) }
        var fanoutBytes: [UInt8] = []
        fanoutBytes.reserveCapacity(256 * 4)
        for value in fanout { PackBytes.appendUInt32(value, to: &fanoutBytes) }
        // Git adds LOFF only when some offset needs more than 32 bits; then
        // every offset of 2 GiB or more goes there.
        let needsLarge = chosen.contains { $0.offset > UInt64(UInt32.max) }
        var offsets: [UInt8] = []
        offsets.reserveCapacity(chosen.count * 8)
        var large: [UInt8] = []
        for (pack, offset) in chosen {
            PackBytes.appendUInt32(pack, to: &offsets)
            if needsLarge, offset >= UInt64(MultiPackIndex.largeOffsetFlag) {
                PackBytes.appendUInt32(MultiPackIndex.largeOffsetFlag | UInt32(large.count / 8), to: &offsets)
                PackBytes.appendUInt64(offset, to: &large)
            } else {
                PackBytes.appendUInt32(UInt32(offset), to: &offsets)
            }
        }
        var chunks: [(MultiPackIndex.Chunk, [UInt8])] = [(.packNames, names), (.fanout, fanoutBytes), (.lookup, ids), (.offsets, offsets)]
        if needsLarge { chunks.append((.largeOffsets, large)) }

        var output: [UInt8] = []
        let tableEnd = MultiPackIndex.headerSize + (chunks.count + 1) * MultiPackIndex.chunkEntrySize
        output.reserveCapacity(tableEnd + chunks.reduce(0) { $0 + $1.1.count } + hashLength)
        output.append(contentsOf: MultiPackIndex.signature)
        output.append(1)
        output.append(MultiPackIndex.hashVersion(algorithm))
        output.append(UInt8(chunks.count))
        output.append(0)
        PackBytes.appendUInt32(UInt32(byName.count), to: &output)
        var start = UInt64(tableEnd)
        for (chunk, bytes) in chunks {
            PackBytes.appendUInt32(chunk.rawValue, to: &output)
            PackBytes.appendUInt64(start, to: &output)
            start += UInt64(bytes.count)
        }
        PackBytes.appendUInt32(0, to: &output)
        PackBytes.appendUInt64(start, to: &output)
        for (_, bytes) in chunks { output.append(contentsOf: bytes) }
        let checksum = output.withUnsafeBytes { PackBytes.checksum($0, algorithm) }
        checksum.append(to: &output)
        return output
    }
}
