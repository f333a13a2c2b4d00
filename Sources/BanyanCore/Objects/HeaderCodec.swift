/// The shared line format of commit and tag bodies: `key value` header
/// lines (continuation lines start with one space), a blank line, then the
/// message.
enum HeaderCodec {
    /// One parsed header line (continuations joined by `\n`).
    struct Line {
        var key: String
        var value: ArraySlice<UInt8>
        var joined: [UInt8]?

        var bytes: [UInt8] { joined ?? Array(value) }
    }

    /// Splits `body` into header lines and the message; throws when there is no blank line.
    static func parse(_ body: [UInt8], kind: String) throws -> (headers: [Line], message: [UInt8]) {
        var headers: [Line] = []
        var i = 0
        while i < body.count {
            guard let end = body[i...].firstIndex(of: UInt8(ascii: "\n")) else {
                throw BanyanError(.corruptObject, "\(kind) header line is not terminated by a newline")
            }
            if end == i {
                return (headers, Array(body[(end + 1)...]))
            }
            let line = body[i..<end]
            if line.first == UInt8(ascii: " ") {
                guard !headers.isEmpty else {
                    throw BanyanError(.corruptObject, "\(kind) starts with a continuation line")
                }
                var joined = headers[headers.count - 1].bytes
                joined.append(UInt8(ascii: "\n"))
                joined.append(contentsOf: line.dropFirst())
                headers[headers.count - 1].joined = joined
            } else {
                guard let space = line.firstIndex(of: UInt8(ascii: " ")), space > line.startIndex else {
                    throw BanyanError(.corruptObject, "\(kind) header '\(String(decoding: line, as: UTF8.self))' has no key and value")
                }
                headers.append(Line(key: String(decoding: line[..<space], as: UTF8.self), value: line[(space + 1)...]))
            }
            i = end + 1
        }
        throw BanyanError(.corruptObject, "\(kind) has no blank line between headers and message")
    }

    /// Appends `key value\n`, writing newlines inside `value` as continuation lines.
    static func append(key: String, value: [UInt8], to out: inout [UInt8]) {
        out.append(contentsOf: key.utf8)
        out.append(UInt8(ascii: " "))
        for byte in value {
            out.append(byte)
            if byte == UInt8(ascii: "\n") { out.append(UInt8(ascii: " ")) }
        }
        out.append(UInt8(ascii: "\n"))
    }

    /// Parses a full hex id in a header.
    static func objectID(_ value: ArraySlice<UInt8>, algorithm: HashAlgorithm, field: String, kind: String) throws -> ObjectID {
        guard value.count == algorithm.hexLength, let id = ObjectID(hex: String(decoding: value, as: UTF8.self)),
              value.allSatisfy({ !(UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0) })
        else {
            throw BanyanError(.corruptObject, "\(kind) '\(field)' is not a lowercase \(algorithm.hexLength)-digit object id")
        }
        return id
    }
}
