/// How one object is stored in a pack, with its zlib data as written there:
/// what `PackWriter` copies into another pack instead of compressing again
/// (Git's `reuse_object` and `reuse_delta`).
///
/// An entry read from a pack refers to the pack's bytes rather than copying
/// them, so a repack that looks up every object of its packs before writing
/// holds a few words per object, not the packs' data.
public struct StoredEntry: Sendable {
    /// What the entry holds.
    public enum Form: Sendable, Equatable {
        /// The whole object.
        case whole(ObjectKind)
        /// A delta against the object `base`.
        case delta(base: ObjectID)
    }

    /// The entry's form.
    public var form: Form
    /// The inflated size: the object's, or the delta's.
    public var size: Int
    /// The checksum (the name) of the pack that holds the entry, when known.
    public var pack: ObjectID?
    /// The bytes holding the zlib stream, and where in them it is.
    private let storage: ByteStorage
    private let range: Range<Int>

    /// The zlib stream as stored, without the entry header or base reference (a copy).
    public var compressed: [UInt8] {
        storage.copyBytes(range)
    }

    /// Calls `body` with the zlib stream as stored, without copying it.
    public func withCompressedBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// True when the zlib stream was written at level 0 or 1 (header level
    /// field 0) and its first block is stored, not compressed (deflate
    /// block type 0), as zlib writes at level 0: a copy would carry the
    /// bytes uncompressed. A stream of a higher level whose data did not
    /// compress is not reported: compressing it again would not help.
    public var isUncompressed: Bool {
        withCompressedBytes { stream in
            stream.count > 2 && stream[1] >> 6 == 0 && (stream[2] >> 1) & 3 == 0
        }
    }

    /// Creates a stored entry holding a copy of its zlib stream.
    public init(form: Form, size: Int, compressed: [UInt8], pack: ObjectID? = nil) {
        self.form = form
        self.size = size
        self.pack = pack
        storage = ByteStorage(compressed)
        range = 0..<compressed.count
    }

    /// Creates a stored entry whose zlib stream is `range` of `storage`,
    /// which it keeps alive.
    package init(form: Form, size: Int, storage: ByteStorage, range: Range<Int>, pack: ObjectID?) {
        precondition(range.lowerBound >= 0 && range.upperBound <= storage.count, "stored entry outside its pack")
        self.form = form
        self.size = size
        self.pack = pack
        self.storage = storage
        self.range = range
    }
}

/// The pack's entries in offset order, for finding where an entry ends and
/// which object an OFS_DELTA base offset is.
final class PackLayout: Sendable {
    let offsets: [UInt64]
    let positions: [Int32]

    init(_ index: PackIndex) {
        let order = (0..<index.count).sorted { index.offset(at: $0) < index.offset(at: $1) }
        offsets = order.map { index.offset(at: $0) }
        positions = order.map { Int32($0) }
    }

    /// The rank of the entry starting at `offset`, or nil when none does.
    func rank(of offset: UInt64) -> Int? {
        var low = 0, high = offsets.count
        while low < high {
            let middle = (low + high) / 2
            if offsets[middle] < offset { low = middle + 1 } else { high = middle }
        }
        return low < offsets.count && offsets[low] == offset ? low : nil
    }
}

extension PackReader {
    /// How `id` is stored in this pack, or nil when the pack does not hold it.
    ///
    /// Cost: O(log n), without copying the entry's bytes; the first
    /// call sorts the index by offset (O(n log n)). The entry's bytes are
    /// checked against the CRC-32 the index records, not inflated.
    /// Throws `corruptObject` for a damaged header or a CRC mismatch.
    public func storedEntry(_ id: ObjectID) throws -> StoredEntry? {
        guard let offset = index.offset(of: id) else { return nil }
        return try storedEntry(at: offset)
    }

    /// How the object whose entry starts at `offset` is stored (an offset
    /// found in a multi-pack-index, say).
    ///
    /// Cost: O(log n) to find the entry among the offsets, without copying
    /// its bytes; the first call sorts the index by offset
    /// (O(n log n)). Throws `corruptObject` when no entry of the index starts
    /// at `offset`, for a damaged header or a CRC mismatch.
    package func storedEntry(at offset: UInt64) throws -> StoredEntry {
        let layout = self.layout
        return try PackBytes.withContext("pack \(checksum.abbreviated(12)) object at offset \(offset)") {
            guard let rank = layout.rank(of: offset) else {
                throw BanyanError(.corruptObject, "no entry of the index starts there")
            }
            let position = Int(layout.positions[rank])
            let end = rank + 1 < layout.offsets.count ? Int(layout.offsets[rank + 1]) : entriesEnd
            return try storage.withUnsafeBytes { pack in
                let start = Int(offset)
                let header = try PackEntryHeader.parse(pack, at: start, end: end, algorithm: algorithm)
                let crc = PackBytes.crc32(UnsafeRawBufferPointer(rebasing: pack[start..<end]))
                guard crc == index.crc32(at: position) else {
                    throw BanyanError(.corruptObject, "entry CRC-32 \(crc) does not match the index's \(index.crc32(at: position))")
                }
                let form: StoredEntry.Form
                switch header.kind {
                case .object(let kind):
                    form = .whole(kind)
                case .refDelta(let base):
                    form = .delta(base: base)
                case .ofsDelta(let baseOffset):
                    guard let baseRank = layout.rank(of: UInt64(baseOffset)) else {
                        throw BanyanError(.corruptObject, "OFS_DELTA base offset \(baseOffset) is not an entry")
                    }
                    form = .delta(base: index.id(at: Int(layout.positions[baseRank])))
                }
                return StoredEntry(form: form, size: header.size, storage: storage,
                                   range: header.dataStart..<end, pack: checksum)
            }
        }
    }
}
