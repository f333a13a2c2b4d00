/// A parsed multi-pack-index (`objects/pack/multi-pack-index`): one sorted
/// table of the objects of several packs, each with the pack that holds it
/// and its offset there, so a lookup across all of them is one binary search.
///
/// Git's format, version 1 (version 2, which newer Git may write and which
/// only lifts the rule that pack names are sorted, is read too): a header, a
/// chunk table, the chunks PNAM (pack names), OIDF (fan-out), OIDL (ids),
/// OOFF (pack and offset per id) and, when an offset needs 64 bits, LOFF;
/// then a checksum. Other chunks (RIDX and BTMP, which serve bitmaps) are
/// skipped.
///
/// Read in place from a `ByteStorage` like `PackIndex`: opening costs one
/// O(n) validation pass and, by default, one hash of the whole file; a
/// lookup is a binary search inside one fan-out bucket, O(log n) with no
/// allocation. Immutable and `Sendable`.
package struct MultiPackIndex: Sendable {
    /// Where one object is: which pack, and where its entry starts there.
    package struct Location: Sendable, Hashable {
        /// The pack's number: its position in `packNames`.
        package var pack: Int
        /// The offset of the object's entry header in that pack.
        package var offset: UInt64

        /// Creates a location.
        package init(pack: Int, offset: UInt64) {
            self.pack = pack
            self.offset = offset
        }
    }

    /// One object of the index: its id and where it is.
    package struct Entry: Sendable, Hashable {
        /// The object's id.
        package var id: ObjectID
        /// The pack and offset the index chose for it.
        package var location: Location

        /// Creates an entry.
        package init(id: ObjectID, location: Location) {
            self.id = id
            self.location = location
        }
    }

    /// The four-byte ids of the chunks Banyan reads and writes.
    enum Chunk: UInt32 {
        /// PNAM: the packs' index names, NUL-terminated, padded to 4 bytes.
        case packNames = 0x504e_414d
        /// OIDF: 256 cumulative counts of ids by first byte.
        case fanout = 0x4f49_4446
        /// OIDL: the ids, sorted.
        case lookup = 0x4f49_444c
        /// OOFF: per id, its pack's number and its offset (or LOFF entry).
        case offsets = 0x4f4f_4646
        /// LOFF: 64-bit offsets.
        case largeOffsets = 0x4c4f_4646

        /// The id as Git's documentation spells it.
        var name: String {
            String(decoding: (0..<4).map { UInt8(truncatingIfNeeded: rawValue >> (24 - 8 * $0)) }, as: UTF8.self)
        }
    }

    /// The first four bytes of the file.
    static let signature: [UInt8] = Array("MIDX".utf8)
    /// Signature, version, hash version, chunk count, base file count and pack count.
    static let headerSize = 12
    /// A chunk table entry: a four-byte id and an eight-byte offset.
    static let chunkEntrySize = 12
    /// Set in an OOFF offset that is the number of a LOFF entry instead.
    static let largeOffsetFlag: UInt32 = 0x8000_0000

    /// The byte Git stores for `algorithm` in the header.
    static func hashVersion(_ algorithm: HashAlgorithm) -> UInt8 {
        algorithm == .sha1 ? 1 : 2
    }

    /// The hash function of the ids.
    package let algorithm: HashAlgorithm
    /// The format version from the header (1 or 2).
    package let version: UInt8
    /// The packs covered, as Git names their indexes (`pack-<hex>.idx`); a
    /// `Location.pack` is a position in this list.
    package let packNames: [String]
    /// The number of objects.
    package let count: Int
    /// The checksum of the file itself (its last bytes).
    package let checksum: ObjectID

    private let storage: ByteStorage
    private let fanoutStart: Int
    private let idsStart: Int
    private let offsetsStart: Int
    private let largeOffsets: Range<Int>?

    /// Parses and validates a multi-pack-index held in `storage`, for a
    /// repository whose ids use `algorithm`.
    ///
    /// Checks the signature, versions, chunk table, the size of every chunk,
    /// the pack names, fan-out, id order, every pack number and large-offset
    /// reference in one O(n) pass; with `verifyChecksum` also hashes the
    /// whole file against its trailing checksum. Throws `corruptObject` for a
    /// malformed or damaged file, `invalidRepository` when it was written for
    /// the other hash function, and `unsupported` for a version other than 1
    /// and 2 or an incremental index with base files.
    package init(_ storage: ByteStorage, algorithm: HashAlgorithm, verifyChecksum: Bool = true) throws {
        let bytes = storage.bytes
        let hashLength = algorithm.digestLength
        guard bytes.count >= Self.headerSize + Self.chunkEntrySize + hashLength else {
            throw Self.corrupt("is \(bytes.count) bytes, too short for a header, chunk table and checksum")
        }
        guard bytes.prefix(4).elementsEqual(Self.signature) else {
            throw Self.corrupt("does not start with the signature 'MIDX'")
        }
        version = bytes[4]
        guard version == 1 || version == 2 else {
            throw BanyanError(.unsupported, "multi-pack-index version \(version) is not supported (only 1 and 2)")
        }
        let hashVersion = bytes[5]
        guard hashVersion == 1 || hashVersion == 2 else {
            throw Self.corrupt("has hash version \(hashVersion), neither 1 (SHA-1) nor 2 (SHA-256)")
        }
        guard hashVersion == Self.hashVersion(algorithm) else {
            throw BanyanError(.invalidRepository, """
                multi-pack-index holds \(hashVersion == 1 ? "SHA-1" : "SHA-256") ids but the repository uses \(algorithm); \
                it belongs to another repository and must be ignored or rewritten
                """)
        }
        guard bytes[7] == 0 else {
            throw BanyanError(.unsupported, "multi-pack-index has \(bytes[7]) base files; incremental multi-pack-index chains are not supported")
        }
        let chunks = try Self.chunkTable(bytes, count: Int(bytes[6]), end: bytes.count - hashLength)
        func required(_ chunk: Chunk) throws -> Range<Int> {
            guard let range = chunks[chunk.rawValue] else { throw Self.corrupt("has no \(chunk.name) chunk") }
            return range
        }
        let fanout = try required(.fanout)
        guard fanout.count == 256 * 4 else {
            throw Self.corrupt("OIDF chunk is \(fanout.count) bytes, not \(256 * 4)")
        }
        var previous: UInt32 = 0
        for bucket in 0..<256 {
            let value = PackBytes.uint32(bytes, fanout.lowerBound + 4 * bucket)
            guard value >= previous else { throw Self.corrupt("fan-out decreases at entry \(bucket)") }
            previous = value
        }
        let count = Int(previous)
        let lookup = try required(.lookup)
        guard lookup.count == count * hashLength else {
            throw Self.corrupt("OIDL chunk is \(lookup.count) bytes but \(count) ids take \(count * hashLength)")
        }
        let offsets = try required(.offsets)
        guard offsets.count == count * 8 else {
            throw Self.corrupt("OOFF chunk is \(offsets.count) bytes but \(count) objects take \(count * 8)")
        }
        let largeOffsets = chunks[Chunk.largeOffsets.rawValue]
        if let largeOffsets, largeOffsets.count % 8 != 0 {
            throw Self.corrupt("LOFF chunk is \(largeOffsets.count) bytes, not a whole number of 64-bit offsets")
        }
        packNames = try Self.packNames(bytes, try required(.packNames), count: Int(PackBytes.uint32(bytes, 8)), sorted: version == 1)
        self.storage = storage
        self.algorithm = algorithm
        self.count = count
        fanoutStart = fanout.lowerBound
        idsStart = lookup.lowerBound
        offsetsStart = offsets.lowerBound
        self.largeOffsets = largeOffsets
        checksum = PackBytes.id(bytes, bytes.count - hashLength, algorithm)
        try validateTables()
        if verifyChecksum {
            let actual = PackBytes.checksum(UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - hashLength)]), algorithm)
            guard actual == checksum else {
                throw Self.corrupt("checksum mismatch: the file says \(checksum) but its bytes hash to \(actual)")
            }
        }
    }

    /// Parses a multi-pack-index from a byte array (copied once into a `ByteStorage`).
    package init(bytes: [UInt8], algorithm: HashAlgorithm, verifyChecksum: Bool = true) throws {
        try self.init(ByteStorage(bytes), algorithm: algorithm, verifyChecksum: verifyChecksum)
    }

    private static func corrupt(_ problem: String) -> BanyanError {
        BanyanError(.corruptObject, "multi-pack-index \(problem)")
    }

    /// The byte range of each chunk, by id: a chunk ends where the next one in
    /// the table starts, and the table ends with id 0 at the end of the last.
    private static func chunkTable(_ bytes: UnsafeRawBufferPointer, count: Int, end: Int) throws -> [UInt32: Range<Int>] {
        let tableEnd = headerSize + (count + 1) * chunkEntrySize
        guard tableEnd <= end else {
            throw corrupt("chunk table of \(count) chunks runs past the end of the file")
        }
        var chunks: [UInt32: Range<Int>] = [:]
        var previous: (id: UInt32, start: Int)?
        for number in 0...count {
            let entry = headerSize + number * chunkEntrySize
            let id = PackBytes.uint32(bytes, entry)
            let offset = PackBytes.uint64(bytes, entry + 4)
            guard offset >= UInt64(tableEnd), offset <= UInt64(end) else {
                throw corrupt("chunk \(number) starts at offset \(offset), outside the chunk data (\(tableEnd)..<\(end))")
            }
            let start = Int(offset)
            if let previous {
                guard start >= previous.start else {
                    throw corrupt("chunk \(number) starts at \(start), before the chunk ahead of it (\(previous.start))")
                }
                guard chunks.updateValue(previous.start..<start, forKey: previous.id) == nil else {
                    throw corrupt("chunk table lists chunk id \(String(previous.id, radix: 16)) twice")
                }
            }
            guard (id == 0) == (number == count) else {
                throw corrupt(id == 0 ? "chunk table ends after \(number) of its \(count) chunks" : "chunk table does not end with id 0")
            }
            previous = (id, start)
        }
        return chunks
    }

    /// The `count` NUL-terminated names at the start of `range`, in strictly
    /// increasing byte order when `sorted`.
    private static func packNames(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, count: Int, sorted: Bool) throws -> [String] {
        // Each name takes at least its terminator, so a larger count cannot fit.
        guard count <= range.count else {
            throw corrupt("header claims \(count) packs but the PNAM chunk is only \(range.count) bytes")
        }
        var names: [String] = []
        names.reserveCapacity(count)
        var start = range.lowerBound
        var previous: Range<Int>?
        for number in 0..<count {
            guard let end = bytes[start..<range.upperBound].firstIndex(of: 0) else {
                throw corrupt("PNAM chunk ends inside the name of pack \(number) of \(count)")
            }
            if sorted, let previous, !bytes[previous].lexicographicallyPrecedes(bytes[start..<end]) {
                throw corrupt("pack names are not sorted at pack \(number)")
            }
            names.append(String(decoding: bytes[start..<end], as: UTF8.self))
            previous = start..<end
            start = end + 1
        }
        return names
    }

    private func validateTables() throws {
        let bytes = storage.bytes
        let hashLength = algorithm.digestLength
        let largeCount = (largeOffsets?.count ?? 0) / 8
        var position = 0
        for bucket in 0..<256 {
            let end = Int(PackBytes.uint32(bytes, fanoutStart + 4 * bucket))
            while position < end {
                let start = idsStart + position * hashLength
                guard bytes[start] == UInt8(bucket) else {
                    throw Self.corrupt("entry \(position) is in fan-out bucket \(bucket) but starts with byte \(bytes[start])")
                }
                if position > 0, PackBytes.compare(bytes.baseAddress! + start - hashLength, bytes.baseAddress! + start, hashLength) >= 0 {
                    throw Self.corrupt("ids are not sorted (or repeat) at entry \(position)")
                }
                let pack = PackBytes.uint32(bytes, offsetsStart + 8 * position)
                guard pack < packNames.count else {
                    throw Self.corrupt("entry \(position) names pack \(pack) of \(packNames.count)")
                }
                let raw = PackBytes.uint32(bytes, offsetsStart + 8 * position + 4)
                if largeOffsets != nil, raw & Self.largeOffsetFlag != 0, Int(raw & ~Self.largeOffsetFlag) >= largeCount {
                    throw Self.corrupt("entry \(position) points at 64-bit offset \(raw & ~Self.largeOffsetFlag) of \(largeCount)")
                }
                position += 1
            }
        }
    }

    /// The id at sorted position `position`, which must be in `0..<count` (a programming error otherwise).
    package func id(at position: Int) -> ObjectID {
        precondition(position >= 0 && position < count, "multi-pack-index position out of range")
        return PackBytes.id(storage.bytes, idsStart + position * algorithm.digestLength, algorithm)
    }

    /// The pack and offset of the object at sorted position `position`.
    ///
    /// Without a LOFF chunk an offset is the 32-bit value as stored, as Git reads it.
    package func location(at position: Int) -> Location {
        precondition(position >= 0 && position < count, "multi-pack-index position out of range")
        let bytes = storage.bytes
        let pack = Int(PackBytes.uint32(bytes, offsetsStart + 8 * position))
        let raw = PackBytes.uint32(bytes, offsetsStart + 8 * position + 4)
        guard let largeOffsets, raw & Self.largeOffsetFlag != 0 else { return Location(pack: pack, offset: UInt64(raw)) }
        return Location(pack: pack, offset: PackBytes.uint64(bytes, largeOffsets.lowerBound + 8 * Int(raw & ~Self.largeOffsetFlag)))
    }

    /// Id, pack and offset of the object at sorted position `position`.
    package func entry(at position: Int) -> Entry {
        Entry(id: id(at: position), location: location(at: position))
    }

    /// The sorted position of `id`, or nil when no covered pack holds it. O(log n), no allocation.
    package func position(of id: ObjectID) -> Int? {
        guard id.algorithm == algorithm else { return nil }
        return PackBytes.position(of: id, in: storage.bytes, fanout: fanoutStart, ids: idsStart)
    }

    /// The pack and offset of `id`, or nil when no covered pack holds it. O(log n), no allocation.
    package func location(of id: ObjectID) -> Location? {
        position(of: id).map(location(at:))
    }

    /// True when a covered pack holds `id`.
    package func contains(_ id: ObjectID) -> Bool {
        position(of: id) != nil
    }

    /// Every entry in id order. O(n), allocates the array.
    package var entries: [Entry] {
        (0..<count).map(entry(at:))
    }
}
