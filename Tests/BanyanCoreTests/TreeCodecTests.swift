import BanyanCore
import Testing

@Suite struct TreeCodecTests {
    /// A tree made by `git mktree` with every mode and names that exercise the
    /// rule that a directory sorts as if its name ended in `/`.
    private func gitTree(_ git: GitRepo) throws -> (id: ObjectID, blob: ObjectID, subtree: ObjectID, commit: ObjectID) {
        let blob = try git.blob("content\n")
        let subtree = try git.mktree(["100644 blob \(blob)\tinner"])
        let commit = try git.id(["commit-tree", subtree.hex, "-m", "submodule"])
        let id = try git.mktree([
            "100644 blob \(blob)\ta.txt",
            "100755 blob \(blob)\ta-b",
            "120000 blob \(blob)\tlink",
            "040000 tree \(subtree)\ta",
            "100644 blob \(blob)\ta0",
            "160000 commit \(commit)\tsub",
            "100644 blob \(blob)\tZ",
            "100644 blob \(blob)\tnaïve",
        ])
        return (id, blob, subtree, commit)
    }

    @Test(arguments: HashAlgorithm.allCases)
    func decodesAndReencodesGitTreeByteForByte(algorithm: HashAlgorithm) throws {
        let git = try GitRepo(algorithm)
        let made = try gitTree(git)
        let body = try git.catFile(.tree, made.id)
        let tree = try Tree(decoding: body, algorithm: algorithm)
        #expect(tree.encoded() == body)
        #expect(tree.rawObject.id(algorithm) == made.id)
        #expect(tree.entries.map(\.nameString) == ["Z", "a-b", "a.txt", "a", "a0", "link", "naïve", "sub"])
        #expect(tree.entries.map(\.mode.octal) == ["100644", "100755", "100644", "40000", "100644", "120000", "100644", "160000"])
        #expect(tree.entry(named: "a")?.id == made.subtree)
        #expect(tree.entry(named: "sub")?.id == made.commit)
        #expect(tree.entry(named: "sub")?.mode.objectKind == .commit)
    }

    @Test(arguments: HashAlgorithm.allCases)
    func treeBuiltInSwiftMatchesGit(algorithm: HashAlgorithm) throws {
        let git = try GitRepo(algorithm)
        let made = try gitTree(git)
        let ours = Tree(entries: [
            TreeEntry(name: "naïve", mode: .regular, id: made.blob),
            TreeEntry(name: "sub", mode: .gitlink, id: made.commit),
            TreeEntry(name: "a", mode: .directory, id: made.subtree),
            TreeEntry(name: "a0", mode: .regular, id: made.blob),
            TreeEntry(name: "link", mode: .symlink, id: made.blob),
            TreeEntry(name: "a.txt", mode: .regular, id: made.blob),
            TreeEntry(name: "Z", mode: .regular, id: made.blob),
            TreeEntry(name: "a-b", mode: .executable, id: made.blob),
        ])
        #expect(ours.rawObject.id(algorithm) == made.id)
        #expect(ours.encoded() == (try git.catFile(.tree, made.id)))
    }

    @Test(arguments: HashAlgorithm.allCases)
    func emptyTree(algorithm: HashAlgorithm) throws {
        let tree = try Tree(decoding: [], algorithm: algorithm)
        #expect(tree == .empty)
        #expect(tree.encoded().isEmpty)
    }

    @Test(arguments: HashAlgorithm.allCases)
    func fileAndDirectoryWithTheSameNameAreRejected(algorithm: HashAlgorithm) throws {
        let git = try GitRepo(algorithm)
        let blob = try git.blob("x")
        let subtree = try git.mktree(["100644 blob \(blob)\tx"])
        // git mktree does not check for this, but git fsck reports duplicateEntries.
        let id = try git.mktree([
            "100644 blob \(blob)\ta",
            "100644 blob \(blob)\ta.txt",
            "040000 tree \(subtree)\ta",
        ])
        let error = #expect(throws: BanyanError.self) { try Tree(decoding: git.catFile(.tree, id), algorithm: algorithm) }
        #expect(error?.code == .corruptObject)
        #expect(error?.message.contains("both a file and a directory named 'a'") == true)
    }

    @Test func nestedFileNamesBeforeADirectoryAreStillCaught() throws {
        let id = ObjectID.zero(.sha1)
        let body = entry("100644", "a", id) + entry("100644", "a-", id) + entry("100644", "a-.x", id)
            + entry("40000", "a-", id)
        let error = #expect(throws: BanyanError.self) { try Tree(decoding: body, algorithm: .sha1) }
        #expect(error?.message.contains("named 'a-'") == true)
        let fine = entry("100644", "a", id) + entry("100644", "a-", id) + entry("40000", "a", id)
        #expect(throws: BanyanError.self) { try Tree(decoding: fine, algorithm: .sha1) }
        let distinct = entry("100644", "a", id) + entry("40000", "a-", id) + entry("40000", "b", id)
        #expect(try Tree(decoding: distinct, algorithm: .sha1).encoded() == distinct)
    }

    @Test(arguments: [("040000", FileMode.directory), ("100664", .regular), ("0100644", .regular), ("0120000", .symlink),
                      ("100600", .regular), ("100000", .regular), ("100744", .executable), ("120001", .symlink)])
    func modesGitReadsButNoLongerWritesDecodeAndKeepTheirBytes(mode: String, reads: FileMode) throws {
        let body = entry(mode, "file", .zero(.sha1))
        let tree = try Tree(decoding: body, algorithm: .sha1)
        #expect(tree.entries.map(\.mode) == [reads])
        #expect(tree.encoded() == body)
        #expect(Tree(entries: tree.entries).encoded() == entry(reads.octal, "file", .zero(.sha1)))
    }

    @Test(arguments: ["10644", "20644", "", "1o0644", "77777777777", "1006440"])
    func unknownModesAreRejected(mode: String) {
        let body = entry(mode, "file", .zero(.sha1))
        let error = #expect(throws: BanyanError.self) { try Tree(decoding: body, algorithm: .sha1) }
        #expect(error?.code == .corruptObject)
    }

    @Test(arguments: ["", ".", "..", "a/b", "/"])
    func badNamesAreRejected(name: String) {
        let body = entry("100644", name, .zero(.sha1))
        let error = #expect(throws: BanyanError.self) { try Tree(decoding: body, algorithm: .sha1) }
        #expect(error?.code == .corruptObject)
    }

    @Test func unsortedAndDuplicateEntriesAreRejected() {
        let id = ObjectID.zero(.sha1)
        let unsorted = entry("100644", "b", id) + entry("100644", "a", id)
        let error = #expect(throws: BanyanError.self) { try Tree(decoding: unsorted, algorithm: .sha1) }
        #expect(error?.message.contains("out of Git's order") == true)
        // Plain byte order would put the directory "a" before "a.txt"; Git's does not.
        let byteOrder = entry("40000", "a", id) + entry("100644", "a.txt", id)
        #expect(throws: BanyanError.self) { try Tree(decoding: byteOrder, algorithm: .sha1) }
        let twice = entry("100644", "a", id) + entry("100755", "a", id)
        let duplicate = #expect(throws: BanyanError.self) { try Tree(decoding: twice, algorithm: .sha1) }
        #expect(duplicate?.message.contains("appears twice") == true)
    }

    @Test(arguments: HashAlgorithm.allCases)
    func truncatedTreesAreRejected(algorithm: HashAlgorithm) throws {
        let body = entry("100644", "a", algorithm.emptyTreeID) + entry("100644", "b", algorithm.emptyTreeID)
        #expect(try Tree(decoding: body, algorithm: algorithm).entries.count == 2)
        for length in [1, 7, 9, body.count / 2 + 3, body.count - 1] {
            let error = #expect(throws: BanyanError.self) { try Tree(decoding: Array(body.prefix(length)), algorithm: algorithm) }
            #expect(error?.code == .corruptObject)
        }
    }

    @Test func sha1TreeDoesNotDecodeAsSHA256() {
        let body = entry("100644", "a", HashAlgorithm.sha1.emptyTreeID)
        #expect(throws: BanyanError.self) { try Tree(decoding: body, algorithm: .sha256) }
    }

    @Test func encodesModesWithoutLeadingZeros() {
        let tree = Tree(entries: [TreeEntry(name: "d", mode: .directory, id: .zero(.sha1))])
        #expect(Array(tree.encoded().prefix(8)) == Array("40000 d\0".utf8))
    }

    private func entry(_ mode: String, _ name: String, _ id: ObjectID) -> [UInt8] {
        Array("\(mode) \(name)\0".utf8) + id.bytes
    }
}
