/// The id of a Git object: the SHA-1 or SHA-256 digest of its encoding.
///
/// Stored inline (no heap allocation), so ids are cheap to copy, hash and
/// compare. Ordering is by digest bytes, like Git's `.idx` files.
public struct ObjectID: Hashable, Comparable, Sendable, CustomStringConvertible {
    // Digest bytes big-endian in four words; SHA-1 leaves the last 12 bytes zero.
    private var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0
    /// The hash function that produced this id.
    public let algorithm: HashAlgorithm

    /// Creates an id from raw digest bytes; `digest.count` must equal the algorithm's length.
    public init(digest: UnsafeRawBufferPointer, algorithm: HashAlgorithm) {
        precondition(digest.count == algorithm.digestLength, "digest length mismatch")
        self.algorithm = algorithm
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        Swift.withUnsafeMutableBytes(of: &words) { dst in
            dst.copyMemory(from: digest)
        }
        w0 = UInt64(bigEndian: words.0)
        w1 = UInt64(bigEndian: words.1)
        w2 = UInt64(bigEndian: words.2)
        w3 = UInt64(bigEndian: words.3)
    }

    /// Creates an id from raw digest bytes, or nil when the length fits no algorithm.
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        let array = Array(bytes)
        let algorithm: HashAlgorithm
        switch array.count {
        case 20: algorithm = .sha1
        case 32: algorithm = .sha256
        default: return nil
        }
        self = array.withUnsafeBytes { ObjectID(digest: $0, algorithm: algorithm) }
    }

    /// Parses a full-length hex id (40 or 64 characters, either case).
    public init?(hex: some StringProtocol) {
        self.init(hexDigits: hex.utf8)
    }

    /// Parses a full-length hex id from its ASCII digits (40 or 64 bytes,
    /// either case), without allocating: for readers of ids in bulk, such
    /// as `cat-file --batch` fed a line an id.
    public init?<Digits: Collection<UInt8>>(hexDigits digits: Digits) {
        // Unspecialized generic iteration cost more than the rest of a
        // `cat-file --batch-check` line: parse from contiguous bytes.
        guard let parsed = digits.withContiguousStorageIfAvailable({ Self.parse(hexDigits: $0) }) ?? Self.parse(hexDigits: Array(digits)) else {
            return nil
        }
        self = parsed
    }

    private static func parse(hexDigits digits: [UInt8]) -> ObjectID? {
        digits.withUnsafeBufferPointer { parse(hexDigits: $0) }
    }

    private static func parse(hexDigits digits: UnsafeBufferPointer<UInt8>) -> ObjectID? {
        let algorithm: HashAlgorithm
        switch digits.count {
        case 40: algorithm = .sha1
        case 64: algorithm = .sha256
        default: return nil
        }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        // Branch-free: a table lookup a digit, and one check at the end
        // (a byte that is not a hex digit maps to 0x10).
        let invalid = hexValues.withUnsafeBufferPointer { table in
            Swift.withUnsafeMutableBytes(of: &words) { raw -> UInt8 in
                var seen: UInt8 = 0
                for i in 0..<(digits.count / 2) {
                    let hi = table[Int(digits[2 * i])], lo = table[Int(digits[2 * i + 1])]
                    seen |= hi | lo
                    raw[i] = hi << 4 | lo & 0x0f
                }
                return seen & 0x10
            }
        }
        guard invalid == 0 else { return nil }
        return Swift.withUnsafeBytes(of: &words) {
            ObjectID(digest: UnsafeRawBufferPointer(rebasing: $0.prefix(algorithm.digestLength)), algorithm: algorithm)
        }
    }

    /// Parses a full-length hex id, throwing `invalidObjectID` when it is not one.
    public init(validating hex: some StringProtocol) throws {
        guard let id = ObjectID(hex: hex) else {
            throw BanyanError(.invalidObjectID, "'\(hex)' is not a full 40- or 64-character hex object id")
        }
        self = id
    }

    /// The all-zero id Git uses for "no object" in reflogs and ref updates.
    public static func zero(_ algorithm: HashAlgorithm) -> ObjectID {
        let zeros = [UInt8](repeating: 0, count: algorithm.digestLength)
        return zeros.withUnsafeBytes { ObjectID(digest: $0, algorithm: algorithm) }
    }

    /// True for the all-zero id.
    public var isZero: Bool { w0 == 0 && w1 == 0 && w2 == 0 && w3 == 0 }

    /// The digest bytes (20 or 32).
    public var bytes: [UInt8] {
        var words = (w0.bigEndian, w1.bigEndian, w2.bigEndian, w3.bigEndian)
        return Swift.withUnsafeBytes(of: &words) { Array($0.prefix(algorithm.digestLength)) }
    }

    /// Calls `body` with the digest bytes, without allocating.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var words = (w0.bigEndian, w1.bigEndian, w2.bigEndian, w3.bigEndian)
        return try Swift.withUnsafeBytes(of: &words) { try body(UnsafeRawBufferPointer(rebasing: $0.prefix(algorithm.digestLength))) }
    }

    /// Appends the raw digest bytes to `buffer`.
    public func append(to buffer: inout [UInt8]) {
        withUnsafeBytes { buffer.append(contentsOf: $0) }
    }

    /// The first byte of the digest (the fan-out index and loose-object directory).
    public var firstByte: UInt8 { UInt8(truncatingIfNeeded: w0 >> 56) }

    /// The first eight bytes of the digest, big-endian: ids whose leading
    /// words differ are ordered as these are.
    var leadingWord: UInt64 { w0 }

    /// The full lowercase hex form.
    public var hex: String {
        withUnsafeBytes { raw in
            String(unsafeUninitializedCapacity: raw.count * 2) { out in
                for (i, byte) in raw.enumerated() {
                    out[2 * i] = Self.hexDigit(byte >> 4)
                    out[2 * i + 1] = Self.hexDigit(byte & 0xf)
                }
                return raw.count * 2
            }
        }
    }

    /// Appends the full lowercase hex form's ASCII digits to `buffer`.
    public func appendHex(to buffer: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        let count = algorithm.hexLength
        Swift.withUnsafeMutableBytes(of: &digits) { out in
            withUnsafeBytes { raw in
                for (i, byte) in raw.enumerated() {
                    out[2 * i] = Self.hexDigit(byte >> 4)
                    out[2 * i + 1] = Self.hexDigit(byte & 0xf)
                }
            }
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: out.prefix(count)))
        }
    }

    @inline(__always)
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    /// The first `length` hex characters.
    public func abbreviated(_ length: Int = 7) -> String {
        String(hex.prefix(max(4, length)))
    }

    /// True when this id's hex form starts with `prefix` (lowercase hex).
    public func hasHexPrefix(_ prefix: String) -> Bool {
        hex.hasPrefix(prefix)
    }

    public var description: String { hex }

    /// Hashes the first eight digest bytes only: they are already uniformly
    /// random, and ids key the hottest dictionaries (pack indexes, caches).
    /// Equality still compares every byte.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(w0)
    }

    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3)
    }

    /// The id of an object of `kind` whose body is `body`: the hash of `"<kind> <size>\0<body>"`.
    public static func hash(kind: ObjectKind, body: [UInt8], algorithm: HashAlgorithm) -> ObjectID {
        var hasher = HashAlgorithm.Hasher(algorithm)
        hasher.update(ObjectKind.header(kind: kind, size: body.count))
        hasher.update(body)
        return hasher.finalize()
    }

    /// True when `text` could be an abbreviated or full hex id (4 to 64 hex characters).
    public static func isHexPrefix(_ text: some StringProtocol) -> Bool {
        text.utf8.count >= 4 && text.utf8.count <= 64 && text.utf8.allSatisfy { nibble($0) != nil }
    }

    /// Each byte's value as a hex digit, 0x10 for bytes that are not one.
    private static let hexValues: [UInt8] = (0...255).map { nibble(UInt8($0)) ?? 0x10 }

    @inline(__always)
    private static func nibble(_ c: UInt8) -> UInt8? {
        let digit = c &- UInt8(ascii: "0")
        if digit < 10 { return digit }
        let letter = (c | 0x20) &- UInt8(ascii: "a")   // either case
        return letter < 6 ? letter + 10 : nil
    }
}
