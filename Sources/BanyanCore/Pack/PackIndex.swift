/// A parsed pack index (`.idx`, version 2): maps object ids to offsets in
/// the matching `.pack`, with a CRC-32 per entry.
///
/// The index reads its tables in place from a `ByteStorage` (a heap copy or
/// an `mmap`), so opening it costs one pass to validate (and, by default,
/// one hash of the whole file) and no per-object allocation. Lookups are a
/// binary search inside one fan-out bucket: O(log n) with no allocation.
/// Immutable and `Sendable`.
///
/// Both SHA-1 (20-byte ids) and SHA-256 (32-byte ids) are supported; the
/// file does not say which, so the caller passes the repository's algorithm.
public struct PackIndex: Sendable {
    /// One object in a pack: its id, where its entry starts, and the CRC-32 of the entry's bytes.
    public struct Entry: Sendable, Hashable {
        /// The object's id.
        public var id: ObjectID
        /// The offset of the entry's header in the pack.
        public var offset: UInt64
        /// zlib's CRC-32 of the whole entry as stored: header, base reference and compressed data.
        public var crc32: UInt32

        /// Creates an entry.
        public init(id: ObjectID, offset: UInt64, crc32: UInt32) {
            self.id = id
            self.offset = offset
            self.crc32 = crc32
        }
    }

    static let magic: [UInt8] = [0xff, 0x74, 0x4f, 0x63]
    static let fanoutStart = 8
    static let idsStart = 8 + 256 * 4

    /// The hash function of the ids in this index.
    public let algorithm: HashAlgorithm
    /// The number of objects.
    public let count: Int
    /// The checksum of the pack this index describes (the pack's trailer).
    public let packChecksum: ObjectID
    /// The checksum of the index file itself (its last bytes).
    public let checksum: ObjectID

    private let storage: ByteStorage
    private let crcStart: Int
    private let offsetsStart: Int
    private let largeOffsetsStart: Int
    private let largeOffsetCount: Int

    /// Parses and validates an index held in `storage`.
    ///
    /// Checks the magic, version, fan-out, table sizes, id order and every
    /// large-offset reference in one O(n) pass; with `verifyChecksum` also
    /// hashes the whole file against its trailing checksum. Throws
    /// `corruptObject` for a malformed or damaged file and `unsupported`
    /// for index version 1.
    public init(_ storage: ByteStorage, algorithm: HashAlgorithm, verifyChecksum: Bool = true) throws {
        let bytes = storage.bytes
        let hashLength = algorithm.digestLength
        guard bytes.count >= Self.idsStart + 2 * hashLength else {
            throw BanyanError(.corruptObject, "pack index is \(bytes.count) bytes, too short for a header, fan-out and trailer")
        }
        guard bytes[0] == Self.magic[0], bytes[1] == Self.magic[1], bytes[2] == Self.magic[2], bytes[3] == Self.magic[3] else {
            throw BanyanError(.unsupported, "pack index does not start with the version 2 magic '\\377tOc' (version 1 indexes are not supported)")
        }
        let version = PackBytes.uint32(bytes, 4)
        guard version == 2 else {
            throw BanyanError(.unsupported, "pack index version \(version) is not supported (only version 2)")
        }
        var previous: UInt32 = 0
        for bucket in 0..<256 {
            let value = PackBytes.uint32(bytes, Self.fanoutStart + 4 * bucket)
            guard value >= previous else {
                throw BanyanError(.corruptObject, "pack index fan-out decreases at entry \(bucket)")
            }
            previous = value
        }
        let count = Int(previous)
        let perObject = hashLength + 8
        let fixed = Self.idsStart + 2 * hashLength
        guard count <= (bytes.count - fixed) / perObject else {
            throw BanyanError(.corruptObject, "pack index claims \(count) objects but is only \(bytes.count) bytes")
        }
        let tail = bytes.count - fixed - count * perObject
        guard tail % 8 == 0 else {
            throw BanyanError(.corruptObject, "pack index size \(bytes.count) does not fit \(count) objects and a 64-bit offset table")
        }
        self.storage = storage
        self.algorithm = algorithm
        self.count = count
        crcStart = Self.idsStart + count * hashLength
        offsetsStart = crcStart + count * 4
        largeOffsetsStart = offsetsStart + count * 4
        largeOffsetCount = tail / 8
        packChecksum = PackBytes.id(bytes, bytes.count - 2 * hashLength, algorithm)
        checksum = PackBytes.id(bytes, bytes.count - hashLength, algorithm)
        try validateTables()
        if verifyChecksum { try self.verifyChecksum() }
    }

    /// Hashes the whole index and compares the result with its trailing
    /// checksum. O(index size): a store opens its indexes without it, as git
    /// does, and `fsck` and `verify-pack` call it.
    public func verifyChecksum() throws {
        let bytes = storage.bytes
        let hashLength = algorithm.digestLength
        let actual = PackBytes.checksum(UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - hashLength)]), algorithm)
        guard actual == checksum else {
            throw BanyanError(.corruptObject, "pack index checksum mismatch: the file says \(checksum) but its bytes hash to \(actual)")
        }
    }

    /// Parses an index from a byte array (copied once into a `ByteStorage`).
    public init(bytes: [UInt8], algorithm: HashAlgorithm, verifyChecksum: Bool = true) throws {
        try self.init(ByteStorage(bytes), algorithm: algorithm, verifyChecksum: verifyChecksum)
    }

    private func validateTables() throws {
        let bytes = storage.bytes
        let hashLength = algorithm.digestLength
        var position = 0
        for bucket in 0..<256 {
            let end = Int(PackBytes.uint32(bytes, Self.fanoutStart + 4 * bucket))
            while position < end {
                let start = Self.idsStart + position * hashLength
                guard bytes[start] == UInt8(bucket) else {
                    throw BanyanError(.corruptObject, "pack index entry \(position) is in fan-out bucket \(bucket) but starts with byte \(bytes[start])")
                }
                if position > 0, PackBytes.compare(bytes.baseAddress! + start - hashLength, bytes.baseAddress! + start, hashLength) > 0 {
                    throw BanyanError(.corruptObject, "pack index ids are not sorted at entry \(position)")
                }
                let raw = PackBytes.uint32(bytes, offsetsStart + 4 * position)
                if raw & 0x8000_0000 != 0 {
                    let slot = Int(raw & 0x7fff_ffff)
                    guard slot < largeOffsetCount else {
                        throw BanyanError(.corruptObject, "pack index entry \(position) points at 64-bit offset \(slot) of \(largeOffsetCount)")
                    }
                }
                position += 1
            }
        }
    }

    /// The id at sorted position `position`, which must be in `0..<count` (a programming error otherwise).
    public func id(at position: Int) -> ObjectID {
        precondition(position >= 0 && position < count, "pack index position out of range")
        return PackBytes.id(storage.bytes, Self.idsStart + position * algorithm.digestLength, algorithm)
    }

    /// The pack offset of the object at sorted position `position`.
    public func offset(at position: Int) -> UInt64 {
        precondition(position >= 0 && position < count, "pack index position out of range")
        let raw = PackBytes.uint32(storage.bytes, offsetsStart + 4 * position)
        guard raw & 0x8000_0000 != 0 else { return UInt64(raw) }
        return PackBytes.uint64(storage.bytes, largeOffsetsStart + 8 * Int(raw & 0x7fff_ffff))
    }

    /// The CRC-32 of the entry at sorted position `position`.
    public func crc32(at position: Int) -> UInt32 {
        precondition(position >= 0 && position < count, "pack index position out of range")
        return PackBytes.uint32(storage.bytes, crcStart + 4 * position)
    }

    /// Id, offset and CRC-32 of the object at sorted position `position`.
    public func entry(at position: Int) -> Entry {
        Entry(id: id(at: position), offset: offset(at: position), crc32: crc32(at: position))
    }

    /// The sorted position of `id`, or nil when the pack does not hold it. O(log n), no allocation.
    public func position(of id: ObjectID) -> Int? {
        guard id.algorithm == algorithm else { return nil }
        return PackBytes.position(of: id, in: storage.bytes, fanout: Self.fanoutStart, ids: Self.idsStart)
    }

    /// The pack offset of `id`, or nil when the pack does not hold it. O(log n), no allocation.
    public func offset(of id: ObjectID) -> UInt64? {
        position(of: id).map(offset(at:))
    }

    /// True when the pack holds `id`.
    public func contains(_ id: ObjectID) -> Bool {
        position(of: id) != nil
    }

    /// The ids whose hex form starts with `prefix` (any case), in sorted order.
    ///
    /// O(log n + matches). Returns an empty list when `prefix` is not hex or
    /// is longer than a full id.
    public func ids(withHexPrefix prefix: String) -> [ObjectID] {
        var nibbles: [UInt8] = []
        for character in prefix.utf8 {
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibbles.append(character - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibbles.append(character - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibbles.append(character - UInt8(ascii: "A") + 10)
            default: return []
            }
        }
        guard nibbles.count <= algorithm.hexLength else { return [] }
        let bytes = storage.bytes
        let hashLength = algorithm.digestLength
        func matches(_ position: Int) -> Bool {
            let start = Self.idsStart + position * hashLength
            for (i, nibble) in nibbles.enumerated() {
                let byte = bytes[start + i / 2]
                if (i % 2 == 0 ? byte >> 4 : byte & 0x0f) != nibble { return false }
            }
            return true
        }
        // Binary search for the first id not below the prefix padded with zero nibbles.
        var key = [UInt8](repeating: 0, count: hashLength)
        for (i, nibble) in nibbles.enumerated() { key[i / 2] |= i % 2 == 0 ? nibble << 4 : nibble }
        var low = 0, high = count
        key.withUnsafeBytes { key in
            while low < high {
                let middle = (low + high) / 2
                if PackBytes.compare(bytes.baseAddress! + Self.idsStart + middle * hashLength, key.baseAddress!, hashLength) < 0 {
                    low = middle + 1
                } else {
                    high = middle
                }
            }
        }
        var result: [ObjectID] = []
        var position = low
        while position < count, matches(position) {
            result.append(id(at: position))
            position += 1
        }
        return result
    }

    /// Every entry in id order. O(n), allocates the array.
    public var entries: [Entry] {
        (0..<count).map(entry(at:))
    }

    /// Every id in sorted order. O(n), allocates the array.
    public var ids: [ObjectID] {
        (0..<count).map(id(at:))
    }

    /// The offsets of every entry in pack order, sorted ascending. O(n log n).
    public var sortedOffsets: [UInt64] {
        (0..<count).map(offset(at:)).sorted()
    }
}
