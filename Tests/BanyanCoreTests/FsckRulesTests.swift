import BanyanCore
import Testing

/// Each of Git's fsck rules that applies to received trees, commits and tags,
/// on an object crafted by hand: `FsckRules` refuses it, and real `git fsck`
/// (with the rule raised to an error) reports the same message id.
@Suite struct FsckRulesTests {
    struct Case: CustomTestStringConvertible, Sendable {
        /// Git's message id (`git help fsck-msgids`).
        var rule: String
        var kind: ObjectKind
        var body: [UInt8]
        /// Whether Banyan's message names the rule (true for the rules
        /// `FsckRules` adds; the codecs' own messages describe the problem instead).
        var namedByBanyan = false
        /// What `git fsck` prints instead when its parser stops before the
        /// rule's own check: an empty name is a `badTree` to Git's tree walker,
        /// and a commit or tag whose first headers are broken "could not be parsed".
        var gitReports: String?
        var testDescription: String { "\(kind) \(rule)" }
    }

    static let blob = RawObject(kind: .blob, body: Array("x\n".utf8)).id(.sha1)
    static let emptyTree = RawObject(kind: .tree, body: []).id(.sha1)
    static let author = "author A U Thor <a@example.com> 1700000000 +0000\n"
    static let committer = "committer C O Mitter <c@example.com> 1700000000 +0000\n"

    static func entry(_ mode: String, _ name: [UInt8], _ id: ObjectID = blob) -> [UInt8] {
        Array("\(mode) ".utf8) + name + [0] + id.bytes
    }

    static func entry(_ mode: String, _ name: String, _ id: ObjectID = blob) -> [UInt8] {
        entry(mode, Array(name.utf8), id)
    }

    static func tree(_ rule: String, _ entries: [UInt8]..., named: Bool = false) -> Case {
        Case(rule: rule, kind: .tree, body: entries.flatMap { $0 }, namedByBanyan: named)
    }

    static let unparsed = "could not be parsed"

    static func commit(_ rule: String, _ text: String, named: Bool = false, gitReports: String? = nil) -> Case {
        Case(rule: rule, kind: .commit, body: Array(text.utf8), namedByBanyan: named, gitReports: gitReports)
    }

    static func commit(author line: String, _ rule: String) -> Case {
        commit(rule, "tree \(emptyTree)\nauthor \(line)\n\(committer)\nmessage\n")
    }

    static func tag(_ rule: String, _ text: String, named: Bool = false, gitReports: String? = nil) -> Case {
        Case(rule: rule, kind: .tag, body: Array(text.utf8), namedByBanyan: named, gitReports: gitReports)
    }

    static let cases: [Case] = [
        tree("duplicateEntries", entry("100644", "a"), entry("100644", "a")),
        tree("treeNotSorted", entry("100644", "b"), entry("100644", "a")),
        Case(rule: "emptyName", kind: .tree, body: entry("100644", ""), gitReports: "badTree"),
        tree("hasDot", entry("40000", ".", emptyTree)),
        tree("hasDotdot", entry("40000", "..", emptyTree)),
        tree("fullPathname", entry("100644", "a/b")),
        tree("hasDotgit", entry("40000", ".git", emptyTree), named: true),
        tree("hasDotgit", entry("40000", ".GiT", emptyTree), named: true),
        tree("hasDotgit", entry("40000", "git~1", emptyTree), named: true),
        tree("hasDotgit", entry("100644", ".git. . "), named: true),
        tree("hasDotgit", entry("100644", ".g\u{200C}it"), named: true),
        tree("nullSha1", entry("100644", "a", .zero(.sha1)), named: true),
        tree("badTree", Array(entry("100644", "a").dropLast(3))),
        commit("missingTree", "parent \(emptyTree)\n\(author)\(committer)\n", gitReports: unparsed),
        commit("badTreeSha1", "tree \(String(emptyTree.hex.dropLast()))z\n\(author)\(committer)\n", gitReports: unparsed),
        commit("badParentSha1", "tree \(emptyTree)\nparent 1234\n\(author)\(committer)\n", gitReports: unparsed),
        commit("missingAuthor", "tree \(emptyTree)\n\(committer)\n"),
        commit("missingCommitter", "tree \(emptyTree)\n\(author)\n"),
        commit("multipleAuthors", "tree \(emptyTree)\n\(author)\(author)\(committer)\n"),
        commit("nulInHeader", "tree \(emptyTree)\nauthor A\0 <a@example.com> 1700000000 +0000\n\(committer)\n", named: true),
        commit("unterminatedHeader", "tree \(emptyTree)\n\(author)committer C <c@example.com> 1700000000 +0000"),
        commit(author: "<a@example.com> 1700000000 +0000", "missingNameBeforeEmail"),
        commit(author: "A>B <a@example.com> 1700000000 +0000", "badName"),
        commit(author: "A 1700000000 +0000", "missingEmail"),
        commit(author: "A<a@example.com> 1700000000 +0000", "missingSpaceBeforeEmail"),
        commit(author: "A <a@<example.com> 1700000000 +0000", "badEmail"),
        commit(author: "A <a@example.com>1700000000 +0000", "missingSpaceBeforeDate"),
        commit(author: "A <a@example.com> 01700000000 +0000", "zeroPaddedDate"),
        commit(author: "A <a@example.com> 17000x0000 +0000", "badDate"),
        commit(author: "A <a@example.com> 99999999999999999999999 +0000", "badDateOverflow"),
        commit(author: "A <a@example.com> 1700000000 +00a0", "badTimezone"),
        commit(author: "A \n continued <a@example.com> 1700000000 +0000", "missingEmail"),
        tag("missingObject", "type commit\ntag v1\n\n", gitReports: unparsed),
        tag("badObjectSha1", "object zz\ntype commit\ntag v1\n\n", gitReports: unparsed),
        tag("missingTypeEntry", "object \(emptyTree)\ntag v1\n\n", gitReports: unparsed),
        tag("badType", "object \(emptyTree)\ntype tee\ntag v1\n\n", gitReports: unparsed),
        tag("missingTagEntry", "object \(emptyTree)\ntype tree\ntagger T <t@example.com> 1700000000 +0000\n\n", gitReports: unparsed),
        tag("nulInHeader", "object \(emptyTree)\ntype tree\ntag v\01\n\n", named: true),
        tag("badEmail", "object \(emptyTree)\ntype tree\ntag v1\ntagger T <t@<example.com> 1700000000 +0000\n\n"),
    ]

    @Test(arguments: cases)
    func refusesWhatGitFsckRefuses(_ test: Case) throws {
        let object = RawObject(kind: test.kind, body: test.body)
        let id = object.id(.sha1)
        let error = try #require(throws: BanyanError.self) { try FsckRules.check(object, id: id, algorithm: .sha1) }
        #expect(error.code == .corruptObject)
        #expect(error.message.contains("\(test.kind) \(id) fails fsck"))
        if test.namedByBanyan { #expect(error.message.contains("(\(test.rule))")) }

        let git = try GitRepo(.sha1)
        _ = try git.id(["hash-object", "--literally", "-t", test.kind.rawValue, "-w", "--stdin"], input: test.body)
        let reported = test.gitReports ?? test.rule
        let failure = try #require(throws: GitFailure.self) {
            try git.run(["-c", "fsck.\(test.rule)=error", "fsck", "--no-dangling"])
        }
        #expect(failure.stderr.lowercased().contains(reported.lowercased()), "git fsck said: \(failure.stderr)")
    }

    /// Old modes are warnings in git's fsck (zero-padded ones errors with
    /// `--strict`): only errors refuse, so they pass, as `git fsck` passes them.
    @Test(arguments: [("zeroPaddedFilemode", "040000"), ("badFilemode", "100664"), ("badFilemode", "100000")])
    func acceptsWhatGitOnlyWarnsAbout(rule: String, mode: String) throws {
        let object = RawObject(kind: .tree, body: Self.entry(mode, "a", mode == "040000" ? Self.emptyTree : Self.blob))
        let id = object.id(.sha1)
        #expect(try FsckRules.check(object, id: id, algorithm: .sha1).count == 1)
        let git = try GitRepo(.sha1)
        #expect(try git.blob("x\n") == Self.blob)
        _ = try git.id(["hash-object", "--literally", "-t", "tree", "-w", "--stdin"], input: object.body)
        if rule == "zeroPaddedFilemode" {
            // A warning, which --strict makes an error.
            let strict = try #require(throws: GitFailure.self) { try git.run(["fsck", "--strict", "--no-dangling"]) }
            #expect(strict.stderr.contains(rule))
        } else {
            try git.run(["fsck", "--strict", "--no-dangling"])  // badFilemode stays a warning
        }
        try git.run(["fsck", "--no-dangling"])
    }

    @Test func acceptsWhatGitWrites() throws {
        let git = try GitRepo(.sha1)
        let blob = try git.blob("x\n")
        let attributes = try git.blob("*.json merge=json\n")
        let tree = try git.mktree(["100644 blob \(blob)\ta", "100644 blob \(attributes)\t.gitattributes", "100644 blob \(blob)\t.gitignore"])
        let commit = try git.id(["commit-tree", tree.hex, "-m", "m"])
        let tag = try git.id(["mktag"], input: Array("object \(commit)\ntype commit\ntag v1\ntagger T <t@example.com> 1700000000 +0000\n\nv1\n".utf8))
        for (kind, id) in [(ObjectKind.tree, tree), (.commit, commit), (.tag, tag)] {
            let links = try FsckRules.check(RawObject(kind: kind, body: git.catFile(kind, id)), id: id, algorithm: .sha1)
            #expect(!links.isEmpty)
        }
        let links = try FsckRules.check(RawObject(kind: .tree, body: git.catFile(.tree, tree)), id: tree, algorithm: .sha1)
        #expect(links.filter(\.isAttributes).map(\.id) == [attributes])
        #expect(links.allSatisfy { $0.kind == .blob })
        try FsckRules.checkAttributes(RawObject(kind: .blob, body: try git.catFile(.blob, attributes)), id: attributes)
    }

    @Test func tagLinksCarryTheTaggedKind() throws {
        let body = Array("object \(Self.emptyTree)\ntype tree\ntag v1\n\n".utf8)
        let links = try FsckRules.check(RawObject(kind: .tag, body: body), id: RawObject(kind: .tag, body: body).id(.sha1), algorithm: .sha1)
        #expect(links == [FsckRules.Link(id: Self.emptyTree, kind: .tree)])
    }

    @Test func gitattributesMustBeABlob() throws {
        let body = Self.entry("40000", ".gitattributes", Self.emptyTree)
        let error = try #require(throws: BanyanError.self) {
            try FsckRules.check(RawObject(kind: .tree, body: body), id: RawObject(kind: .tree, body: body).id(.sha1), algorithm: .sha1)
        }
        #expect(error.message.contains("(gitattributesBlob)"))
    }

    @Test func gitattributesLinesAndSizeAreBounded() throws {
        let id = Self.blob
        let longest = Array(repeating: UInt8(ascii: "a"), count: FsckRules.maxAttributesLineLength)
        try FsckRules.checkAttributes(RawObject(kind: .blob, body: longest + [10] + longest), id: id)
        for body in [longest + [UInt8(ascii: "a")], [10] + longest + [UInt8(ascii: "a"), 10]] {
            let error = try #require(throws: BanyanError.self) { try FsckRules.checkAttributes(RawObject(kind: .blob, body: body), id: id) }
            #expect(error.message.contains("(gitattributesLineLength)"))
        }
        let tooLarge = RawObject(kind: .blob, body: Array(repeating: 10, count: FsckRules.maxAttributesSize + 1))
        let error = try #require(throws: BanyanError.self) { try FsckRules.checkAttributes(tooLarge, id: id) }
        #expect(error.message.contains("(gitattributesLarge)"))
    }
}
