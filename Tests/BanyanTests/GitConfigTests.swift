import Banyan
import Foundation
import Testing

@Suite("GitConfig")
struct GitConfigTests {
    static let sample = """
        # a comment
        [core]
        \trepositoryformatversion = 0 ; trailing comment
        \tBare = true
        \tfilemode
        [remote "origin"]
        \turl = https://example.com/repo.git
        \tfetch = +refs/heads/*:refs/remotes/origin/*
        \tfetch = +refs/tags/*:refs/tags/*
        [remote "Fork \\"two\\""]
        \turl = "  spaced  # not a comment"
        [branch.Main]
        \tremote = origin
        [alias]
        \tlong = log \\
        --oneline\t\tmany   spaces
        \tescapes = "tab\\there\\nnewline \\\\ backslash"

        """

    @Test("parses sections, subsections, comments, quotes, escapes and continuations")
    func parsesGitSyntax() throws {
        let config = try GitConfig(parsing: Self.sample)
        #expect(config.value(forKey: "core.repositoryformatversion") == "0")
        #expect(try config.bool(forKey: "CORE.BARE") == true, "section and key names ignore case")
        #expect(try config.bool(forKey: "core.filemode") == true, "a bare key is true")
        #expect(try config.integer(forKey: "core.repositoryFormatVersion") == 0)
        #expect(config.value(forKey: "remote.origin.url") == "https://example.com/repo.git")
        #expect(config.values(forKey: "remote.origin.fetch") == ["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"])
        #expect(config.value(forKey: "remote.Fork \"two\".url") == "  spaced  # not a comment")
        #expect(config.value(forKey: "remote.ORIGIN.url") == nil, "subsections are case-sensitive")
        #expect(config.value(forKey: "branch.main.remote") == "origin", "the old [section.sub] form lowercases the subsection")
        #expect(config.value(forKey: "alias.long") == "log --oneline  many   spaces")
        #expect(config.value(forKey: "alias.escapes") == "tab\there\nnewline \\ backslash")
        #expect(config.subsections(of: "remote") == ["origin", "Fork \"two\""])
        #expect(config.value(forKey: "core.missing") == nil)
        #expect(config.value(forKey: "nodot") == nil)
    }

    @Test("writes text that parses back to the same config")
    func roundTrip() throws {
        let config = try GitConfig(parsing: Self.sample)
        let reparsed = try GitConfig(parsing: config.text)
        #expect(reparsed == config)
        #expect(reparsed.text == config.text)
    }

    @Test("set, add and remove edit entries in place")
    func editing() throws {
        var config = try GitConfig(parsing: Self.sample)
        try config.set("1", forKey: "core.repositoryformatversion")
        try config.set("git@example.com:new.git", forKey: "remote.origin.url")
        try config.add("+refs/notes/*:refs/notes/*", forKey: "remote.origin.fetch")
        try config.set("https://example.com/up.git", forKey: "remote.upstream.url")
        try config.set("only", forKey: "remote.origin.fetch")
        #expect(config.value(forKey: "core.repositoryformatversion") == "1")
        #expect(config.values(forKey: "remote.origin.fetch") == ["only"])
        #expect(config.subsections(of: "remote") == ["origin", "Fork \"two\"", "upstream"])
        #expect(config.text.hasSuffix("[remote \"upstream\"]\n\turl = https://example.com/up.git\n"))
        config.removeAll(forKey: "core.filemode")
        #expect(config.value(forKey: "core.filemode") == nil)
        config.removeSection("remote", subsection: "origin")
        #expect(config.value(forKey: "remote.origin.url") == nil)
        #expect(config.subsections(of: "remote") == ["Fork \"two\"", "upstream"])
        #expect(throws: BanyanError.self) { try config.set("x", forKey: "nodot") }
        #expect(throws: BanyanError.self) { try config.set("x", forKey: "bad section.key") }
    }

    @Test("rejects malformed text, naming the line", arguments: [
        ("[core\nbare = true\n", 1), ("key = before any section\n", 1), ("[core]\n\tbare = \"open quote\n", 2),
        ("[core]\n\n\tbad\\q = 1\n", 3), ("[core]\n\tv = \\q\n", 2), ("[remote \"x]\n", 1),
    ])
    func rejectsMalformed(text: String, line: Int) {
        let error = #expect(throws: BanyanError.self) { try GitConfig(parsing: text) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.hasPrefix("config line \(line):") == true, "\(error?.message ?? "")")
    }

    @Test("reads values that git config wrote")
    func readsGitWrittenValues() throws {
        try withTemporaryDirectory { directory in
            let file = directory + "/config"
            let git = Git(nil)
            let values = [("a.plain", "value"), ("a.spaced", "  lead and trail  "), ("b.sub.quotes", "say \"hi\"\\now"),
                          ("b.sub.comment", "x # y ; z"), ("c.Multi.Case", "tab\there"), ("c.newline", "one\ntwo")]
            for (key, value) in values { try git("config", "--file", file, key, value) }
            let config = try GitConfig(parsing: String(contentsOfFile: file, encoding: .utf8))
            for (key, value) in values { #expect(config.value(forKey: key) == value, "\(key)") }
        }
    }
}
