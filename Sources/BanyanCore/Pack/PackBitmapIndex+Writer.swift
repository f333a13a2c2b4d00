/// Writes reachability bitmap indexes (`.bitmap`, version 1) as Git's
/// `pack-objects --write-bitmap-index` does, without the optional sections:
/// no name-hash cache or lookup table, and no entry XORed with another
/// (each bitmap is compressed on its own, which Git reads the same way).
package enum PackBitmapIndexWriter {
    /// The bytes of the bitmap index of the pack whose index is `index`.
    ///
    /// - Parameters:
    ///   - kinds: the kind of each object, by bit (pack order).
    ///   - reachable: the selected commits and, for each, every object of
    ///     the pack it reaches, itself included, as `EWAH.encode` serialized
    ///     the set. The pack must hold them all (full closure), which the
    ///     caller has checked.
    package static func write(index: PackIndex, order: PackOrder, kinds: [ObjectKind], reachable: [(commit: ObjectID, bitmap: [UInt8])]) -> [UInt8] {
        precondition(kinds.count == index.count && order.count == index.count, "one kind per object of the pack")
        var types = [BitSet](repeating: BitSet(count: index.count), count: 4)
        for (bit, kind) in kinds.enumerated() {
            switch kind {
            case .commit: types[0].insert(bit)
            case .tree: types[1].insert(bit)
            case .blob: types[2].insert(bit)
            case .tag: types[3].insert(bit)
            }
        }
        var bytes = PackBitmapIndex.signature
        bytes += [0, 1]
        bytes += [0, UInt8(PackBitmapIndex.Flags.fullClosure.rawValue)]
        PackBytes.appendUInt32(UInt32(reachable.count), to: &bytes)
        index.packChecksum.withUnsafeBytes { bytes += $0 }
        for set in types { EWAH.encode(set, into: &bytes) }
        for (commit, bitmap) in reachable {
            guard let position = index.position(of: commit) else {
                preconditionFailure("a bitmapped commit is not in the pack")
            }
            PackBytes.appendUInt32(UInt32(position), to: &bytes)
            bytes += [0, 0]
            bytes += bitmap
        }
        index.algorithm.digest(bytes).withUnsafeBytes { bytes += $0 }
        return bytes
    }
}
