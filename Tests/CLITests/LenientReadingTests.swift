import BanyanTestSupport
import Foundation
import Testing

/// Read leniently, write strictly (issue 16): objects `git fsck` accepts
/// though Banyan never writes them so — a `-0000` zone, zone minutes past
/// 59, a Latin-1 author with its `encoding` header, unknown and `gpgsig`
/// headers, a tag without a tagger — are read, cloned and bundled with
/// their ids unchanged.
@Suite("Lenient reading of what git accepts")
struct LenientReadingTests {
    let dir = TemporaryDirectory("banyan-lenient")

    /// A bare git repository holding the odd history; returns its path.
    private func oddRepository() throws -> String {
        let path = dir.appending("odd.git")
        try GitRunner.run(["init", "-q", "--bare", "-b", "main", path])
        func write(_ kind: String, _ body: [UInt8]) throws -> String {
            try GitRunner.run(["hash-object", "-t", kind, "-w", "--stdin", "--literally"], in: path, input: Data(body)).text
        }
        let blob = try write("blob", Array("hello\n".utf8))
        let tree = try GitRunner.run(["mktree"], in: path, input: Data("100644 blob \(blob)\tnote\n".utf8)).text
        let first = try write("commit", Array("tree \(tree)\nauthor A <a@x> 1 -0000\ncommitter A <a@x> 1 -0000\n\nzone unknown\n".utf8))
        let latin = try write("commit", Array("tree \(tree)\nparent \(first)\nauthor Ren".utf8) + [0xE9]
            + Array(" <r@x> 2 +0175\ncommitter Ren".utf8) + [0xE9]
            + Array(" <r@x> 2 +0175\nencoding ISO-8859-1\n\ncaf".utf8) + [0xE9] + Array("\n".utf8))
        let signed = try write("commit", Array("""
            tree \(tree)
            parent \(latin)
            author A <a@x> 3 +0000
            committer A <a@x> 3 +0000
            x-unknown kept
             on two lines
            gpgsig -----BEGIN PGP SIGNATURE-----
             abc
             -----END PGP SIGNATURE-----

            headers

            """.utf8))
        try GitRunner.run(["update-ref", "refs/heads/main", signed], in: path)
        let tag = try write("tag", Array("object \(signed)\ntype commit\ntag old\n\nno tagger\n".utf8))
        try GitRunner.run(["update-ref", "refs/tags/old", tag], in: path)
        // The reference: git itself finds no error (a missing tagger is a warning).
        try GitRunner.run(["fsck", "--strict", "--no-dangling"], in: path, check: false)
        #expect(try GitRunner.run(["fsck", "--no-dangling"], in: path, check: false).status == 0)
        return path
    }

    /// The 20 bytes a SHA-1 hex id stands for.
    private func digest(_ hex: String) -> [UInt8] {
        let chars = Array(hex.utf8)
        return stride(from: 0, to: chars.count, by: 2).map { UInt8(String(decoding: chars[$0..<($0 + 2)], as: UTF8.self), radix: 16)! }
    }

    @Test func treesWithOldModesAreReadAndEditedIntoCanonicalTrees() throws {
        let path = dir.appending("modes.git")
        try GitRunner.run(["init", "-q", "--bare", "-b", "main", path])
        let blob = try GitRunner.run(["hash-object", "-w", "--stdin"], in: path, input: Data("old\n".utf8)).text
        let sub = try GitRunner.run(["mktree"], in: path, input: Data("100644 blob \(blob)\tinner\n".utf8)).text
        // As git before 1.0 and some other tools wrote them: a zero-padded directory, a group-writable file.
        let body = Array("040000 dir".utf8) + [0] + digest(sub) + Array("100664 file".utf8) + [0] + digest(blob)
        let tree = try GitRunner.run(["hash-object", "-t", "tree", "-w", "--stdin", "--literally"], in: path, input: Data(body)).text
        let commit = try GitRunner.run(["commit-tree", tree, "-m", "old modes"], in: path).text
        try GitRunner.run(["update-ref", "refs/heads/main", commit], in: path)
        #expect(try GitRunner.run(["fsck", "--no-dangling"], in: path, check: false).status == 0)

        #expect(try CLI.run(["-C", path, "fsck"]).status == 0)
        #expect(try CLI.ok(path, ["get", "file"]) == "old")
        #expect(try CLI.ok(path, ["get", "dir/inner"]) == "old")
        #expect(try CLI.ok(path, ["ls", "-r"]) == "dir/inner\nfile")
        // An edit writes canonical trees; the old commit keeps its id.
        try CLI.ok(path, ["set", "dir/new", "fresh"])
        #expect(try GitRunner.run(["rev-parse", "main~1"], in: path).text == commit)
        let newRoot = try GitRunner.run(["cat-file", "tree", "main^{tree}"], in: path).stdout
        #expect(!newRoot.starts(with: Data("0".utf8)) && newRoot.range(of: Data("100664".utf8)) == nil)
        #expect(try GitRunner.run(["ls-tree", "-r", "main"], in: path).text
            == "100644 blob \(blob)\tdir/inner\n100644 blob \(try GitRunner.run(["rev-parse", "main:dir/new"], in: path).text)\tdir/new\n100644 blob \(blob)\tfile")
        #expect(try GitRunner.run(["fsck", "--no-dangling"], in: path, check: false).status == 0)
        // The old tree travels unchanged.
        #expect(try CLI.run(["clone", path, "modes-copy"], in: dir.path).status == 0)
        #expect(try GitRunner.run(["rev-parse", "refs/remotes/origin/main~1^{tree}"], in: dir.appending("modes-copy")).text == tree)
    }

    private func refs(_ repo: String) throws -> [String] {
        try GitRunner.run(["for-each-ref", "--format=%(objectname) %(refname)"], in: repo).text.split(separator: "\n").map(String.init)
    }

    @Test func oddObjectsAreReadClonedAndBundledWithTheirIds() throws {
        let odd = try oddRepository()
        let main = try GitRunner.run(["rev-parse", "main"], in: odd).text
        let fsck = try CLI.run(["-C", odd, "fsck"])
        #expect(fsck.status == 0, "\(fsck.stderr)")
        let log = try CLI.run(["-C", odd, "log", "main"])
        #expect(log.status == 0)
        #expect(log.text.contains("zone unknown"))
        #expect(try CLI.run(["-C", odd, "cat-file", "-p", "main~1"]).stdout
            == (try GitRunner.run(["cat-file", "-p", "main~1"], in: odd).stdout))

        // Cloned through the smart protocol (a local path): every id kept.
        #expect(try CLI.run(["clone", odd, "copy"], in: dir.path).status == 0)
        let copy = dir.appending("copy")
        #expect(try GitRunner.run(["rev-parse", "refs/remotes/origin/main", "refs/tags/old"], in: copy).text
            == main + "\n" + (try GitRunner.run(["rev-parse", "refs/tags/old"], in: odd).text))
        #expect(try GitRunner.run(["fsck", "--no-dangling"], in: copy, check: false).status == 0)

        // Bundled by git, cloned from the bundle by Banyan; bundled by Banyan, cloned by git.
        try GitRunner.run(["bundle", "create", "-q", dir.appending("odd.bundle"), "--all"], in: odd)
        #expect(try CLI.run(["clone", "odd.bundle", "from-bundle"], in: dir.path).status == 0)
        #expect(try GitRunner.run(["rev-parse", "refs/remotes/origin/main"], in: dir.appending("from-bundle")).text == main)
        #expect(try CLI.run(["-C", copy, "bundle", "create", dir.appending("back.bundle"), "--all"]).status == 0)
        let gitCopy = dir.appending("git-copy")
        try GitRunner.run(["init", "-q", "--bare", gitCopy])
        try GitRunner.run(["fetch", "-q", dir.appending("back.bundle"), "+refs/*:refs/*"], in: gitCopy)
        #expect(try refs(gitCopy) == (try refs(copy)))
    }
    /// Names and messages in another encoding (the commit's `encoding`
    /// header) are shown converted to UTF-8, and bytes without one as
    /// stored: `banyan log` prints what `git log` prints, byte for byte.
    @Test func logConvertsOtherEncodingsAsGitLogDoes() throws {
        let path = dir.appending("encodings.git")
        try GitRunner.run(["init", "--bare", "-q", "-b", "main", path])
        let tree = try GitRunner.run(["mktree"], in: path, input: Data()).text
        func commit(_ text: String, _ replacements: [String: UInt8]) throws -> String {
            var body = Array(text.utf8)
            for (marker, byte) in replacements {
                while let range = body.firstRange(of: Array(marker.utf8)) { body.replaceSubrange(range, with: [byte]) }
            }
            return try GitRunner.run(["hash-object", "-t", "commit", "-w", "--stdin"], in: path, input: Data(body)).text
        }
        let latin1 = try commit("""
            tree \(tree)
            author Fran{c} <f@example.com> 1700000000 +0100
            committer Fran{c} <f@example.com> 1700000000 +0100
            encoding ISO-8859-1

            Caf{e} cr{e2}me

            second paragraph

            """, ["{c}": 0xE7, "{e}": 0xE9, "{e2}": 0xE8])
        let raw = try commit("""
            tree \(tree)
            parent \(latin1)
            author Bj{o}rn <b@example.com> 1700000100 +0000
            committer B <b@example.com> 1700000100 +0000

            raw {x} bytes

            """, ["{o}": 0xF6, "{x}": 0xFF])
        try GitRunner.run(["update-ref", "refs/heads/main", raw], in: path)
        let banyan = try CLI.run(["-C", path, "log", "-b", "main"])
        #expect(banyan.status == 0)
        #expect(banyan.stdout == (try GitRunner.run(["log", "main"], in: path).stdout))
        #expect(String(decoding: banyan.stdout, as: UTF8.self).contains("Author: Fran\u{E7} <f@example.com>"))
    }
}
