/// One packet of Git's pkt-line framing (gitprotocol-common): a data line
/// or one of the three special packets.
///
/// A data packet is four hex digits giving the packet's whole length
/// (header included) followed by the payload; `0000` is a flush, `0001` a
/// delimiter and `0002` a response end (protocol v2).
public enum PktLine: Hashable, Sendable {
    /// A data packet with its payload.
    case data([UInt8])
    /// `0000`: the end of a message.
    case flush
    /// `0001`: separates sections of a protocol v2 message.
    case delim
    /// `0002`: the end of a protocol v2 response over a stateless connection.
    case responseEnd

    /// The longest packet, header included (65520 bytes).
    public static let maxLength = 65520
    /// The longest payload of a data packet (65516 bytes).
    public static let maxPayload = maxLength - 4

    /// A data packet holding `text` as UTF-8.
    public static func text(_ text: String) -> PktLine { .data(Array(text.utf8)) }

    /// The payload as text without one trailing newline, or nil for a special packet.
    public var text: String? {
        guard case .data(var bytes) = self else { return nil }
        if bytes.last == 0x0A { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the packet's encoding to `buffer`.
    ///
    /// Throws `limitExceeded` when a data payload is longer than `maxPayload`.
    public func append(to buffer: inout [UInt8]) throws {
        switch self {
        case .flush: buffer.append(contentsOf: [0x30, 0x30, 0x30, 0x30])
        case .delim: buffer.append(contentsOf: [0x30, 0x30, 0x30, 0x31])
        case .responseEnd: buffer.append(contentsOf: [0x30, 0x30, 0x30, 0x32])
        case .data(let payload):
            guard payload.count <= Self.maxPayload else {
                throw BanyanError(.limitExceeded, "a pkt-line payload of \(payload.count) bytes is longer than the \(Self.maxPayload)-byte limit")
            }
            Self.appendHeader(payload.count + 4, to: &buffer)
            buffer.append(contentsOf: payload)
        }
    }

    /// The packet's encoding.
    public func encoded() throws -> [UInt8] {
        var buffer: [UInt8] = []
        try append(to: &buffer)
        return buffer
    }

    static func appendHeader(_ length: Int, to buffer: inout [UInt8]) {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        for shift in stride(from: 12, through: 0, by: -4) {
            buffer.append(digits[(length >> shift) & 0xF])
        }
    }
}

/// Builds a pkt-line message in memory.
///
/// Lines longer than a packet allows throw `limitExceeded` when written.
public struct PktLineWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty writer.
    public init() {}

    /// Appends a data packet with `payload`.
    public mutating func data(_ payload: [UInt8]) throws { try PktLine.data(payload).append(to: &bytes) }

    /// Appends a data packet holding `line`, adding a newline when it has none.
    public mutating func line(_ line: String) throws {
        var payload = Array(line.utf8)
        if payload.last != 0x0A { payload.append(0x0A) }
        try data(payload)
    }

    /// Appends a flush packet (`0000`).
    public mutating func flush() { bytes.append(contentsOf: [0x30, 0x30, 0x30, 0x30]) }

    /// Appends a delimiter packet (`0001`).
    public mutating func delim() { bytes.append(contentsOf: [0x30, 0x30, 0x30, 0x31]) }

    /// Appends a response-end packet (`0002`).
    public mutating func responseEnd() { bytes.append(contentsOf: [0x30, 0x30, 0x30, 0x32]) }

    /// Appends bytes that are already framed (another message, a pack after the commands).
    public mutating func raw(_ framed: [UInt8]) { bytes.append(contentsOf: framed) }
}

/// Reads pkt-lines from a buffer, strictly: the length must be four hex
/// digits, 0–2 or 4–65520, and the packet must be complete.
///
/// Errors are `corruptObject` with a message naming the offset and the bad
/// header, so a client or server can report exactly what it received.
public struct PktLineReader: Sendable {
    /// The buffer being read.
    public let bytes: [UInt8]
    /// The offset of the next packet.
    public private(set) var position: Int

    /// A reader over `bytes`, starting at `position`.
    public init(_ bytes: [UInt8], position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    /// True when every byte has been read.
    public var isAtEnd: Bool { position >= bytes.count }

    /// The bytes after the last packet read (a pack following the commands).
    public var remaining: ArraySlice<UInt8> { bytes[min(position, bytes.count)...] }

    /// The next packet, or nil at the end of the buffer.
    public mutating func next() throws -> PktLine? {
        guard position < bytes.count else { return nil }
        guard bytes.count - position >= 4 else {
            throw BanyanError(.corruptObject, "pkt-line at offset \(position) is cut off: \(bytes.count - position) bytes where a 4-byte length was expected")
        }
        guard let length = PktLine.length(bytes[...], at: position) else {
            let header = String(decoding: bytes[position..<position + 4], as: UTF8.self)
            throw BanyanError(.corruptObject, "pkt-line at offset \(position) has a bad length \(header.debugDescription): expected four hex digits")
        }
        switch length {
        case 0: position += 4; return .flush
        case 1: position += 4; return .delim
        case 2: position += 4; return .responseEnd
        case 3:
            throw BanyanError(.corruptObject, "pkt-line at offset \(position) has the invalid length 0003")
        default:
            guard length <= PktLine.maxLength else {
                throw BanyanError(.limitExceeded, "pkt-line at offset \(position) is \(length) bytes, longer than the \(PktLine.maxLength)-byte limit")
            }
            guard bytes.count - position >= length else {
                throw BanyanError(.corruptObject, "pkt-line at offset \(position) is cut off: \(length) bytes announced, \(bytes.count - position) present")
            }
            let payload = Array(bytes[position + 4..<position + length])
            position += length
            return .data(payload)
        }
    }

    /// The next packet; throws when the buffer ends first.
    public mutating func expectNext() throws -> PktLine {
        guard let line = try next() else {
            throw BanyanError(.corruptObject, "the message ended at offset \(position) where another pkt-line was expected")
        }
        return line
    }

    /// Data payloads up to (and consuming) the next flush or delimiter, and which one ended them.
    public mutating func section() throws -> (lines: [[UInt8]], end: PktLine) {
        var lines: [[UInt8]] = []
        while true {
            switch try expectNext() {
            case .data(let payload): lines.append(payload)
            case let end: return (lines, end)
            }
        }
    }

}

extension PktLine {
    /// The length field at `position`: four hex digits (either case) giving
    /// the packet's whole length, or 0–3 for the special packets; nil when
    /// one of them is not a hex digit. The caller has checked that four
    /// bytes are there. The one parser of the field, for `PktLineReader`
    /// and `PktLineScan`.
    @inline(__always)
    static func length(_ bytes: ArraySlice<UInt8>, at position: Int) -> Int? {
        var length = 0
        for byte in bytes[position..<(position + 4)] {
            guard let digit = hexValue(byte) else { return nil }
            length = length << 4 | digit
        }
        return length
    }

    /// The value of one hex digit (either case), or nil.
    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: return Int(byte - 0x30)
        case 0x61...0x66: return Int(byte - 0x61 + 10)
        case 0x41...0x46: return Int(byte - 0x41 + 10)
        default: return nil
        }
    }
}
