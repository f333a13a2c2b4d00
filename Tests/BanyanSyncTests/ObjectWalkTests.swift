import Banyan
import BanyanSync
import BanyanTestSupport
import Foundation
import Testing

/// The walk that decides what upload-pack sends selects what
/// `git rev-list --objects` lists, on histories whose trees share subtrees,
/// return to earlier versions and hold names where Git's order and plain
/// byte order disagree; and what it selects goes out as packs real `git` accepts.
@Suite("Sync: the object walk", .serialized)
struct ObjectWalkTests {
    /// A fast-import stream: `commits` commits on `main`, then a side branch
    /// merged back. Subtrees recur at several paths (`copy/` mirrors
    /// `dir/`), files return to earlier contents, a directory `a` sits
    /// next to files `a.b` and `a-b` (which sort between `a` and `a/` in
    /// byte order), and a gitlink entry points at a commit the store lacks.
    static func history(commits: Int) -> String {
        var stream = ""
        var mark = 0
        func commit(_ branch: String, _ time: Int, from: String?, merge: String? = nil, _ changes: [String]) {
            mark += 1
            stream += "commit refs/heads/\(branch)\nmark :\(mark)\n"
            let message = "c\(mark)\n"
            stream += "committer Tester <t@example.com> \(1_700_000_000 + time) +0000\ndata \(message.utf8.count)\n\(message)"
            if let from { stream += "from \(from)\n" }
            if let merge { stream += "merge \(merge)\n" }
            for change in changes { stream += change + "\n" }
        }
        func file(_ path: String, _ text: String) -> String {
            "M 100644 inline \(path)\ndata \(text.utf8.count)\n\(text)"
        }
        for i in 0..<commits {
            let version = i % 4  // contents come back every four commits
            var changes = [
                file("dir/f\(i % 3)", "value \(version)\n"),
                file("copy/f\(i % 3)", "value \(version)\n"),
                file("a/inner", "inner \(i % 2)\n"),
                file("a.b", "dot \(i % 5)\n"),
                file("a-b", "dash\n"),
                file("deep/x/y/z", "deep \(i / 3)\n"),
            ]
            if i == 2 { changes.append("M 160000 \(String(repeating: "ab", count: 20)) module") }
            if i == 5 { changes.append("D copy") }
            commit("main", i, from: nil, changes)
        }
        let fork = mark
        commit("side", commits, from: ":\(fork - 2)", [file("side/only", "side\n"), file("dir/f0", "value 1\n")])
        commit("main", commits + 1, from: nil, merge: "refs/heads/side", [file("merged", "yes\n")])
        return stream
    }

    static func makeRepository(_ path: String, commits: Int) async throws {
        try await git(["init", "-q", "--bare", path])
        _ = try await offPool {
            try GitRunner.run(["fast-import", "--quiet"], in: path, input: Data(history(commits: commits).utf8))
        }
        try await git(["symbolic-ref", "HEAD", "refs/heads/main"], in: path)
    }

    /// The ids `git rev-list --objects ARGS` lists.
    static func revList(_ arguments: [String], in path: String) async throws -> Set<ObjectID> {
        let text = try await git(["rev-list", "--objects"] + arguments, in: path).text
        return Set(text.split(separator: "\n").compactMap { ObjectID(hex: $0.prefix(40)) })
    }

    static func id(_ revision: String, in path: String) async throws -> ObjectID {
        try ObjectID(validating: try await git(["rev-parse", revision], in: path).text)
    }

    @Test(arguments: [false, true])
    func selectionEqualsRevListObjects(packed: Bool) async throws {
        let dir = TemporaryDirectory()
        let path = dir.appending("repo.git")
        try await Self.makeRepository(path, commits: 12)
        if packed { try await git(["gc", "-q"], in: path) }
        let walk = ObjectWalk(repository: try Repository.open(at: path))
        let main = try await Self.id("main", in: path)
        let side = try await Self.id("side", in: path)

        let everything = try walk.select(wants: [main, side], haves: [])
        #expect(Set(everything.objects.map(\.id)) == (try await Self.revList(["main", "side"], in: path)))
        #expect(everything.objects.count == Set(everything.objects.map(\.id)).count)
        #expect(everything.commitCount == 14)

        // An incremental fetch: what main has beyond an old commit of it.
        // Git's gc writes reachability bitmaps, from which the answer is
        // exact; the walk's is `rev-list`'s, which resends objects the
        // receiver had further back (files here return to old contents).
        let old = try await Self.id("main~7", in: path)
        let newer = try walk.select(wants: [main], haves: [old])
        let expected = packed
            ? (try await Self.revList(["main"], in: path)).subtracting(try await Self.revList([old.hex], in: path))
            : try await Self.revList(["main", "^" + old.hex], in: path)
        #expect(Set(newer.objects.map(\.id)) == expected)
    }

    @Test(arguments: ["blob:none", "blob:limit=100", "tree:0", "tree:1", "tree:2", "combine:blob:limit=100+tree:2"])
    func filteredSelectionEqualsRevListFilter(_ spec: String) async throws {
        let dir = TemporaryDirectory()
        let path = dir.appending("repo.git")
        try await Self.makeRepository(path, commits: 12)
        let walk = ObjectWalk(repository: try Repository.open(at: path))
        let main = try await Self.id("main", in: path)
        let side = try await Self.id("side", in: path)
        let filtered = try walk.select(wants: [main, side], haves: [], filter: try ObjectFilter(parsing: spec))
        #expect(Set(filtered.objects.map(\.id)) == (try await Self.revList(["--filter=\(spec)", "main", "side"], in: path)))
        #expect(filtered.commitCount == 14)

        // What a fetch names by id is sent whatever the filter: how a partial clone gets a missing blob.
        let blob = try ObjectID(validating: try await git(["rev-parse", "main:" + (try await git(
            ["ls-tree", "-r", "--name-only", "main"], in: path).text.split(separator: "\n")[0])], in: path).text)
        let wanted = try walk.select(wants: [main, blob], haves: [], filter: .blobNone)
        #expect(wanted.objects.filter { $0.kind == .blob }.map(\.id) == [blob])
    }

    /// Sparse filters, against `git rev-list --filter=sparse:oid=…`: the
    /// history has the same blob at several paths (`dir/f0`, `copy/f0`), so
    /// a blob stays when any of its paths is held.
    @Test func sparseSelectionEqualsRevListFilter() async throws {
        let dir = TemporaryDirectory()
        let path = dir.appending("repo.git")
        try await Self.makeRepository(path, commits: 12)
        let walk = ObjectWalk(repository: try Repository.open(at: path))
        let wants = [try await Self.id("main", in: path), try await Self.id("side", in: path)]
        let allBlobs = try walk.select(wants: wants, haves: []).objects.count { $0.kind == .blob }
        let specs = ["/dir/\n", "f1\n", "/*\n!/*/\n", "/deep/\n!/deep/x/\n/deep/x/y/\n", "/a*\n!a/\n", "/*\n!/a/\n", "# nothing\n"]
        for text in specs {
            let file = path + "/sparse-spec"
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            let blob = try await git(["hash-object", "-w", file], in: path).text
            let spec = "sparse:oid=\(blob)"
            let filtered = try walk.select(wants: wants, haves: [], filter: try ObjectFilter(parsing: spec))
            #expect(Set(filtered.objects.map(\.id)) == (try await Self.revList(["--filter=\(spec)"] + wants.map(\.hex), in: path)),
                    "\(text.debugDescription)")
            let blobs = filtered.objects.count { $0.kind == .blob }
            #expect(text == "# nothing\n" ? blobs == 0 : blobs > 0 && blobs < allBlobs, "\(text.debugDescription): \(blobs) of \(allBlobs)")
        }
    }

    @Test func selectedKindsAndPathsMatchTheTrees() async throws {
        let dir = TemporaryDirectory()
        let path = dir.appending("repo.git")
        try await Self.makeRepository(path, commits: 6)
        let repository = try Repository.open(at: path)
        let main = try await Self.id("main", in: path)
        let selection = try ObjectWalk(repository: repository).select(wants: [main], haves: [])
        for object in selection.objects {
            #expect(try repository.objects.get(object.id).kind == object.kind)
        }
        // Each blob and subtree is named by a path where one of main's commits holds it.
        var held = Set<String>()
        for commit in try await git(["rev-list", "main"], in: path).text.split(separator: "\n") {
            for line in try await git(["ls-tree", "-r", "-t", String(commit)], in: path).text.split(separator: "\n") {
                let fields = line.split(separator: "\t", maxSplits: 1)
                held.insert("\(fields[0].split(separator: " ")[2]) \(fields[1])")
            }
        }
        for object in selection.objects where object.kind == .blob || (object.kind == .tree && !object.path.isEmpty) {
            #expect(held.contains("\(object.id) \(object.path)"), "\(object.kind) \(object.id) at \(object.path)")
        }
    }

    @Test(arguments: ["2", "0"])
    func clonesAndFetchesPassStrictChecks(_ version: String) async throws {
        // git gc packs the store: most entries go out as stored, the rest are searched afresh.
        let dir = TemporaryDirectory()
        let path = dir.appending("server.git")
        try await Self.makeRepository(path, commits: 12)
        try await git(["gc", "-q"], in: path)
        let server = try await TestServer.start(try Repository.open(at: path))
        let clone = dir.appending("clone.git")
        try await git(["-c", "protocol.version=\(version)", "-c", "transfer.fsckObjects=true",
                       "clone", "-q", "--bare", "--no-local", server.url, clone])
        // The first six commits are the same in a shorter history: fetching gives the rest.
        let old = dir.appending("old.git")
        try await Self.makeRepository(old, commits: 6)
        try await git(["-c", "protocol.version=\(version)", "-c", "transfer.fsckObjects=true",
                       "fetch", "-q", server.url, "+refs/heads/*:refs/heads/*"], in: old)
        await server.stop()
        let served = try await Self.revList(["--all"], in: path)
        for repository in [clone, old] { try await git(["fsck", "--strict", "--no-dangling"], in: repository) }
        #expect(try await Self.revList(["--all"], in: clone) == served)
        #expect(try await Self.revList(["main", "side"], in: old) == served)
    }
}
