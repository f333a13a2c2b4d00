/// A key in the store: a path of segments, written `a/b/c`.
///
/// Segments become Git tree entry names, so they follow Git's rules for safe
/// paths: no empty segment, no `.`, `..` or `.git` (in any case), no NUL, no
/// `/` inside a segment, at most 255 UTF-8 bytes. Keys compare, hash and
/// sort by their UTF-8 bytes (not by Unicode equivalence), as Git does.
public struct Key: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The segments as UTF-8 bytes.
    public let utf8Segments: [[UInt8]]

    /// The root: the empty path, a prefix that covers every key.
    public static let root = Key(validated: [])

    private init(validated: [[UInt8]]) {
        utf8Segments = validated
    }

    /// Parses `a/b/c`. Throws `invalidKey` naming the problem; the empty path is not a key.
    public init(_ path: String) throws {
        guard !path.isEmpty else { throw BanyanError(.invalidKey, "a key cannot be empty") }
        try self.init(segments: path.split(separator: "/", omittingEmptySubsequences: false).map(String.init), path: path)
    }

    /// Parses a prefix: like `init(_:)`, but `""` and `"/"` mean the root and one trailing `/` is allowed.
    public init(prefix path: String) throws {
        var trimmed = Substring(path)
        if trimmed.hasSuffix("/") { trimmed.removeLast() }
        if trimmed.isEmpty {
            self = .root
            return
        }
        try self.init(segments: trimmed.split(separator: "/", omittingEmptySubsequences: false).map(String.init), path: path)
    }

    /// Builds a key from segments, each validated.
    public init(segments: [String]) throws {
        try self.init(segments: segments, path: segments.joined(separator: "/"))
    }

    private init(segments: [String], path: String) throws {
        utf8Segments = try segments.map { try Key.validate(segment: $0, in: path) }
    }

    /// The segments.
    public var segments: [String] { utf8Segments.map { String(decoding: $0, as: UTF8.self) } }

    /// The path `a/b/c` (empty for the root).
    public var path: String { segments.joined(separator: "/") }

    /// The last segment (empty for the root).
    public var name: String { utf8Segments.last.map { String(decoding: $0, as: UTF8.self) } ?? "" }

    /// True for the root.
    public var isRoot: Bool { utf8Segments.isEmpty }

    /// The enclosing key, nil for the root.
    public var parent: Key? {
        isRoot ? nil : Key(validated: Array(utf8Segments.dropLast()))
    }

    /// This key with one more segment; throws `invalidKey` for a bad segment.
    public func appending(_ segment: String) throws -> Key {
        Key(validated: utf8Segments + [try Key.validate(segment: segment, in: path + "/" + segment)])
    }

    /// True when `other` is this key or one of its ancestors (the root prefixes everything).
    public func hasPrefix(_ other: Key) -> Bool {
        utf8Segments.starts(with: other.utf8Segments)
    }

    public var description: String { path }

    public static func < (lhs: Key, rhs: Key) -> Bool {
        lhs.path.utf8.lexicographicallyPrecedes(rhs.path.utf8)
    }

    /// The longest segment allowed, in UTF-8 bytes.
    public static let maxSegmentLength = 255

    private static func validate(segment: String, in path: String) throws -> [UInt8] {
        let bytes = Array(segment.utf8)
        func fail(_ reason: String) -> BanyanError {
            BanyanError(.invalidKey, "invalid key '\(path.replacingNUL)': \(reason)")
        }
        if bytes.isEmpty { throw fail("it has an empty segment (leading, trailing or double '/')") }
        if segment == "." || segment == ".." { throw fail("segment '\(segment)' is not allowed") }
        if segment.lowercased() == ".git" { throw fail("segment '\(segment)' is reserved by Git") }
        if bytes.contains(0) { throw fail("it contains a NUL byte") }
        if bytes.contains(UInt8(ascii: "/")) { throw fail("segment '\(segment)' contains '/'") }
        if bytes.count > maxSegmentLength {
            throw fail("a segment is \(bytes.count) bytes long; the limit is \(maxSegmentLength)")
        }
        return bytes
    }
}

extension String {
    /// The string with NUL shown as `\0`, for error messages.
    fileprivate var replacingNUL: String {
        String(unicodeScalars.map { $0 == "\0" ? "\\0" : String($0) }.joined())
    }
}
