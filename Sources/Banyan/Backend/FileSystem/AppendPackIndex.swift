#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The objects of one open append pack by id: where each entry starts, its
/// CRC-32 (for the `.idx` at the seal) and its delta chain length.
///
/// Compact, because an open pack can hold hundreds of thousands of objects
/// and this is kept in memory until the seal: each object is one
/// fixed-width record (digest, offset and depth in 8 bytes, CRC-32 in 4:
/// 32 bytes for SHA-1, 44 for SHA-256) in one byte array, found through an
/// open-addressing table of 4-byte record numbers probed linearly from the
/// digest's first bytes (ids are uniformly distributed). About 40 bytes per
/// SHA-1 object in all, against about 150 for a `[ObjectID: Entry]`.
/// Lookups cost one or two cache misses; inserts are amortized O(1).
/// Not thread-safe: its owner serializes access.
struct AppendPackIndex {
    /// Where one object is stored.
    struct Location: Equatable {
        /// The offset of the entry's header in the pack.
        var offset: UInt64
        /// zlib's CRC-32 of the entry as stored.
        var crc32: UInt32
        /// The length of the entry's delta chain (0 for a whole object).
        var depth: Int
    }

    /// Offsets and depths share one word: offsets below 2⁵⁶, depths below 2⁸.
    private static let depthShift: UInt64 = 56

    let algorithm: HashAlgorithm
    private let digestLength: Int
    private let width: Int
    /// The records, in insertion order.
    private var records: [UInt8] = []
    /// Record number + 1 per slot, 0 for an empty slot; a power of two long, at most 3/4 full.
    private var slots = [UInt32](repeating: 0, count: 16)
    /// The number of objects.
    private(set) var count = 0

    init(algorithm: HashAlgorithm) {
        self.algorithm = algorithm
        digestLength = algorithm.digestLength
        width = digestLength + 12
    }

    /// Where `id` is stored, or nil.
    func location(of id: ObjectID) -> Location? {
        guard id.algorithm == algorithm else { return nil }
        return id.withUnsafeBytes { digest in
            switch probe(digest) {
            case .found(let record): location(ofRecord: record)
            case .empty: nil
            }
        }
    }

    /// True when `id` is in the index.
    func contains(_ id: ObjectID) -> Bool {
        location(of: id) != nil
    }

    /// Adds `id` at `location`. Returns false, changing nothing, when `id` is in already.
    @discardableResult
    mutating func insert(_ id: ObjectID, at location: Location) -> Bool {
        precondition(id.algorithm == algorithm, "a \(id.algorithm) id in a \(algorithm) append pack index")
        precondition(location.offset < 1 << Self.depthShift && (0..<256).contains(location.depth),
                     "append pack offset or delta depth out of range")
        if (count + 1) * 4 > slots.count * 3 { grow() }
        return id.withUnsafeBytes { digest in
            guard case .empty(let slot) = probe(digest) else { return false }
            if records.count + width > records.capacity {
                // By half again rather than doubling: this array is most of the index.
                records.reserveCapacity(max(64 * width, records.capacity + records.capacity / 2))
            }
            records.append(contentsOf: digest)
            let word = location.offset | UInt64(location.depth) << Self.depthShift
            withUnsafeBytes(of: word.littleEndian) { records.append(contentsOf: $0) }
            withUnsafeBytes(of: location.crc32.littleEndian) { records.append(contentsOf: $0) }
            count += 1
            slots[slot] = UInt32(count)
            return true
        }
    }

    /// Every id, in insertion order.
    var ids: [ObjectID] {
        (0..<count).map(id(ofRecord:))
    }

    /// Every object as a pack index entry, sorted by id (the `.idx` order).
    func sortedEntries() -> [PackIndex.Entry] {
        // An empty array may have no storage to point at.
        guard count > 0 else { return [] }
        var order = Array(0..<UInt32(count))
        records.withUnsafeBytes { raw in
            let base = raw.baseAddress!
            order.sort { memcmp(base + Int($0) * width, base + Int($1) * width, digestLength) < 0 }
        }
        return order.map { record in
            let location = location(ofRecord: Int(record))
            return PackIndex.Entry(id: id(ofRecord: Int(record)), offset: location.offset, crc32: location.crc32)
        }
    }

    private enum Probe {
        case found(record: Int)
        case empty(slot: Int)
    }

    /// Walks the slots from `digest`'s home slot to its record or the first empty slot.
    private func probe(_ digest: UnsafeRawBufferPointer) -> Probe {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: digest.loadUnaligned(as: UInt64.self)) & mask
        return records.withUnsafeBytes { raw in
            slots.withUnsafeBufferPointer { table in
                while true {
                    let entry = table[slot]
                    if entry == 0 { return .empty(slot: slot) }
                    let record = Int(entry) - 1
                    if memcmp(raw.baseAddress! + record * width, digest.baseAddress!, digestLength) == 0 {
                        return .found(record: record)
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
    }

    /// Doubles the slot table and places every record again.
    private mutating func grow() {
        var next = [UInt32](repeating: 0, count: slots.count * 2)
        let mask = next.count - 1
        records.withUnsafeBytes { raw in
            for record in 0..<count {
                var slot = Int(truncatingIfNeeded: raw.loadUnaligned(fromByteOffset: record * width, as: UInt64.self)) & mask
                while next[slot] != 0 { slot = (slot + 1) & mask }
                next[slot] = UInt32(record + 1)
            }
        }
        slots = next
    }

    private func id(ofRecord record: Int) -> ObjectID {
        records.withUnsafeBytes { raw in
            ObjectID(digest: UnsafeRawBufferPointer(rebasing: raw[(record * width)..<(record * width + digestLength)]),
                     algorithm: algorithm)
        }
    }

    private func location(ofRecord record: Int) -> Location {
        records.withUnsafeBytes { raw in
            let start = record * width + digestLength
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt64.self))
            let crc32 = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8, as: UInt32.self))
            return Location(offset: word & (1 << Self.depthShift - 1), crc32: crc32, depth: Int(word >> Self.depthShift))
        }
    }
}
