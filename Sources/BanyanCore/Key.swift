/// A key in the store: a path of segments such as `notes/2024/today`.
///
/// Each segment becomes a tree entry name, so keys follow Git's rules for
/// paths that `git fsck --strict` accepts. Equality, hashing and ordering are
/// by UTF-8 bytes, not by Swift's `String` equality: Git treats the NFC and NFD
/// spellings of a name as two different paths, and so does `Key`. Ordering is
/// by the bytes of `path`. Keys are values; copying one is cheap.
public struct Key: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The segments, in order; empty for the root.
    public let segments: [String]
    /// The segments as UTF-8 bytes, as they appear in tree entries.
    public let utf8Segments: [[UInt8]]

    /// The longest segment Git can write on common file systems, in UTF-8 bytes.
    public static let maxSegmentLength = 255

    /// The root key, the prefix of every key; names no value itself.
    public static let root = Key(checked: [])

    private init(checked segments: [String]) {
        self.segments = segments
        self.utf8Segments = segments.map { Array($0.utf8) }
    }

    /// Parses a key such as `a/b/c`; throws `invalidKey` for the empty string,
    /// an empty segment (`a//b`, leading or trailing `/`) or a bad segment.
    public init(_ path: String) throws {
        guard !path.isEmpty else {
            throw BanyanError(.invalidKey, "the empty key names no value; use a key such as 'a/b'")
        }
        try self.init(path: path, splitting: path)
    }

    /// Parses a key prefix: like `init(_:)`, but `""` is the root and a trailing `/` is allowed.
    public init(prefix: String) throws {
        guard !prefix.isEmpty else {
            self = .root
            return
        }
        try self.init(path: prefix, splitting: prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix)
    }

    /// Creates a key from segments; no segments gives the root. Throws `invalidKey` for a bad segment.
    public init(segments: [String]) throws {
        let path = segments.joined(separator: "/")
        for segment in segments {
            try Key.check(segment, in: path)
        }
        self.init(checked: segments)
    }

    private init(path: String, splitting text: String) throws {
        let segments = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for segment in segments {
            try Key.check(segment, in: path)
        }
        self.init(checked: segments)
    }

    /// The segments joined with `/`; empty for the root.
    public var path: String { segments.joined(separator: "/") }

    /// The last segment; empty for the root.
    public var name: String { segments.last ?? "" }

    /// The key one level up (the root for a one-segment key), or nil for the root.
    public var parent: Key? {
        isRoot ? nil : Key(checked: Array(segments.dropLast()))
    }

    /// True for the root key.
    public var isRoot: Bool { segments.isEmpty }

    /// This key with `segment` added at the end; throws `invalidKey` for a bad segment.
    public func appending(_ segment: String) throws -> Key {
        try Key.check(segment, in: isRoot ? segment : path + "/" + segment)
        return Key(checked: segments + [segment])
    }

    /// True when `other`'s segments start this key's (`a/b` has prefix `a`, not `a/bc`).
    public func hasPrefix(_ other: Key) -> Bool {
        utf8Segments.starts(with: other.utf8Segments)
    }

    /// The path, as `path` gives it.
    public var description: String { path }

    /// True when both keys have the same segment bytes.
    public static func == (lhs: Key, rhs: Key) -> Bool {
        lhs.utf8Segments == rhs.utf8Segments
    }

    /// Hashes the segment bytes, consistent with `==`.
    public func hash(into hasher: inout Swift.Hasher) {
        hasher.combine(utf8Segments)
    }

    /// Byte order of the paths: `a-b` < `a/b` < `a0`, and the root first.
    public static func < (lhs: Key, rhs: Key) -> Bool {
        let slash: [UInt8] = [UInt8(ascii: "/")]
        return lhs.utf8Segments.joined(separator: slash).lexicographicallyPrecedes(rhs.utf8Segments.joined(separator: slash))
    }

    /// Throws `invalidKey` unless `segment` is a name Git accepts in a tree everywhere.
    private static func check(_ segment: String, in path: String) throws {
        let problem: String
        let bytes = segment.utf8
        if bytes.isEmpty {
            problem = "has an empty segment"
        } else if bytes.elementsEqual(".".utf8) || bytes.elementsEqual("..".utf8) {
            problem = "has the segment '\(segment)', which Git does not allow"
        } else if bytes.contains(UInt8(ascii: "/")) {
            problem = "has a '/' inside the segment '\(segment)'"
        } else if bytes.contains(0) {
            problem = "has a NUL byte in the segment '\(segment)'"
        } else if bytes.count > maxSegmentLength {
            problem = "has a segment of \(bytes.count) bytes; the limit is \(maxSegmentLength)"
        } else if isNTFSDotGit(Array(bytes)) || isHFSDotGit(segment) {
            problem = "has the segment '\(segment)', which Git reserves for its own directory"
        } else {
            return
        }
        throw BanyanError(.invalidKey, "key '\(path)' \(problem)")
    }

    /// True when a tree entry named `name` would be taken for Git's own
    /// directory by Git on some filesystem (NTFS or HFS+ rules included).
    ///
    /// Cheap for ordinary names (received trees check every entry): only a
    /// name starting with `.`, `g` or a non-ASCII byte can match, and only one
    /// with a non-ASCII byte needs the HFS+ rule.
    static func isReservedForGit(name: [UInt8]) -> Bool {
        guard let first = name.first, first == UInt8(ascii: ".") || first | 0x20 == UInt8(ascii: "g") || first >= 0x80 else {
            return false
        }
        if isNTFSDotGit(name) { return true }
        return name.contains { $0 >= 0x80 } && isHFSDotGit(String(decoding: name, as: UTF8.self))
    }

    /// Git's `is_ntfs_dotgit`: `.git` or its short name `git~1`, in any case,
    /// then only dots and spaces up to the end, a `\` or an NTFS stream `:`.
    private static func isNTFSDotGit(_ name: [UInt8]) -> Bool {
        let lower = name.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        let rest: ArraySlice<UInt8>
        if lower.starts(with: ".git".utf8) {
            rest = lower.dropFirst(4)
        } else if lower.starts(with: "git~1".utf8) {
            rest = lower.dropFirst(5)
        } else {
            return false
        }
        for byte in rest {
            if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: ":") { return true }
            if byte != UInt8(ascii: ".") && byte != UInt8(ascii: " ") { return false }
        }
        return true
    }

    /// Git's `is_hfs_dotgit`: `.git` in any case once HFS+ drops the
    /// zero-width code points it ignores when comparing names.
    private static func isHFSDotGit(_ name: String) -> Bool {
        let visible = name.unicodeScalars.map(\.value).filter { value in
            switch value {
            case 0x200C...0x200F, 0x202A...0x202E, 0x206A...0x206F, 0xFEFF: false
            default: true
            }
        }
        let dotGit: [UInt32] = [0x2E, 0x67, 0x69, 0x74]
        return visible.count == 4 && zip(visible, dotGit).allSatisfy { value, expected in
            (value >= 0x41 && value <= 0x5A ? value | 0x20 : value) == expected
        }
    }
}
