/// A Git config file (`config` in a repository): `[section]` and
/// `[section "subsection"]` blocks of `key = value` entries.
///
/// Keys are addressed the way `git config` does: `core.bare`,
/// `remote.origin.url` (section, optional subsection, key). Section and key
/// names compare case-insensitively and keep their spelling; subsections are
/// case-sensitive. Parsing follows Git: `#`/`;` comments, quoted values,
/// escapes (`\\`, `\"`, `\n`, `\t`, `\b`), backslash-newline continuations,
/// and the old `[section.subsection]` form.
///
/// Writing back (`text`) keeps sections, entries and their order but not
/// comments or the original spacing. `include` directives are kept as
/// ordinary entries and not followed.
public struct GitConfig: Hashable, Sendable {
    /// One `[name "subsection"]` block and its entries, in file order.
    public struct Section: Hashable, Sendable {
        /// The section name as written, e.g. `remote`.
        public var name: String
        /// The subsection, e.g. `origin`; nil for `[core]`.
        public var subsection: String?
        /// The entries in file order.
        public var entries: [Entry]

        /// Creates a section.
        public init(name: String, subsection: String? = nil, entries: [Entry] = []) {
            self.name = name
            self.subsection = subsection
            self.entries = entries
        }

        func matches(_ address: Address) -> Bool {
            name.lowercased() == address.section && subsection == address.subsection
        }
    }

    /// One `key = value` line.
    public struct Entry: Hashable, Sendable {
        /// The key as written, e.g. `repositoryFormatVersion`.
        public var key: String
        /// The value; nil for a bare `key` line, which Git reads as boolean true.
        public var value: String?

        /// Creates an entry.
        public init(key: String, value: String?) {
            self.key = key
            self.value = value
        }
    }

    /// The sections in file order; the same section may appear more than once.
    public private(set) var sections: [Section]

    /// A config made of `sections`; an empty one by default.
    public init(sections: [Section] = []) {
        self.sections = sections
    }

    /// Parses config text. Throws `invalidArgument` naming the line of a syntax error.
    public init(parsing text: String) throws {
        var parser = GitConfigParser(Array(text.utf8))
        sections = try parser.parse()
    }

    /// The last value of `key` (`section.key` or `section.subsection.key`); a
    /// bare `key` line reads as `"true"`. Nil when absent or `key` is malformed.
    public func value(forKey key: String) -> String? {
        values(forKey: key).last
    }

    /// Every value of a multi-valued `key` (such as `remote.origin.fetch`), in file order.
    public func values(forKey key: String) -> [String] {
        guard let address = Address(key) else { return [] }
        return sections.filter { $0.matches(address) }.flatMap { section in
            section.entries.filter { $0.key.lowercased() == address.key }.map { $0.value ?? "true" }
        }
    }

    /// The last value of `key` read as a Git boolean (`true`/`yes`/`on`/`1`,
    /// `false`/`no`/`off`/`0`/empty). Throws `invalidArgument` for anything else.
    public func bool(forKey key: String) throws -> Bool? {
        guard let text = value(forKey: key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0", "": return false
        default: throw BanyanError(.invalidArgument, "config value \(key) = '\(text)' is not a boolean")
        }
    }

    /// The last value of `key` read as an integer with an optional `k`, `m` or
    /// `g` suffix. Throws `invalidArgument` when it is not one.
    public func integer(forKey key: String) throws -> Int? {
        guard let text = value(forKey: key) else { return nil }
        let scales: [Character: Int] = ["k": 1 << 10, "m": 1 << 20, "g": 1 << 30]
        var digits = Substring(text)
        var scale = 1
        if let last = digits.last, let factor = scales[Character(last.lowercased())] {
            scale = factor
            digits.removeLast()
        }
        guard let number = Int(digits), case (let scaled, false) = number.multipliedReportingOverflow(by: scale) else {
            throw BanyanError(.invalidArgument, "config value \(key) = '\(text)' is not an integer")
        }
        return scaled
    }

    /// The distinct subsections of `section` in file order, e.g. the remote names for `remote`.
    public func subsections(of section: String) -> [String] {
        var seen: [String] = []
        for candidate in sections where candidate.name.lowercased() == section.lowercased() {
            if let subsection = candidate.subsection, !seen.contains(subsection) { seen.append(subsection) }
        }
        return seen
    }

    /// Sets `key` to the single value `value`, replacing every earlier value;
    /// adds the section at the end when it is missing. Throws `invalidArgument` for a malformed key.
    public mutating func set(_ value: String, forKey key: String) throws {
        let address = try Address(validating: key)
        if let (s, e) = lastEntry(at: address) {
            sections[s].entries[e].value = value
            removeAll(at: address, except: (s, e))
        } else {
            try add(value, forKey: key)
        }
    }

    /// Appends another value for a multi-valued `key` to the last matching
    /// section, or to a new section at the end. Throws `invalidArgument` for a malformed key.
    public mutating func add(_ value: String, forKey key: String) throws {
        let address = try Address(validating: key)
        let entry = Entry(key: address.spelledKey, value: value)
        if let s = sections.lastIndex(where: { $0.matches(address) }) {
            sections[s].entries.append(entry)
        } else {
            sections.append(Section(name: address.spelledSection, subsection: address.subsection, entries: [entry]))
        }
    }

    /// Removes every value of `key`; sections left empty stay.
    public mutating func removeAll(forKey key: String) {
        guard let address = Address(key) else { return }
        removeAll(at: address, except: nil)
    }

    /// Removes every `[name "subsection"]` block (e.g. a remote) with all its entries.
    public mutating func removeSection(_ name: String, subsection: String? = nil) {
        sections.removeAll { $0.name.lowercased() == name.lowercased() && $0.subsection == subsection }
    }

    /// The config as Git writes it: `[section "sub"]` headers, tab-indented `key = value` lines.
    public var text: String {
        var out = ""
        for section in sections {
            out += "[\(section.name)"
            if let subsection = section.subsection {
                out += " \"" + subsection.replacingEach(["\\": "\\\\", "\"": "\\\""]) + "\""
            }
            out += "]\n"
            for entry in section.entries {
                out += "\t" + entry.key
                if let value = entry.value { out += " = " + Self.quoted(value) }
                out += "\n"
            }
        }
        return out
    }

    private func lastEntry(at address: Address) -> (Int, Int)? {
        for s in sections.indices.reversed() where sections[s].matches(address) {
            if let e = sections[s].entries.lastIndex(where: { $0.key.lowercased() == address.key }) { return (s, e) }
        }
        return nil
    }

    private mutating func removeAll(at address: Address, except kept: (Int, Int)?) {
        for s in sections.indices where sections[s].matches(address) {
            sections[s].entries = sections[s].entries.enumerated().filter { e, entry in
                entry.key.lowercased() != address.key || (kept.map { $0 == (s, e) } ?? false)
            }.map(\.element)
        }
    }

    private static func quoted(_ value: String) -> String {
        let escaped = value.replacingEach(["\\": "\\\\", "\"": "\\\"", "\n": "\\n", "\t": "\\t", "\u{8}": "\\b"])
        let needsQuotes = value.first == " " || value.last == " " || value.contains("#") || value.contains(";")
        return needsQuotes ? "\"\(escaped)\"" : escaped
    }

    /// A dotted key split into section, subsection and key, with names lowercased for comparison.
    struct Address {
        let section: String
        let subsection: String?
        let key: String
        let spelledSection: String
        let spelledKey: String

        init?(_ dotted: String) {
            guard let first = dotted.firstIndex(of: "."), let last = dotted.lastIndex(of: ".") else { return nil }
            spelledSection = String(dotted[..<first])
            spelledKey = String(dotted[dotted.index(after: last)...])
            subsection = first == last ? nil : String(dotted[dotted.index(after: first)..<last])
            section = spelledSection.lowercased()
            key = spelledKey.lowercased()
            let nameCharacters = { (c: Character) in c.isASCII && (c.isLetter || c.isNumber || c == "-") }
            guard !section.isEmpty, section.allSatisfy(nameCharacters),
                  spelledKey.first?.isLetter == true, spelledKey.allSatisfy(nameCharacters),
                  subsection?.contains(where: \.isNewline) != true
            else { return nil }
        }

        init(validating dotted: String) throws {
            guard let address = Address(dotted) else {
                throw BanyanError(.invalidArgument, "'\(dotted)' is not a config key of the form section.key or section.subsection.key")
            }
            self = address
        }
    }
}

extension String {
    /// The string with each scalar found in `replacements` replaced by its value.
    ///
    /// Works on scalars, not characters, so that the `\n` of a `\r\n` pair is found.
    func replacingEach(_ replacements: [Unicode.Scalar: String]) -> String {
        var out = ""
        for scalar in unicodeScalars {
            if let replacement = replacements[scalar] { out += replacement } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}
