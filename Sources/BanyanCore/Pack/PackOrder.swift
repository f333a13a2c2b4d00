/// A pack's objects in pack order (by the offset of their entries), the
/// order a reachability bitmap's bits follow, beside the index order (by
/// id) that `PackIndex` positions count in: what Git's reverse index
/// (`.rev`) holds, computed from the index.
package struct PackOrder: Sendable {
    /// The index position of the `n`th object in pack order.
    package let indexPositions: [UInt32]
    /// The pack-order position (bit) of the object at each index position.
    package let bits: [UInt32]

    /// The order of the objects `index` lists. O(n log n).
    package init(_ index: PackIndex) {
        let offsets = (0..<index.count).map { index.offset(at: $0) }
        let sorted = (0..<index.count).sorted { offsets[$0] < offsets[$1] }
        indexPositions = sorted.map { UInt32($0) }
        var bits = [UInt32](repeating: 0, count: index.count)
        for (bit, position) in sorted.enumerated() { bits[position] = UInt32(bit) }
        self.bits = bits
    }

    /// How many objects the pack holds.
    package var count: Int { indexPositions.count }
}
