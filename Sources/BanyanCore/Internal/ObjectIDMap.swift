/// A map from object ids for code that looks up hundreds of thousands of
/// them (a pack's objects, a walk's tree entries): open addressing on the
/// id's own bytes, already uniformly distributed, so a lookup costs one
/// probe and no general-purpose hashing.
package struct ObjectIDMap<Value> {
    private var keys: [ObjectID?]
    private var values: [Value?]
    private var mask: Int
    /// How many ids the map holds.
    package private(set) var count = 0

    /// An empty map with room for about `capacity` ids before it grows.
    package init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = Array(repeating: nil, count: size)
        values = Array(repeating: nil, count: size)
        mask = size - 1
    }

    /// The value of `id`, or nil when the map does not hold it.
    package subscript(id: ObjectID) -> Value? {
        var slot = Self.hash(id) & mask
        while let present = keys[slot] {
            if present == id { return values[slot] }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Sets `id` to `value` unless the map holds `id` already; returns
    /// false (changing nothing) when it does.
    @discardableResult
    package mutating func insert(_ id: ObjectID, _ value: Value) -> Bool {
        if (count + 1) * 2 > keys.count { grow() }
        var slot = Self.hash(id) & mask
        while let present = keys[slot] {
            if present == id { return false }
            slot = (slot + 1) & mask
        }
        keys[slot] = id
        values[slot] = value
        count += 1
        return true
    }

    private mutating func grow() {
        let (oldKeys, oldValues) = (keys, values)
        keys = Array(repeating: nil, count: oldKeys.count * 2)
        values = Array(repeating: nil, count: oldKeys.count * 2)
        mask = keys.count - 1
        count = 0
        for (slot, key) in oldKeys.enumerated() {
            if let key, let value = oldValues[slot] { insert(key, value) }
        }
    }

    private static func hash(_ id: ObjectID) -> Int {
        id.withUnsafeBytes { Int(truncatingIfNeeded: $0.loadUnaligned(fromByteOffset: 4, as: UInt64.self)) }
    }
}

/// A set of object ids, as `ObjectIDMap` keeps them.
package struct ObjectIDSet {
    private var map: ObjectIDMap<Void>

    /// An empty set with room for about `capacity` ids before it grows.
    package init(capacity: Int = 1024) { map = ObjectIDMap(capacity: capacity) }

    /// How many ids the set holds.
    package var count: Int { map.count }

    /// True when the set holds `id`.
    package func contains(_ id: ObjectID) -> Bool { map[id] != nil }

    /// Adds `id`; returns false when it was already there.
    @discardableResult
    package mutating func insert(_ id: ObjectID) -> Bool { map.insert(id, ()) }
}
