import BanyanCore
import Testing

@Suite struct KeyTests {
    @Test func parsesSegments() throws {
        let key = try Key("notes/2024/today")
        #expect(key.segments == ["notes", "2024", "today"])
        #expect(key.utf8Segments == [Array("notes".utf8), Array("2024".utf8), Array("today".utf8)])
        #expect(key.path == "notes/2024/today")
        #expect(key.description == "notes/2024/today")
        #expect(key.name == "today")
        #expect(!key.isRoot)
        #expect(key.parent == (try Key("notes/2024")))
        #expect(try Key("a").parent == Key.root)
        #expect(Key.root.parent == nil)
        #expect(Key.root.isRoot && Key.root.path.isEmpty && Key.root.name.isEmpty)
        #expect(try Key(segments: ["notes", "2024", "today"]) == key)
        #expect(try Key(segments: []) == .root)
    }

    @Test(arguments: [
        ("", "names no value"),
        ("/a", "empty segment"),
        ("a/", "empty segment"),
        ("a//b", "empty segment"),
        ("/", "empty segment"),
        ("a/./b", "'.'"),
        ("a/..", "'..'"),
        (".git", "reserves"),
        ("a/.GIT/b", "reserves"),
        (".Git", "reserves"),
        ("GIT~1", "reserves"),
        (".git.", "reserves"),
        (".git ", "reserves"),
        (".git::$INDEX_ALLOCATION", "reserves"),
        (".git\\x", "reserves"),
        (".g\u{200C}it", "reserves"),
        ("\u{FEFF}.GIT", "reserves"),
        ("a\0b", "NUL"),
        (String(repeating: "x", count: 256), "256 bytes"),
        (String(repeating: "é", count: 128), "256 bytes"),
    ])
    func invalidKeysAreRejected(path: String, problem: String) {
        let error = #expect(throws: BanyanError.self) { try Key(path) }
        #expect(error?.code == .invalidKey)
        #expect(error?.message.contains(problem) == true, "\(error?.message ?? "no error") should mention \(problem)")
        if !path.isEmpty {
            #expect(error?.message.contains(path) == true)
        }
    }

    @Test(arguments: [".gitignore", ".gitattributes", "git", ".git~1", "git~2", ".gi", "x.git", ".git x", String(repeating: "x", count: 255), "é", "a b", "\\"])
    func unusualButValidSegmentsAreAccepted(segment: String) throws {
        let key = try Key("dir/\(segment)")
        #expect(key.name == segment)
    }

    @Test func segmentsAreCheckedOneByOne() {
        let slash = #expect(throws: BanyanError.self) { try Key(segments: ["a/b"]) }
        #expect(slash?.message.contains("'/' inside the segment 'a/b'") == true)
        #expect(throws: BanyanError.self) { try Key(segments: ["a", ""]) }
        #expect(throws: BanyanError.self) { try Key.root.appending("..") }
        #expect(throws: BanyanError.self) { try Key("a").appending("b/c") }
    }

    @Test func prefixesAllowRootAndTrailingSlash() throws {
        #expect(try Key(prefix: "") == .root)
        #expect(try Key(prefix: "a/b/") == (try Key("a/b")))
        #expect(try Key(prefix: "a/b") == (try Key("a/b")))
        for bad in ["/", "a//", "/a", "a/.git/"] {
            let error = #expect(throws: BanyanError.self) { try Key(prefix: bad) }
            #expect(error?.code == .invalidKey)
        }
    }

    @Test func appendingAndPrefixes() throws {
        let key = try Key.root.appending("a").appending("b")
        #expect(key == (try Key("a/b")))
        #expect(key.hasPrefix(try Key("a")))
        #expect(key.hasPrefix(key))
        #expect(key.hasPrefix(.root))
        #expect(!(try Key("a/bc")).hasPrefix(key))
        #expect(!(try Key("a")).hasPrefix(key))
    }

    @Test func equalityIsByBytesNotCanonicalEquivalence() throws {
        let composed = try Key("caf\u{E9}")
        let decomposed = try Key("cafe\u{301}")
        #expect(composed.segments == decomposed.segments)  // Swift's String considers them equal
        #expect(composed != decomposed)
        #expect(Set([composed, decomposed]).count == 2)
        #expect(composed.utf8Segments != decomposed.utf8Segments)
    }

    @Test func orderingIsByPathBytes() throws {
        let sorted = try ["A", "a", "a-b", "a/b", "a/b/c", "a0", "ab", "b", "é"].map { try Key($0) }
        #expect(sorted.shuffled().sorted() == sorted)
        #expect(Key.root < (try Key("a")))
        #expect(!(Key.root < Key.root))
        // Byte order, not Unicode order: NFD "e" + U+0301 sorts before NFC U+00E9.
        #expect(try Key("cafe\u{301}") < Key("caf\u{E9}"))
    }
}
