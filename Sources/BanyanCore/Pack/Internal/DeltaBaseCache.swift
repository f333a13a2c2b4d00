/// A least-recently-used cache of resolved objects keyed by pack offset,
/// bounded by entry count and by total body bytes.
///
/// Lookups and inserts are O(1): a dictionary maps keys to slots of a
/// doubly-linked list kept in arrays, so nothing is allocated per hit.
/// Not thread-safe on its own; `PackReader` keeps it behind a `Mutex`.
struct DeltaBaseCache: Sendable {
    private struct Slot: Sendable {
        var key: UInt64
        var object: RawObject?
        var previous: Int
        var next: Int
    }

    let maxEntries: Int
    let maxBytes: Int
    private(set) var totalBytes = 0
    private var slots: [Slot] = []
    private var free: [Int] = []
    private var positions: [UInt64: Int] = [:]
    // Most recently used at `head`, least at `tail`; -1 when empty.
    private var head = -1
    private var tail = -1

    init(maxEntries: Int, maxBytes: Int) {
        self.maxEntries = max(0, maxEntries)
        self.maxBytes = max(0, maxBytes)
    }

    var count: Int { positions.count }

    /// The object cached under `key`, marking it most recently used.
    mutating func object(at key: UInt64) -> RawObject? {
        guard let slot = positions[key] else { return nil }
        unlink(slot)
        pushFront(slot)
        return slots[slot].object
    }

    /// Caches `object` under `key`, evicting the least recently used
    /// entries to stay within bounds. Objects larger than a quarter of the
    /// byte budget are not cached, so one huge blob cannot flush the rest.
    mutating func insert(_ object: RawObject, at key: UInt64) {
        let cost = Self.cost(object)
        guard maxEntries > 0, cost <= maxBytes / 4 else { return }
        if let slot = positions[key] {
            totalBytes -= Self.cost(slots[slot].object!)
            slots[slot].object = object
            totalBytes += cost
            unlink(slot)
            pushFront(slot)
        } else {
            let slot: Int
            if let reused = free.popLast() {
                slot = reused
                slots[slot] = Slot(key: key, object: object, previous: -1, next: -1)
            } else {
                slot = slots.count
                slots.append(Slot(key: key, object: object, previous: -1, next: -1))
            }
            positions[key] = slot
            totalBytes += cost
            pushFront(slot)
        }
        while positions.count > maxEntries || totalBytes > maxBytes, tail >= 0 {
            evict(tail)
        }
    }

    private static func cost(_ object: RawObject) -> Int { object.body.count + 64 }

    private mutating func evict(_ slot: Int) {
        unlink(slot)
        totalBytes -= Self.cost(slots[slot].object!)
        positions[slots[slot].key] = nil
        slots[slot].object = nil
        free.append(slot)
    }

    private mutating func unlink(_ slot: Int) {
        let previous = slots[slot].previous, next = slots[slot].next
        if previous >= 0 { slots[previous].next = next } else { head = next }
        if next >= 0 { slots[next].previous = previous } else { tail = previous }
        slots[slot].previous = -1
        slots[slot].next = -1
    }

    private mutating func pushFront(_ slot: Int) {
        slots[slot].next = head
        slots[slot].previous = -1
        if head >= 0 { slots[head].previous = slot }
        head = slot
        if tail < 0 { tail = slot }
    }
}
