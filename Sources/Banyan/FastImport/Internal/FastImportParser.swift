import Foundation

/// The pieces of fast-import syntax below the command level, parsed as
/// `git fast-import` parses them. Each throws `FastImportParser.Failure`
/// with a message; the importer adds the line number.
enum FastImportParser {
    /// A problem with the stream, before the line number is known.
    struct Failure: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// `bytes` as text for an error message.
    static func show(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// The rest of `line` after `prefix`, or nil when it does not start with it.
    static func after(_ prefix: String, in line: [UInt8]) -> ArraySlice<UInt8>? {
        let p = Array(prefix.utf8)
        guard line.count >= p.count, line[..<p.count].elementsEqual(p) else { return nil }
        return line[p.count...]
    }

    /// A decimal number made only of digits.
    static func number(_ text: ArraySlice<UInt8>) -> UInt64? {
        guard !text.isEmpty, text.count <= 19 else { return nil }
        var value: UInt64 = 0
        for byte in text {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// An identity after `author `, `committer ` or `tagger `, checked and
    /// returned as git stores it: `Name <email> <seconds> <±zone>`, the name
    /// part byte for byte (an empty name keeps the space before `<`).
    static func ident(_ text: ArraySlice<UInt8>, permissive: Bool) throws -> [UInt8] {
        var buf = Array(text)
        if buf.first == UInt8(ascii: "<") { buf.insert(UInt8(ascii: " "), at: 0) }
        guard let lt = buf.firstIndex(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }),
              buf[lt] == UInt8(ascii: "<") else {
            throw Failure("missing < in ident string: \(show(text))")
        }
        if lt != 0, buf[lt - 1] != UInt8(ascii: " ") {
            throw Failure("missing space before < in ident string: \(show(text))")
        }
        guard let gt = buf[(lt + 1)...].firstIndex(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }),
              buf[gt] == UInt8(ascii: ">") else {
            throw Failure("missing > in ident string: \(show(text))")
        }
        guard gt + 1 < buf.count, buf[gt + 1] == UInt8(ascii: " ") else {
            throw Failure("missing space after > in ident string: \(show(text))")
        }
        let date = buf[(gt + 2)...]
        guard validRawDate(date, permissive: permissive) else {
            throw Failure("invalid raw date \"\(show(date))\" in ident: \(show(text))")
        }
        return buf
    }

    /// `<seconds> <+|-><zone digits>`; a zone above 1400 only when permissive.
    private static func validRawDate(_ date: ArraySlice<UInt8>, permissive: Bool) -> Bool {
        guard let space = date.firstIndex(of: UInt8(ascii: " ")), number(date[..<space]) != nil else { return false }
        let zone = date[(space + 1)...]
        guard let sign = zone.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
              let offset = number(zone.dropFirst()) else { return false }
        return permissive || offset <= 1400
    }

    /// A path field: C-style quoted (`"a\tb"`) or bare. A bare path that is
    /// not the last field ends at the first space. Returns the path and the
    /// rest of the line after it.
    static func path(_ text: ArraySlice<UInt8>, lastField: Bool, field: String)
        throws -> (path: [UInt8], rest: ArraySlice<UInt8>)
    {
        guard text.first == UInt8(ascii: "\"") else {
            let end = lastField ? text.endIndex : (text.firstIndex(of: UInt8(ascii: " ")) ?? text.endIndex)
            return (Array(text[..<end]), text[end...])
        }
        var out: [UInt8] = []
        var i = text.startIndex + 1
        func fail() -> Failure { Failure("invalid \(field): \(show(text))") }
        while true {
            guard i < text.endIndex else { throw fail() }
            let byte = text[i]
            i += 1
            switch byte {
            case UInt8(ascii: "\""):
                if out.contains(0) { throw Failure("NUL in \(field): \(show(text))") }
                return (out, text[i...])
            case UInt8(ascii: "\\"):
                guard i < text.endIndex else { throw fail() }
                let escape = text[i]
                i += 1
                switch escape {
                case UInt8(ascii: "a"): out.append(7)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "v"): out.append(11)
                case UInt8(ascii: "\\"), UInt8(ascii: "\""): out.append(escape)
                case UInt8(ascii: "0")...UInt8(ascii: "3"):
                    guard i + 1 < text.endIndex else { throw fail() }
                    var value = Int(escape - UInt8(ascii: "0"))
                    for digit in text[i...(i + 1)] {
                        guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "7") else { throw fail() }
                        value = value * 8 + Int(digit - UInt8(ascii: "0"))
                    }
                    i += 2
                    out.append(UInt8(value))
                default: throw fail()
                }
            default:
                out.append(byte)
            }
        }
    }

    /// The path's components; throws for an empty component or one a tree
    /// cannot hold (`.`, `..`, `.git`), as current git does.
    static func components(of path: [UInt8]) throws -> [[UInt8]] {
        let parts = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map(Array.init)
        for part in parts {
            if part.isEmpty { throw Failure("empty path component found in input: \(show(path))") }
            if part == [0x2e] || part == [0x2e, 0x2e] || show(part).lowercased() == ".git" {
                throw Failure("invalid path '\(show(path))'")
            }
        }
        return parts
    }

    /// The mode of an `M` command, normalised as git does (`644` → `100644`).
    static func mode(_ text: ArraySlice<UInt8>) -> FileMode? {
        guard !text.isEmpty, text.count <= 6 else { return nil }
        var value: UInt32 = 0
        for digit in text {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "7") else { return nil }
            value = value << 3 | UInt32(digit - UInt8(ascii: "0"))
        }
        switch value {
        case 0o644, 0o755: return FileMode(rawValue: value | 0o100000)
        case 0o100644, 0o100755, 0o120000, 0o40000, 0o160000: return FileMode(rawValue: value)
        default: return nil
        }
    }

    /// Quotes `path` C-style when fast-import could not read it bare: it
    /// starts with `"` or holds a control character (LF above all).
    static func quotedPath(_ path: [UInt8]) -> [UInt8] {
        guard path.first == UInt8(ascii: "\"") || path.contains(where: { $0 < 0x20 || $0 == 0x7f }) else { return path }
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for byte in path {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
            case 10: out += Array("\\n".utf8)
            case 9: out += Array("\\t".utf8)
            case 0..<0x20, 0x7f: out += Array(("\\" + String(byte, radix: 8).leftPadded(to: 3)).utf8)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
