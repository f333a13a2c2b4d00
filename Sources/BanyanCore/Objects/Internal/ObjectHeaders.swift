/// The header block shared by commits and tags: `key value` lines, multi-line
/// values continued on lines that start with one space, then a blank line.
enum ObjectHeaders {
    /// One header as read: continuation lines joined by `\n`, leading spaces dropped.
    struct Header {
        var key: String
        var value: [UInt8]
    }

    /// The headers of one object, read front to back by the decoder.
    struct Reader {
        let kind: ObjectKind
        let headers: [Header]
        /// Where the message starts in the body, after the blank line.
        let messageStart: Int
        /// False when the body ends right after its headers, with no blank
        /// line and no message (git accepts that; some tools write it).
        let hasBlankLine: Bool
        private var next = 0

        init(kind: ObjectKind, headers: [Header], messageStart: Int, hasBlankLine: Bool = true) {
            self.kind = kind
            self.headers = headers
            self.messageStart = messageStart
            self.hasBlankLine = hasBlankLine
        }

        /// The next header's value if its key is `key`; nil leaves it unread.
        mutating func take(_ key: String) -> [UInt8]? {
            guard next < headers.count, headers[next].key == key else { return nil }
            defer { next += 1 }
            return headers[next].value
        }

        /// The next header's value, which must have key `key`; `after` names
        /// what it follows, for the error, or is nil for the first header.
        mutating func require(_ key: String, after: String?) throws -> [UInt8] {
            guard let value = take(key) else {
                guard let after else {
                    throw BanyanError(.corruptObject, "\(kind) does not start with the '\(key)' header")
                }
                throw BanyanError(.corruptObject, "\(kind) has no '\(key)' header after its \(after)")
            }
            return value
        }

        /// The unread headers, rejecting any whose key belongs to the fixed ones.
        func extras(fixedKeys: Set<String>) throws -> [ExtraHeader] {
            try headers[next...].map { header in
                guard !fixedKeys.contains(header.key) else {
                    throw BanyanError(.corruptObject, "\(kind) has a '\(header.key)' header out of place or repeated")
                }
                return ExtraHeader(key: header.key, value: header.value)
            }
        }
    }

    /// Splits `body` into its headers and the offset where the message starts.
    ///
    /// Throws `corruptObject` naming `kind` when a line has no newline or no
    /// space, or a key is not printable ASCII. Headers that end the body
    /// (no blank line, no message) are read as git reads them.
    static func parse(_ body: [UInt8], kind: ObjectKind) throws -> Reader {
        var headers: [Header] = []
        var position = 0
        while true {
            guard position < body.count else {
                // Headers that end the body: no blank line, no message, as git reads it.
                guard !headers.isEmpty else { throw BanyanError(.corruptObject, "\(kind) is empty") }
                return Reader(kind: kind, headers: headers, messageStart: position, hasBlankLine: false)
            }
            guard let end = body[position...].firstIndex(of: UInt8(ascii: "\n")) else {
                throw BanyanError(.corruptObject, "\(kind) header at byte \(position) does not end with a newline")
            }
            let line = body[position..<end]
            position = end + 1
            if line.isEmpty { return Reader(kind: kind, headers: headers, messageStart: position) }
            if line.first == UInt8(ascii: " ") {
                guard !headers.isEmpty else {
                    throw BanyanError(.corruptObject, "\(kind) starts with a continuation line")
                }
                headers[headers.count - 1].value.append(UInt8(ascii: "\n"))
                headers[headers.count - 1].value.append(contentsOf: line.dropFirst())
                continue
            }
            guard let space = line.firstIndex(of: UInt8(ascii: " ")) else {
                throw BanyanError(.corruptObject, "\(kind) header '\(String(decoding: line, as: UTF8.self))' has no value")
            }
            let key = line[..<space]
            // Keys are stored as String; anything but printable ASCII could not round-trip.
            guard key.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw BanyanError(.corruptObject, "\(kind) has a header key that is not printable ASCII")
            }
            headers.append(Header(key: String(decoding: key, as: UTF8.self), value: Array(line[(space + 1)...])))
        }
    }

    /// Parses a full lowercase hex id of `algorithm`, the only form Git writes in headers.
    static func objectID(_ value: [UInt8], algorithm: HashAlgorithm, kind: ObjectKind, key: String) throws -> ObjectID {
        let isLowerHex = value.allSatisfy {
            ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f"))
        }
        guard value.count == algorithm.hexLength, isLowerHex, let id = ObjectID(hex: String(decoding: value, as: UTF8.self)) else {
            throw BanyanError(
                .corruptObject,
                "\(kind) '\(key)' header '\(String(decoding: value, as: UTF8.self))' is not a lowercase \(algorithm.hexLength)-digit id"
            )
        }
        return id
    }

    /// Appends `key value\n`, writing each newline in the value as `\n `.
    static func append(key: String, value: some Sequence<UInt8>, to out: inout [UInt8]) {
        out.append(contentsOf: key.utf8)
        out.append(UInt8(ascii: " "))
        for byte in value {
            out.append(byte)
            if byte == UInt8(ascii: "\n") { out.append(UInt8(ascii: " ")) }
        }
        out.append(UInt8(ascii: "\n"))
    }

    /// Appends `key <hex>\n`.
    static func append(key: String, id: ObjectID, to out: inout [UInt8]) {
        append(key: key, value: id.hex.utf8, to: &out)
    }

    /// Appends `key <signature>\n`.
    static func append(key: String, signature: Signature, to out: inout [UInt8]) {
        out.append(contentsOf: key.utf8)
        out.append(UInt8(ascii: " "))
        signature.append(to: &out)
        out.append(UInt8(ascii: "\n"))
    }
}
