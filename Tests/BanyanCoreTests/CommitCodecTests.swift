import BanyanCore
import Testing

@Suite struct CommitCodecTests {
    /// Checks that git's bytes for `id` decode, re-encode exactly and hash to `id`.
    @discardableResult
    private func roundTrip(_ git: GitRepo, _ id: ObjectID) throws -> Commit {
        let body = try git.catFile(.commit, id)
        let commit = try Commit(decoding: body, algorithm: git.algorithm)
        #expect(commit.encoded() == body)
        #expect(commit.rawObject.id(git.algorithm) == id)
        return commit
    }

    @Test(arguments: HashAlgorithm.allCases)
    func commitTreeOutputRoundTrips(algorithm: HashAlgorithm) throws {
        let git = try GitRepo(algorithm)
        let tree = try git.mktree(["100644 blob \(try git.blob("v1\n"))\tfile"])
        let root = try git.id(["commit-tree", tree.hex, "-m", "root"])
        let second = try git.id(
            ["commit-tree", tree.hex, "-p", root.hex, "-m", "second", "-m", "with a body"],
            environment: ["GIT_AUTHOR_DATE": "1700000200 -0800", "GIT_COMMITTER_DATE": "1700000300 +0000"]
        )
        let merge = try git.id(
            ["commit-tree", tree.hex, "-p", root.hex, "-p", second.hex],
            input: Array("merge\n\nno trailing newline".utf8),
            environment: ["GIT_AUTHOR_DATE": "1700000400 +1245", "GIT_COMMITTER_DATE": "1700000500 -0330"]
        )
        let rootCommit = try roundTrip(git, root)
        #expect(rootCommit.tree == tree)
        #expect(rootCommit.parents.isEmpty)
        #expect(rootCommit.author == Signature(name: "Ada Author", email: "ada@example.com", time: 1_700_000_000, timeZoneMinutes: 330))
        #expect(rootCommit.committer == Signature(name: "Cy Committer", email: "cy@example.com", time: 1_700_000_100, timeZoneMinutes: -480))
        #expect(rootCommit.messageString == "root\n")
        #expect(try roundTrip(git, second).parents == [root])
        let mergeCommit = try roundTrip(git, merge)
        #expect(mergeCommit.parents == [root, second])
        #expect(mergeCommit.author.timeZoneMinutes == 765)
        #expect(mergeCommit.committer.timeZoneMinutes == -210)
        #expect(mergeCommit.messageString == "merge\n\nno trailing newline")
    }

    @Test(arguments: HashAlgorithm.allCases)
    func commitBuiltInSwiftMatchesGit(algorithm: HashAlgorithm) throws {
        let git = try GitRepo(algorithm)
        let tree = algorithm.emptyTreeID
        try git.hashObject(.tree, [])
        let parent = try git.id(["commit-tree", tree.hex, "-m", "parent"])
        let expected = try git.id(["commit-tree", tree.hex, "-p", parent.hex, "-m", "child"])
        let commit = Commit(
            tree: tree, parents: [parent],
            author: Signature(name: "Ada Author", email: "ada@example.com", time: 1_700_000_000, timeZoneMinutes: 330),
            committer: Signature(name: "Cy Committer", email: "cy@example.com", time: 1_700_000_100, timeZoneMinutes: -480),
            message: "child\n"
        )
        #expect(commit.rawObject.id(algorithm) == expected)
    }

    @Test(arguments: HashAlgorithm.allCases)
    func encodingHeaderFromGitRoundTrips(algorithm: HashAlgorithm) throws {
        let git = try GitRepo(algorithm)
        try git.hashObject(.tree, [])
        let id = try git.id(
            ["-c", "i18n.commitEncoding=ISO-8859-1", "commit-tree", algorithm.emptyTreeID.hex],
            input: [0x63, 0x61, 0x66, 0xE9, 0x0A]  // "café\n" in Latin-1
        )
        let commit = try roundTrip(git, id)
        #expect(commit.encoding == "ISO-8859-1")
        #expect(commit.message == [0x63, 0x61, 0x66, 0xE9, 0x0A])
    }

    @Test(arguments: HashAlgorithm.allCases)
    func signedCommitWithMergetagRoundTrips(algorithm: HashAlgorithm) throws {
        let git = try GitRepo(algorithm)
        try git.hashObject(.tree, [])
        let parent = try git.id(["commit-tree", algorithm.emptyTreeID.hex, "-m", "parent"])
        // Built from lines so that editors cannot strip the lone-space continuation lines.
        let text = [
            "tree \(algorithm.emptyTreeID)",
            "parent \(parent)",
            "author Ada Author <ada@example.com> 1700000000 +0530",
            "committer Cy Committer <cy@example.com> 1700000100 -0800",
            "encoding UTF-8",
            "mergetag object \(parent)",
            " type commit",
            " tag v1",
            " tagger Ada Author <ada@example.com> 1700000000 +0530",
            " ",
            " release",
            "gpgsig -----BEGIN PGP SIGNATURE-----",
            " ",
            " iQEzBAABCAAdFiEEfakefakefakefakefakefakefakeFAmVVVVUACgkQfake",
            " =AbCd",
            " -----END PGP SIGNATURE-----",
            "",
            "signed",
            "",
        ].joined(separator: "\n")
        let id = try git.hashObject(.commit, Array(text.utf8))
        #expect(try git.catFile(.commit, id) == Array(text.utf8))
        let commit = try roundTrip(git, id)
        #expect(commit.extraHeaders.map(\.key) == ["encoding", "mergetag", "gpgsig"])
        let signature = "-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEEfakefakefakefakefakefakefakeFAmVVVVUACgkQfake\n=AbCd\n-----END PGP SIGNATURE-----"
        #expect(commit.extraHeaders[2] == ExtraHeader(key: "gpgsig", value: signature))
        #expect(String(decoding: commit.extraHeaders[1].value, as: UTF8.self).hasSuffix("+0530\n\nrelease"))
        #expect(commit.messageString == "signed\n")
        try git.run(["fsck", "--strict", "--no-dangling"])
    }

    @Test(arguments: [
        ("author A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nm", "does not start with the 'tree' header"),
        ("parent {P}\ntree {T}\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nm", "does not start with the 'tree'"),
        ("tree {T}\ncommitter A <a@x> 1 +0000\n\nm", "no 'author' header"),
        ("tree {T}\nauthor A <a@x> 1 +0000\n\nm", "no 'committer' header"),
        ("tree {T}\nauthor A <a@x> 1 +0000\nparent {P}\ncommitter A <a@x> 1 +0000\n\nm", "no 'committer' header"),
        ("tree {T}\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\nauthor B <b@x> 1 +0000\n\nm", "'author' header out of place"),
        ("tree {T}\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\nparent {P}\n\nm", "'parent' header out of place"),
        ("tree {T}\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000", "does not end with a newline"),
        ("tree {T}\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\nnovalue\n\nm", "has no value"),
        ("tree {T}\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\nkey\u{7f} v\n\nm", "not printable ASCII"),
        (" tree {T}\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nm", "starts with a continuation line"),
        ("tree {T}\n cont\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nm", "is not a lowercase"),
        ("tree {U}\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nm", "is not a lowercase"),
        ("tree {S}\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nm", "is not a lowercase"),
        ("tree {T}\nauthor A a@x 1 +0000\ncommitter A <a@x> 1 +0000\n\nm", "has no '<email>'"),
        // Found by the fuzzer: a signature continued on a second line decoded, then re-encoded differently.
        ("tree {T}\nauthor A <a@x> 1 +0000\ncommitter Cy \n iQ <a@x> 1 +0000\n\nm", "spans more than one line"),
        ("", "is empty"),
    ])
    func malformedCommitsAreRejected(template: String, problem: String) {
        for algorithm in HashAlgorithm.allCases {
            let tree = algorithm.emptyTreeID.hex
            let text = template
                .replacingOccurrences(of: "{T}", with: tree)
                .replacingOccurrences(of: "{P}", with: tree)
                .replacingOccurrences(of: "{U}", with: tree.uppercased())
                .replacingOccurrences(of: "{S}", with: String(tree.dropLast()))
            let error = #expect(throws: BanyanError.self) { try Commit(decoding: Array(text.utf8), algorithm: algorithm) }
            #expect(error?.code == .corruptObject)
            #expect(error?.message.contains(problem) == true, "\(error?.message ?? "no error") should mention \(problem)")
        }
    }

    /// Git reads a commit that ends after its headers (no blank line, no
    /// message); it decodes and encodes back to the same bytes, until a
    /// message is set.
    @Test func aCommitEndingAtItsHeadersKeepsItsBytes() throws {
        let text = "tree \(HashAlgorithm.sha1.emptyTreeID.hex)\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\nencoding utf-8\n"
        var commit = try Commit(decoding: Array(text.utf8), algorithm: .sha1)
        #expect(commit.endsAtHeaders)
        #expect(commit.message.isEmpty)
        #expect(commit.encoded() == Array(text.utf8))
        commit.message = Array("now with one".utf8)
        #expect(commit.encoded() == Array((text + "\nnow with one").utf8))
        let git = try GitRepo(.sha1)
        let id = try git.id(["hash-object", "--literally", "-t", "commit", "-w", "--stdin"], input: Array(text.utf8))
        #expect(RawObject(kind: .commit, body: Array(text.utf8)).id(.sha1) == id)
        try git.run(["fsck", "--no-dangling"])
    }

    @Test func idOfTheOtherAlgorithmIsRejected() {
        let text = "tree \(HashAlgorithm.sha1.emptyTreeID)\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nm"
        #expect(throws: BanyanError.self) { try Commit(decoding: Array(text.utf8), algorithm: .sha256) }
    }

    @Test func extraHeaderWithEmptyAndMultiLineValuesRoundTrips() throws {
        let text = "tree \(HashAlgorithm.sha1.emptyTreeID)\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n"
            + "x-empty \nx-multi first\n  indented\n \n last\n\n"
        let commit = try Commit(decoding: Array(text.utf8), algorithm: .sha1)
        #expect(commit.extraHeaders == [ExtraHeader(key: "x-empty", value: ""), ExtraHeader(key: "x-multi", value: "first\n indented\n\nlast")])
        #expect(commit.message.isEmpty)
        #expect(commit.encoded() == Array(text.utf8))
    }
}
