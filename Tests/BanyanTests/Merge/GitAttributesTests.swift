@testable import Banyan
import BanyanTestSupport
import Foundation
import Testing

@Suite("gitattributes")
struct GitAttributesTests {
    /// Lines that exercise Git's pattern rules, with a `merge` value naming the line.
    static let rules = """
        # comments and blank lines are ignored

        *.json merge=json
        data/*.json merge=strict
        /top.txt merge=anchored
        docs/ merge=dironly
        logs/** merge=under-logs
        **/cache/* merge=any-cache
        a/**/b merge=a-star-star-b
        foo**/bar merge=odd-star-star
        x?z merge=question
        [abc]*.cfg merge=bracket
        [!abc]*.ini merge=negated
        *.[[:digit:]] merge=digit-class
        \\*.lit merge=escaped
        "quoted name.txt" merge=quoted
        !neg.txt merge=negative-ignored
        *.bin binary
        *.keep binary merge=kept
        *.over merge=first -merge
        [attr]mymacro merge=from-macro -text
        *.mac mymacro
        *.reset merge=x
        special.reset !merge
        bad.txt merge=ok -bad!name
        *.txt -merge
        text.* merge
        UPPER.md merge=upper
        """

    static let paths = [
        "a.json", "deep/dir/b.json", "data/c.json", "data/sub/d.json", "top.txt", "sub/top.txt",
        "docs", "docs/readme", "logs/1", "logs/a/b/c", "x/cache/y", "cache/y", "x/y/cache/z/w",
        "a/b", "a/x/b", "a/x/y/b", "ab", "foo/bar", "foox/bar", "foo/x/y/bar", "xyz", "x/z", "xz",
        "a.cfg", "d.cfg", "sub/b1.cfg", "a.ini", "d.ini", "v.1", "v.x", "*.lit", "a.lit",
        "quoted name.txt", "neg.txt", "img.bin", "x.keep", "y.over", "m.mac", "q.reset", "special.reset",
        "bad.txt", "plain.txt", "text.md", "upper.md", "UPPER.md", "none",
    ]

    static func describe(_ state: GitAttributes.State) -> String {
        switch state {
        case .unspecified: "unspecified"
        case .set: "set"
        case .unset: "unset"
        case .value(let value): value
        }
    }

    @Test func mergeAttributeMatchesGitCheckAttr() throws {
        let directory = TemporaryDirectory("banyan-attr")
        try GitRunner.run(["init", "-q", directory.path])
        try Data(Self.rules.utf8).write(to: URL(fileURLWithPath: directory.appending(".gitattributes")))
        let input = Data((Self.paths.joined(separator: "\n") + "\n").utf8)
        let output = try GitRunner.run(["check-attr", "--stdin", "merge", "text"], in: directory.path, input: input).text
        var expected: [String: String] = [:]
        for line in output.split(separator: "\n") {
            // "<path>: <attr>: <state>"
            let parts = line.components(separatedBy: ": ")
            expected[parts[0] + " " + parts[1]] = parts[2]
        }
        let attributes = GitAttributes(parsing: Self.rules)
        for path in Self.paths {
            for name in ["merge", "text"] {
                #expect(Self.describe(attributes.state(of: name, for: path)) == expected["\(path) \(name)"], "\(path) \(name)")
            }
        }
    }

    @Test func wildmatchHandlesGitsSpecialCases() {
        func matches(_ pattern: String, _ text: String, pathname: Bool = true) -> Bool {
            Wildmatch.matches(Array(pattern.utf8)[...], Array(text.utf8)[...], pathname: pathname)
        }
        #expect(matches("**/foo", "foo"))
        #expect(matches("**/foo", "a/b/foo"))
        #expect(matches("a/**", "a/b/c"))
        #expect(!matches("a/**", "a"))
        #expect(matches("a/**/b", "a/b"))
        #expect(!matches("a/*", "a/b/c"))
        #expect(matches("a/*", "a/b/c", pathname: false))
        #expect(matches("[a-c]x", "bx"))
        #expect(!matches("[!a-c]x", "bx"))
        #expect(matches("[]]", "]"))
        #expect(!matches("[a", "a"))
        #expect(!matches("[[:bogus:]]", "a"))
        #expect(matches("\\[x", "[x"))
        #expect(!matches("?", "/"))
    }

    @Test func emptyAndMalformedInputGiveNoRules() {
        #expect(GitAttributes(bytes: [0xff, 0x00, 0x0a, 0x22]).state(of: "merge", for: "a") == .unspecified)
        #expect(GitAttributes.empty.mergeState(for: key("a/b")) == .unspecified)
        #expect(GitAttributes(parsing: "\"unterminated merge=x\n").state(of: "merge", for: "unterminated") == .unspecified)
    }
}
