/// The rules of one `.gitattributes` file (gitattributes(5)): which
/// attributes each path has. Merges read the `merge` attribute to pick a
/// strategy per key (`*.json merge=json`, `-merge`, `merge`, `!merge`).
///
/// Patterns follow Git's rules: a pattern without `/` (a trailing one
/// aside) matches a path's last segment at any depth; one with a `/`
/// matches the whole path from the file's directory (a leading `/` only
/// anchors); `*` and `?` stay within a segment, `**` crosses them
/// (`**/x`, `a/**`, `a/**/b`); a pattern ending in `/` matches directories
/// only, so no value. When several lines match, the last one that mentions
/// an attribute decides it. Macros (`[attr]name ...`, and the built-in
/// `binary` = `-diff -merge -text`) expand where they are set. Lines Git
/// rejects with a warning (negative patterns, bad attribute names) are
/// skipped. Matching is case-sensitive.
public struct GitAttributes: Hashable, Sendable {
    /// The state of one attribute for one path.
    public enum State: Hashable, Sendable {
        /// No line says anything (or `!name` reset it).
        case unspecified
        /// `name`.
        case set
        /// `-name`.
        case unset
        /// `name=value`.
        case value(String)
    }

    private struct Assignment: Hashable, Sendable {
        var name: String
        var state: State
    }

    private struct Rule: Hashable, Sendable {
        /// The pattern, without a leading `!`, a leading `/` or a trailing `/`.
        var pattern: [UInt8]
        /// The pattern has no `/`: it matches last segments.
        var basenameOnly: Bool
        var directoryOnly: Bool
        /// Attributes in the order they apply, macros expanded.
        var assignments: [Assignment]
    }

    private var rules: [Rule] = []

    /// No rules: every attribute is unspecified.
    public static let empty = GitAttributes()

    /// The strategy names some line gives as `merge=NAME`.
    public var mergeStrategyNames: Set<String> {
        var names: Set<String> = []
        for rule in rules {
            for assignment in rule.assignments where assignment.name == "merge" {
                if case .value(let name) = assignment.state { names.insert(name) }
            }
        }
        return names
    }

    private init() {}

    /// Parses the text of a `.gitattributes` file. Never fails: lines Git
    /// would reject are skipped, as Git does after warning.
    public init(parsing text: String) {
        self.init(bytes: Array(text.utf8))
    }

    /// Parses the bytes of a `.gitattributes` file.
    public init(bytes: [UInt8]) {
        var macros: [String: [Assignment]] = ["binary": [
            Assignment(name: "diff", state: .unset), Assignment(name: "merge", state: .unset),
            Assignment(name: "text", state: .unset),
        ]]
        var parsed: [(pattern: [UInt8], assignments: [Assignment])] = []
        for line in bytes.split(separator: 0x0a) {
            guard let (pattern, assignments) = Self.parseLine(line) else { continue }
            if pattern.starts(with: Array("[attr]".utf8)) {
                let name = String(decoding: pattern.dropFirst(6), as: UTF8.self)
                if Self.isValidName(name) { macros[name] = assignments }
            } else {
                parsed.append((pattern, assignments))
            }
        }
        for (pattern, assignments) in parsed {
            var pattern = pattern[...]
            if pattern.first == UInt8(ascii: "!") { continue }
            let directoryOnly = pattern.last == UInt8(ascii: "/")
            if directoryOnly { pattern = pattern.dropLast() }
            let basenameOnly = !pattern.contains(UInt8(ascii: "/"))
            if pattern.first == UInt8(ascii: "/") { pattern = pattern.dropFirst() }
            rules.append(Rule(pattern: Array(pattern), basenameOnly: basenameOnly, directoryOnly: directoryOnly,
                              assignments: Self.expand(assignments, macros: macros, depth: 0)))
        }
    }

    /// The state of `attribute` for the value at `path` (`a/b/c`, relative to the file's directory).
    public func state(of attribute: String, for path: String) -> State {
        let bytes = Array(path.utf8)
        let basename = bytes.lastIndex(of: UInt8(ascii: "/")).map { bytes[($0 + 1)...] } ?? bytes[...]
        for rule in rules.reversed() {
            guard let assignment = rule.assignments.last(where: { $0.name == attribute }) else { continue }
            if Self.matches(rule, path: bytes, basename: basename) { return assignment.state }
        }
        return .unspecified
    }

    /// The `merge` attribute of `key`.
    public func mergeState(for key: Key) -> State {
        state(of: "merge", for: key.path)
    }

    private static func matches(_ rule: Rule, path: [UInt8], basename: ArraySlice<UInt8>) -> Bool {
        if rule.directoryOnly { return false }
        if rule.basenameOnly { return Wildmatch.matches(rule.pattern[...], basename, pathname: false) }
        // Git compares the part before the first wildcard literally and
        // wildmatches only the rest; that changes what a `**` right after
        // the literal part means, so do the same.
        let prefix = rule.pattern.prefix { !Wildmatch.isGlobSpecial($0) }
        guard path.starts(with: prefix) else { return false }
        if prefix.count == rule.pattern.count { return path.count == prefix.count }
        return Wildmatch.matches(rule.pattern[prefix.count...], path[prefix.count...], pathname: true)
    }

    private static func expand(_ assignments: [Assignment], macros: [String: [Assignment]], depth: Int) -> [Assignment] {
        var result: [Assignment] = []
        for assignment in assignments {
            result.append(assignment)
            if assignment.state == .set, depth < 16, let macro = macros[assignment.name] {
                result.append(contentsOf: expand(macro, macros: macros, depth: depth + 1))
            }
        }
        return result
    }

    /// Splits a line into its pattern and attributes; nil for blank,
    /// comment and malformed lines.
    private static func parseLine(_ line: ArraySlice<UInt8>) -> ([UInt8], [Assignment])? {
        let blank: Set<UInt8> = [0x20, 0x09, 0x0d, 0x0a]
        var rest = line.drop { blank.contains($0) }
        guard let first = rest.first, first != UInt8(ascii: "#") else { return nil }
        let pattern: [UInt8]
        if first == UInt8(ascii: "\"") {
            guard let (unquoted, after) = unquote(rest) else { return nil }
            pattern = unquoted
            rest = after
        } else {
            let end = rest.firstIndex { blank.contains($0) } ?? rest.endIndex
            pattern = Array(rest[..<end])
            rest = rest[end...]
        }
        var assignments: [Assignment] = []
        for word in rest.split(whereSeparator: { blank.contains($0) }) {
            var text = String(decoding: word, as: UTF8.self)
            var state = State.set
            if let equals = text.firstIndex(of: "=") {
                state = .value(String(text[text.index(after: equals)...]))
                text = String(text[..<equals])
            }
            // Git lets `-` and `!` win over `=value`: `-merge=x` unsets merge.
            if text.hasPrefix("-") || text.hasPrefix("!") {
                state = text.hasPrefix("-") ? .unset : .unspecified
                text.removeFirst()
            }
            guard isValidName(text), !text.hasPrefix("builtin_") else { return nil }
            assignments.append(Assignment(name: text, state: state))
        }
        return (pattern, assignments)
    }

    /// Git's `attr_name_valid`: `[-A-Za-z0-9_.]+`, not starting with `-`.
    private static func isValidName(_ name: String) -> Bool {
        guard let first = name.first, first != "-" else { return false }
        return name.utf8.allSatisfy { c in
            c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "_")
                || (0x30...0x39).contains(c) || (0x41...0x5a).contains(c) || (0x61...0x7a).contains(c)
        }
    }

    /// Git's `unquote_c_style` for a pattern in double quotes; returns the
    /// pattern and what follows the closing quote.
    private static func unquote(_ text: ArraySlice<UInt8>) -> ([UInt8], ArraySlice<UInt8>)? {
        var out: [UInt8] = []
        var index = text.index(after: text.startIndex)
        let escapes: [UInt8: UInt8] = [0x61: 0x07, 0x62: 0x08, 0x66: 0x0c, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09,
                                       0x76: 0x0b, 0x5c: 0x5c, 0x22: 0x22]
        while index < text.endIndex {
            let c = text[index]
            index += 1
            if c == UInt8(ascii: "\"") { return (out, text[index...]) }
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                continue
            }
            guard index < text.endIndex else { return nil }
            let e = text[index]
            index += 1
            if let replacement = escapes[e] {
                out.append(replacement)
            } else if (0x30...0x33).contains(e), index + 1 < text.endIndex,
                      (0x30...0x37).contains(text[index]), (0x30...0x37).contains(text[index + 1]) {
                out.append((e - 0x30) << 6 | (text[index] - 0x30) << 3 | (text[index + 1] - 0x30))
                index += 2
            } else {
                return nil
            }
        }
        return nil
    }
}
