/// Parses Git config text into sections, following Git's own parser
/// (`config.c`): whitespace runs inside unquoted values become single
/// spaces per character, trailing whitespace is dropped, `\r\n` reads as `\n`.
struct GitConfigParser {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    /// The line the section header or entry being parsed starts on, for errors.
    private var startLine = 1

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    mutating func parse() throws -> [GitConfig.Section] {
        var sections: [GitConfig.Section] = []
        while let c = peek() {
            startLine = line
            if isSpace(c) || c == newline {
                advance()
            } else if c == hash || c == semicolon {
                skipLine()
            } else if c == UInt8(ascii: "[") {
                advance()
                sections.append(try sectionHeader())
            } else if isLetter(c) {
                guard !sections.isEmpty else { throw error("a key appears before any [section]") }
                sections[sections.count - 1].entries.append(try entry())
            } else {
                throw error("unexpected character '\(Character(Unicode.Scalar(c)))'")
            }
        }
        return sections
    }

    private mutating func sectionHeader() throws -> GitConfig.Section {
        let name = take { isLetter($0) || isDigit($0) || $0 == dash || $0 == dot }
        guard !name.isEmpty else { throw error("a section header has no name") }
        if peek() == UInt8(ascii: "]") {
            advance()
            // The old `[section.subsection]` form: the subsection is case-insensitive, so lowercase it.
            if let dotIndex = name.firstIndex(of: ".") {
                let subsection = String(name[name.index(after: dotIndex)...])
                guard !subsection.isEmpty else { throw error("section header [\(name)] ends with '.'") }
                return GitConfig.Section(name: String(name[..<dotIndex]), subsection: subsection.lowercased())
            }
            return GitConfig.Section(name: name)
        }
        guard !name.contains("."), peek().map(isSpace) == true else { throw error("malformed section header [\(name)") }
        while let c = peek(), isSpace(c) { advance() }
        guard peek() == quote else { throw error("expected a quoted subsection after [\(name)") }
        advance()
        var subsection: [UInt8] = []
        while true {
            guard var c = next(), c != newline else { throw error("unterminated subsection in [\(name)") }
            if c == quote { break }
            if c == backslash {
                guard let escaped = next(), escaped != newline else { throw error("unterminated subsection in [\(name)") }
                c = escaped
            }
            subsection.append(c)
        }
        guard next() == UInt8(ascii: "]") else { throw error("expected ']' after the subsection of [\(name)") }
        return GitConfig.Section(name: name, subsection: String(decoding: subsection, as: UTF8.self))
    }

    private mutating func entry() throws -> GitConfig.Entry {
        let key = take { isLetter($0) || isDigit($0) || $0 == dash }
        while let c = peek(), isSpace(c) { advance() }
        switch peek() {
        case UInt8(ascii: "="):
            advance()
            return GitConfig.Entry(key: key, value: try value())
        case nil, newline:
            return GitConfig.Entry(key: key, value: nil)
        case hash, semicolon:
            skipLine()
            return GitConfig.Entry(key: key, value: nil)
        default:
            throw error("expected '=' after the key '\(key)'")
        }
    }

    private mutating func value() throws -> String {
        var out: [UInt8] = []
        var pendingSpaces = 0
        var inQuotes = false
        var inComment = false
        while true {
            guard var c = next() else {
                if inQuotes { throw error("unterminated quoted value") }
                break
            }
            if c == newline {
                if inQuotes { throw error("unterminated quoted value") }
                break
            }
            if inComment { continue }
            if isSpace(c) && !inQuotes {
                if !out.isEmpty { pendingSpaces += 1 }
                continue
            }
            if !inQuotes && (c == hash || c == semicolon) {
                inComment = true
                continue
            }
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: pendingSpaces))
            pendingSpaces = 0
            if c == backslash {
                switch next() {
                case newline: continue
                case UInt8(ascii: "n"): c = newline
                case UInt8(ascii: "t"): c = UInt8(ascii: "\t")
                case UInt8(ascii: "b"): c = 0x08
                case quote: c = quote
                case backslash: c = backslash
                default: throw error("invalid escape in a value")
                }
            } else if c == quote {
                inQuotes.toggle()
                continue
            }
            out.append(c)
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Scanning

    private func peek() -> UInt8? {
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "\r"), index + 1 < bytes.count, bytes[index + 1] == newline { return newline }
        return bytes[index]
    }

    private mutating func advance() {
        guard let c = peek() else { return }
        if c == newline {
            line += 1
            if bytes[index] == UInt8(ascii: "\r") { index += 1 }
        }
        index += 1
    }

    private mutating func next() -> UInt8? {
        let c = peek()
        advance()
        return c
    }

    private mutating func skipLine() {
        while let c = next(), c != newline {}
    }

    private mutating func take(while predicate: (UInt8) -> Bool) -> String {
        let start = index
        while let c = peek(), predicate(c) { advance() }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private func error(_ problem: String) -> BanyanError {
        BanyanError(.invalidArgument, "config line \(startLine): \(problem)")
    }
}

// Free functions and constants, so that `take(while:)` closures need not capture the parser.
private func isSpace(_ c: UInt8) -> Bool { c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") }
private func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z") }
private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
private let newline = UInt8(ascii: "\n")
private let quote = UInt8(ascii: "\"")
private let backslash = UInt8(ascii: "\\")
private let hash = UInt8(ascii: "#")
private let semicolon = UInt8(ascii: ";")
private let dash = UInt8(ascii: "-")
private let dot = UInt8(ascii: ".")
