/// A bounded cache with two generations: entries go into the young one;
/// when it passes `capacity` (in caller-defined weight) it becomes the old
/// one and the previous old one is dropped. A hit in the old generation is
/// promoted, so entries in use survive. At most twice `capacity` is held.
/// O(1) per lookup and insert; not thread-safe (owners lock around it).
struct GenerationalCache<Key: Hashable, Value> {
    private var young: [Key: Value] = [:]
    private var old: [Key: Value] = [:]
    private var youngWeight = 0
    private let capacity: Int
    private let weight: (Value) -> Int

    init(capacity: Int, weight: @escaping (Value) -> Int) {
        self.capacity = capacity
        self.weight = weight
    }

    mutating func get(_ key: Key) -> Value? {
        if let value = young[key] { return value }
        guard let value = old[key] else { return nil }
        insert(value, for: key)
        return value
    }

    mutating func insert(_ value: Value, for key: Key) {
        let added = weight(value)
        if youngWeight + added > capacity {
            old = young
            young = [:]
            youngWeight = 0
        }
        if young.updateValue(value, forKey: key) == nil { youngWeight += added }
    }

    /// Drops `key` (an entry superseded by a newer one), freeing its weight in the young generation.
    mutating func remove(_ key: Key) {
        if let value = young.removeValue(forKey: key) { youngWeight = max(0, youngWeight - weight(value)) }
        old.removeValue(forKey: key)
    }
}
