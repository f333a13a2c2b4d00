import BanyanCore
import Testing

/// Each of Git's fsck rules on an object crafted by hand: Banyan reports
/// it with Git's message id and words, at Git's severity, and real
/// `git fsck` prints the same line.
@Suite struct FsckRulesTests {
    struct Case: CustomTestStringConvertible, Sendable {
        /// Git's message id (`git help fsck-msgids`).
        var rule: String
        var kind: ObjectKind
        var body: [UInt8]
        /// What both report instead when the parser stops before the rule's
        /// own check: an empty name is a `badTree` to Git's tree walker.
        var reportedAs: String?
        /// True when `git fsck`'s object parser refuses the object before
        /// fsck's checks run ("could not be parsed"), so its line differs.
        var gitCannotParse = false
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

    static func tree(_ rule: String, _ entries: [UInt8]...) -> Case {
        Case(rule: rule, kind: .tree, body: entries.flatMap { $0 })
    }

    static func commit(_ rule: String, _ text: String, gitCannotParse: Bool = false) -> Case {
        Case(rule: rule, kind: .commit, body: Array(text.utf8), gitCannotParse: gitCannotParse)
    }

    static func commit(author line: String, _ rule: String) -> Case {
        commit(rule, "tree \(emptyTree)\nauthor \(line)\n\(committer)\nmessage\n")
    }

    static func tag(_ rule: String, _ text: String, gitCannotParse: Bool = false) -> Case {
        Case(rule: rule, kind: .tag, body: Array(text.utf8), gitCannotParse: gitCannotParse)
    }

    static let cases: [Case] = [
        tree("duplicateEntries", entry("100644", "a"), entry("100644", "a")),
        tree("treeNotSorted", entry("100644", "b"), entry("100644", "a")),
        Case(rule: "emptyName", kind: .tree, body: entry("100644", ""), reportedAs: "badTree"),
        tree("hasDot", entry("40000", ".", emptyTree)),
        tree("hasDotdot", entry("40000", "..", emptyTree)),
        tree("fullPathname", entry("100644", "a/b")),
        tree("hasDotgit", entry("40000", ".git", emptyTree)),
        tree("hasDotgit", entry("40000", ".GiT", emptyTree)),
        tree("hasDotgit", entry("40000", "git~1", emptyTree)),
        tree("hasDotgit", entry("100644", ".git. . ")),
        tree("hasDotgit", entry("100644", ".g\u{200C}it")),
        tree("nullSha1", entry("100644", "a", .zero(.sha1))),
        tree("badTree", Array(entry("100644", "a").dropLast(3))),
        commit("missingTree", "parent \(emptyTree)\n\(author)\(committer)\n", gitCannotParse: true),
        commit("badTreeSha1", "tree \(String(emptyTree.hex.dropLast()))z\n\(author)\(committer)\n", gitCannotParse: true),
        commit("badParentSha1", "tree \(emptyTree)\nparent 1234\n\(author)\(committer)\n", gitCannotParse: true),
        commit("missingAuthor", "tree \(emptyTree)\n\(committer)\n"),
        commit("missingCommitter", "tree \(emptyTree)\n\(author)\n"),
        commit("multipleAuthors", "tree \(emptyTree)\n\(author)\(author)\(committer)\n"),
        commit("nulInHeader", "tree \(emptyTree)\nauthor A\0 <a@example.com> 1700000000 +0000\n\(committer)\n"),
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
        tag("missingObject", "type commit\ntag v1\n\n", gitCannotParse: true),
        tag("badObjectSha1", "object zz\ntype commit\ntag v1\n\n", gitCannotParse: true),
        tag("missingTypeEntry", "object \(emptyTree)\ntag v1\n\n", gitCannotParse: true),
        tag("badType", "object \(emptyTree)\ntype tee\ntag v1\n\n", gitCannotParse: true),
        tag("missingTagEntry", "object \(emptyTree)\ntype tree\ntagger T <t@example.com> 1700000000 +0000\n\n", gitCannotParse: true),
        tag("nulInHeader", "object \(emptyTree)\ntype tree\ntag v\01\n\n"),
        tag("badEmail", "object \(emptyTree)\ntype tree\ntag v1\ntagger T <t@<example.com> 1700000000 +0000\n\n"),
        tag("missingTaggerEntry", "object \(emptyTree)\ntype tree\ntag v1\n\nmessage\n"),
        tree("zeroPaddedFilemode", entry("040000", "a", emptyTree)),
        tree("gitattributesSymlink", entry("120000", ".gitattributes")),
        tree("gitmodulesSymlink", entry("120000", ".gitmodules")),
    ]

    /// Raised to an error, the rule refuses the object, and Banyan's line
    /// is the one `git fsck` prints.
    @Test(arguments: cases)
    func reportsWhatGitFsckReports(_ test: Case) throws {
        let object = RawObject(kind: test.kind, body: test.body)
        let id = object.id(.sha1)
        let rule = try #require(FsckMessageID(rawValue: test.rule))
        var policy = FsckPolicy()
        if rule.defaultSeverity != .fatal { try policy.set(rule, to: "error") }
        var findings: [FsckFinding] = []
        let error = try #require(throws: BanyanError.self) {
            try FsckRules.check(object, id: id, algorithm: .sha1, policy: policy) { findings.append($0) }
        }
        let finding = try #require(findings.first { $0.isError })
        #expect(error.code == .corruptObject)
        #expect(error.message == finding.description)
        #expect(finding.message.rawValue == test.reportedAs ?? test.rule)

        let git = try GitRepo(.sha1)
        _ = try git.id(["hash-object", "--literally", "-t", test.kind.rawValue, "-w", "--stdin"], input: test.body)
        let failure = try #require(throws: GitFailure.self) {
            try git.run(["-c", "fsck.\(test.rule)=error", "fsck", "--no-dangling"])
        }
        let expected = test.gitCannotParse ? "could not be parsed" : finding.description
        #expect(failure.stderr.contains(expected), "git fsck said: \(failure.stderr)")
    }

    /// At Git's default severities Banyan refuses exactly what `git fsck` fails on.
    @Test(arguments: cases)
    func refusesWhatGitFsckRefuses(_ test: Case) throws {
        let object = RawObject(kind: test.kind, body: test.body)
        var findings: [FsckFinding] = []
        let refused = (try? FsckRules.check(object, id: object.id(.sha1), algorithm: .sha1) { findings.append($0) }) == nil
        #expect(refused == findings.contains(where: \.isError))
        let git = try GitRepo(.sha1)
        _ = try git.id(["hash-object", "--literally", "-t", test.kind.rawValue, "-w", "--stdin"], input: test.body)
        let gitRefused = (try? git.run(["fsck", "--no-dangling"])) == nil
        #expect(refused == gitRefused)
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
        #expect(error.message.hasSuffix("gitattributesBlob: non-blob found at .gitattributes"))
    }

    @Test func gitattributesLinesAndSizeAreBounded() throws {
        let id = Self.blob
        let longest = Array(repeating: UInt8(ascii: "a"), count: FsckRules.maxAttributesLineLength)
        try FsckRules.checkAttributes(RawObject(kind: .blob, body: longest + [10] + longest), id: id)
        for body in [longest + [UInt8(ascii: "a")], [10] + longest + [UInt8(ascii: "a"), 10]] {
            let error = try #require(throws: BanyanError.self) { try FsckRules.checkAttributes(RawObject(kind: .blob, body: body), id: id) }
            #expect(error.message.hasSuffix("gitattributesLineLength: .gitattributes has too long lines to parse"))
        }
        let tooLarge = RawObject(kind: .blob, body: Array(repeating: 10, count: FsckRules.maxAttributesSize + 1))
        let error = try #require(throws: BanyanError.self) { try FsckRules.checkAttributes(tooLarge, id: id) }
        #expect(error.message.hasSuffix("gitattributesLarge: .gitattributes too large to parse"))
    }
}
