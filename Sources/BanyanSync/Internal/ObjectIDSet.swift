import Banyan

/// A set of object ids for walks that test millions of tree entries:
/// open addressing on the id's own first bytes (already uniformly
/// distributed), so a test costs one probe and no general-purpose hashing.
struct ObjectIDSet {
    private var slots: [ObjectID?]
    private var mask: Int
    /// How many ids the set holds.
    private(set) var count = 0

    /// An empty set with room for about `capacity` ids before it grows.
    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: nil, count: size)
        mask = size - 1
    }

    /// True when the set holds `id`.
    func contains(_ id: ObjectID) -> Bool {
        var slot = Self.hash(id) & mask
        while let present = slots[slot] {
            if present == id { return true }
            slot = (slot + 1) & mask
        }
        return false
    }

    /// Adds `id`; returns false when it was already there.
    @discardableResult
    mutating func insert(_ id: ObjectID) -> Bool {
        if (count + 1) * 2 > slots.count { grow() }
        var slot = Self.hash(id) & mask
        while let present = slots[slot] {
            if present == id { return false }
            slot = (slot + 1) & mask
        }
        slots[slot] = id
        count += 1
        return true
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: nil, count: old.count * 2)
        mask = slots.count - 1
        count = 0
        for case let id? in old { insert(id) }
    }

    private static func hash(_ id: ObjectID) -> Int {
        id.withUnsafeBytes { Int(truncatingIfNeeded: $0.loadUnaligned(fromByteOffset: 4, as: UInt64.self)) }
    }
}
