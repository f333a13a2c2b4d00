@testable import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// The one commit selection of gc, bundles, upload-pack and push chooses
/// what `git rev-list TIPS --not EXCLUDED` chooses and meets the boundary
/// `git rev-list --boundary` names, on a history of branches and merges;
/// and it says what it does about a missing or mistyped commit.
@Suite("commit walk")
struct CommitWalkTests {
    /// A fast-import stream of `commits` commits on four branches that fork
    /// from and merge into each other at seeded random points.
    static func branchingHistory(commits: Int, seed: UInt64) -> String {
        var random = SeededRandom(seed: seed)
        var stream = ""
        let branches = ["main", "b1", "b2", "b3"]
        var started: [String] = []
        for mark in 1...commits {
            let branch = branches[Int(random.next() % UInt64(branches.count))]
            stream += "commit refs/heads/\(branch)\nmark :\(mark)\n"
            stream += "committer T <t@example.com> \(1_700_000_000 + mark) +0000\ndata 2\nc\n"
            if !started.contains(branch) {
                if let from = started.randomElement(using: &random) { stream += "from refs/heads/\(from)\n" }
                started.append(branch)
            } else if random.next() % 4 == 0, let other = started.filter({ $0 != branch }).randomElement(using: &random) {
                stream += "merge refs/heads/\(other)\n"
            }
            stream += "M 100644 inline f\(mark % 7)\ndata 3\n\(mark % 10)\n\n"
        }
        return stream
    }

    /// The commit ids `git rev-list ARGS` prints, and the boundary ones (`-` lines) apart.
    static func revList(_ arguments: [String], in path: String) throws -> (commits: Set<ObjectID>, boundary: Set<ObjectID>) {
        let result = try Git(path).run(["git", "rev-list", "--boundary"] + arguments)
        guard result.status == 0 else { throw GitFailure(description: "git rev-list: \(result.stderr)") }
        let lines = result.stdout.split(separator: "\n")
        let boundary = lines.filter { $0.hasPrefix("-") }.map { try! ObjectID(validating: String($0.dropFirst())) }
        let commits = lines.filter { !$0.hasPrefix("-") }.map { try! ObjectID(validating: String($0)) }
        return (Set(commits), Set(boundary))
    }

    @Test("selects what git rev-list selects, and meets its boundary", arguments: [1, 2, 3] as [UInt64])
    func matchesRevList(seed: UInt64) throws {
        let directory = TemporaryDirectory()
        let path = directory.appending("repo.git")
        try Git(nil)("init", "-q", "--bare", path)
        try Git(path)("fast-import", "--quiet", input: Self.branchingHistory(commits: 120, seed: seed))
        let repository = try Repository.open(at: path)
        let branches = ["main", "b1", "b2", "b3"]
        var pairsWithABoundary = 0
        for tip in branches {
            for other in branches where other != tip {
                let tipID = try repository.resolve(tip)
                let otherID = try repository.resolve(other)
                let expected = try Self.revList([tip, "--not", other], in: path)

                var walk = CommitWalk(store: repository.objects)
                walk.excluded = try CommitWalk.ancestors(of: [otherID], in: repository.objects)
                var visited = ObjectIDSet()
                var selected: [ObjectID] = []
                try walk.walk(from: [tipID], missing: .fail(origin: tip), visited: &visited) { id, _, _ in selected.append(id) }

                #expect(Set(selected) == expected.commits, "\(tip) --not \(other)")
                #expect(selected.count == expected.commits.count, "each commit once")
                #expect(Set(walk.boundary) == expected.boundary, "boundary of \(tip) --not \(other)")
                #expect(walk.boundary.count == expected.boundary.count, "each boundary commit once")
                if let first = selected.first { #expect(first == tipID, "the tip comes first") }
                if !expected.boundary.isEmpty { pairsWithABoundary += 1 }
            }
        }
        #expect(pairsWithABoundary > 0, "the history has ranges with a boundary")
    }

    @Test("walks sharing a visited set each find only what is new")
    func sharedVisitedSet() throws {
        let directory = TemporaryDirectory()
        let path = directory.appending("repo.git")
        try Git(nil)("init", "-q", "--bare", path)
        try Git(path)("fast-import", "--quiet", input: Self.branchingHistory(commits: 60, seed: 9))
        let repository = try Repository.open(at: path)
        var walk = CommitWalk(store: repository.objects)
        var visited = ObjectIDSet()
        var seen: [ObjectID] = []
        for branch in ["main", "b1", "b2", "b3"] {
            try walk.walk(from: [try repository.resolve(branch)], missing: .fail(origin: branch), visited: &visited) { id, _, _ in
                seen.append(id)
            }
        }
        let all = try Self.revList(["--all"], in: path).commits
        #expect(Set(seen) == all)
        #expect(seen.count == all.count)
    }

    /// A memory store holding one commit whose parent is `parent`.
    private func storeWithCommit(parent: ObjectID) throws -> (Repository, ObjectID) {
        let repository = try Repository.inMemory()
        let tree = try repository.objects.put(RawObject(kind: .tree, body: []))
        let someone = Signature(name: "T", email: "t@example.com", time: 1_700_000_000)
        let commit = Commit(tree: tree, parents: [parent], author: someone, committer: someone, message: "c\n")
        let id = try repository.objects.put(RawObject(kind: .commit, body: commit.encoded()))
        return (repository, id)
    }

    @Test("a missing parent is counted under .skip and named under .fail")
    func missingParent() throws {
        let absent = ObjectID.hash(kind: .commit, body: Array("not stored".utf8), algorithm: .sha1)
        let (repository, id) = try storeWithCommit(parent: absent)
        var skipping = CommitWalk(store: repository.objects)
        var visited = ObjectIDSet()
        var selected: [ObjectID] = []
        try skipping.walk(from: [id], missing: .skip, visited: &visited) { id, _, _ in selected.append(id) }
        #expect(selected == [id])
        #expect(skipping.missingCount == 1)

        var failing = CommitWalk(store: repository.objects)
        var fresh = ObjectIDSet()
        let error = #expect(throws: BanyanError.self) {
            try failing.walk(from: [id], missing: .fail(origin: "refs/heads/main"), visited: &fresh) { _, _, _ in }
        }
        #expect(error?.code == .objectNotFound)
        #expect(error?.message.contains("refs/heads/main") == true)
        #expect(error?.message.contains(absent.hex) == true)
    }

    @Test("a parent that is not a commit is refused, named")
    func parentOfAnotherKind() throws {
        let scratch = try Repository.inMemory()
        let blob = try scratch.objects.put(RawObject(kind: .blob, body: Array("x".utf8)))
        let (repository, id) = try storeWithCommit(parent: blob)
        _ = try repository.objects.put(RawObject(kind: .blob, body: Array("x".utf8)))
        var walk = CommitWalk(store: repository.objects)
        var visited = ObjectIDSet()
        let error = #expect(throws: BanyanError.self) {
            try walk.walk(from: [id], missing: .skip, visited: &visited) { _, _, _ in }
        }
        #expect(error?.code == .corruptObject)
        #expect(error?.message.contains(blob.hex) == true)
    }
}
