/// Encodes single pack entries (header, base reference, zlib data), for
/// building a pack in memory or appending to an open pack file.
///
/// Keeps one zlib stream and resets it per entry, so encoding many small
/// objects does not pay for a fresh compressor each time. Not thread-safe:
/// use one encoder per writer.
public final class PackEntryEncoder {
    /// What an entry holds.
    public enum Payload: Sendable {
        /// A whole object.
        case object(RawObject)
        /// A delta against the entry that starts at `baseOffset` in the same pack.
        case ofsDelta(baseOffset: UInt64, delta: [UInt8])
        /// A delta against the object `base`, in this pack or (in a thin pack) elsewhere.
        case refDelta(base: ObjectID, delta: [UInt8])
        /// An entry copied from another pack: its zlib data is written as
        /// stored, after a header for `base` (nil for a whole object, which
        /// keeps its kind).
        case stored(StoredEntry, base: StoredBase?)
    }

    /// Where a copied delta's base is in the pack being written.
    public enum StoredBase: Sendable {
        /// The entry that starts at this offset in the same pack (OFS_DELTA).
        case offset(UInt64)
        /// The object with this id (REF_DELTA).
        case id(ObjectID)
    }

    /// The hash function of the pack's object ids.
    public let algorithm: HashAlgorithm
    private let deflater: PackDeflater

    /// An encoder compressing at `compressionLevel` (0–9, or -1 for zlib's default, 6, as Git's packs use).
    ///
    /// Throws `invalidArgument` for a level outside -1...9.
    public init(algorithm: HashAlgorithm, compressionLevel: Int32 = -1) throws {
        self.algorithm = algorithm
        deflater = try PackDeflater(level: compressionLevel)
    }

    /// The 12-byte header of a version 2 pack with `objectCount` entries.
    public static func packHeader(objectCount: UInt32) -> [UInt8] {
        PackFormat.header(count: objectCount)
    }

    /// Hashes all of `pack` and appends the hash as the trailer; returns it (the pack's checksum and name).
    @discardableResult
    public static func appendTrailer(to pack: inout [UInt8], algorithm: HashAlgorithm) -> ObjectID {
        let checksum = pack.withUnsafeBytes { PackBytes.checksum($0, algorithm) }
        checksum.append(to: &pack)
        return checksum
    }

    /// Appends one entry at the end of `pack`, which holds the pack from
    /// byte `flushed` on (from its first byte unless earlier bytes were
    /// written out already), so the entry's offset is `flushed + pack.count`.
    /// Returns the entry's offset and CRC-32 for the index.
    ///
    /// Costs one zlib compression of the payload (none for a stored entry). Throws `invalidArgument`
    /// when an OFS_DELTA base does not lie before the entry, or a REF_DELTA
    /// base id uses another hash algorithm.
    @discardableResult
    public func append(_ payload: Payload, to pack: inout [UInt8], flushed: UInt64 = 0) throws -> (offset: UInt64, crc32: UInt32) {
        let start = pack.count
        let offset = flushed + UInt64(start)
        try appendEntry(payload, offset: offset, to: &pack)
        let crc = pack.withUnsafeBytes { PackBytes.crc32(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        return (offset, crc)
    }

    /// Encodes one entry that will start at `offset` in its pack; returns its bytes and CRC-32.
    public func encode(_ payload: Payload, at offset: UInt64) throws -> (bytes: [UInt8], crc32: UInt32) {
        var bytes: [UInt8] = []
        try appendEntry(payload, offset: offset, to: &bytes)
        return (bytes, bytes.withUnsafeBytes { PackBytes.crc32($0) })
    }

    private func appendEntry(_ payload: Payload, offset: UInt64, to output: inout [UInt8]) throws {
        switch payload {
        case .object(let object):
            Self.appendEntryHeader(code: object.kind.packCode, size: object.body.count, to: &output)
            try object.body.withUnsafeBytes { _ = try deflater.deflate($0, appendingTo: &output) }
        case .ofsDelta(let baseOffset, let delta):
            try appendDeltaHeader(base: .offset(baseOffset), size: delta.count, offset: offset, to: &output)
            try delta.withUnsafeBytes { _ = try deflater.deflate($0, appendingTo: &output) }
        case .refDelta(let base, let delta):
            try appendDeltaHeader(base: .id(base), size: delta.count, offset: offset, to: &output)
            try delta.withUnsafeBytes { _ = try deflater.deflate($0, appendingTo: &output) }
        case .stored(let entry, let base):
            switch (entry.form, base) {
            case (.whole(let kind), nil):
                Self.appendEntryHeader(code: kind.packCode, size: entry.size, to: &output)
            case (.delta, let base?):
                try appendDeltaHeader(base: base, size: entry.size, offset: offset, to: &output)
            default:
                throw BanyanError(.invalidArgument, "a stored delta needs a base and a stored whole object none")
            }
            entry.withCompressedBytes { output.append(contentsOf: $0) }
        }
    }

    private func appendDeltaHeader(base: StoredBase, size: Int, offset: UInt64, to output: inout [UInt8]) throws {
        switch base {
        case .offset(let baseOffset):
            guard baseOffset >= UInt64(PackFormat.headerLength), baseOffset < offset else {
                throw BanyanError(.invalidArgument, "OFS_DELTA base offset \(baseOffset) must lie before the entry at \(offset)")
            }
            Self.appendEntryHeader(code: PackFormat.ofsDeltaCode, size: size, to: &output)
            Self.appendOffsetDistance(offset - baseOffset, to: &output)
        case .id(let id):
            guard id.algorithm == algorithm else {
                throw BanyanError(.invalidArgument, "REF_DELTA base \(id) is \(id.algorithm) but the pack is \(algorithm)")
            }
            Self.appendEntryHeader(code: PackFormat.refDeltaCode, size: size, to: &output)
            id.append(to: &output)
        }
    }

    /// Appends the type-and-size header: 3-bit type, then the size 4 bits first and 7 bits per further byte.
    static func appendEntryHeader(code: UInt8, size: Int, to output: inout [UInt8]) {
        var size = UInt64(size)
        var byte = code << 4 | UInt8(size & 0x0f)
        size >>= 4
        while size != 0 {
            output.append(byte | 0x80)
            byte = UInt8(size & 0x7f)
            size >>= 7
        }
        output.append(byte)
    }

    /// Appends an OFS_DELTA distance: big-endian 7-bit groups, minus one per continuation.
    static func appendOffsetDistance(_ distance: UInt64, to output: inout [UInt8]) {
        var groups: [UInt8] = [UInt8(distance & 0x7f)]
        var rest = distance >> 7
        while rest != 0 {
            rest -= 1
            groups.append(0x80 | UInt8(rest & 0x7f))
            rest >>= 7
        }
        output.append(contentsOf: groups.reversed())
    }
}
