import Banyan
import BanyanTestSupport
import Foundation
import Testing

@Suite("Revisions, history and diff")
struct RevisionTests {
    @Test(arguments: StoreKind.allCases)
    func revParseForms(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let main = try repo.branch("main")
        let c1 = try main.set(key("k"), data("1"), author: signature(1))
        let c2 = try main.set(key("k"), data("2"), author: signature(2))
        let c3 = try main.set(key("dir/k"), data("3"), author: signature(3))
        #expect(try repo.resolve("main") == c3)
        #expect(try repo.resolve("HEAD") == c3)
        #expect(try repo.resolve("refs/heads/main") == c3)
        #expect(try repo.resolve("heads/main") == c3)
        #expect(try repo.resolve(c2.hex) == c2)
        #expect(try repo.resolve(c2.hex.uppercased()) == c2)
        #expect(try repo.resolve(String(c1.hex.prefix(12))) == c1)
        #expect(try repo.resolve("main^") == c2)
        #expect(try repo.resolve("main~2") == c1)
        #expect(try repo.resolve("main^^") == c1)
        #expect(try repo.resolve("main~1^") == c1)
        #expect(try repo.resolve("main^0") == c3)
        #expect(try repo.resolve("main:dir/k") == RawObject.blob(Array("3".utf8)).id(repo.hashAlgorithm))
        #expect(try repo.resolve("main~1:") == repo.commit(c2).tree)
        for bad in ["nope", "main~3", "main^2", "main:missing", "", "main~x", "0000"] {
            #expect(throws: BanyanError.self, "\(bad)") { try repo.resolve(bad) }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func logFollowsFirstParentsOrAllAncestors(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let main = try repo.branch("main")
        let base = try main.set(key("k"), data("0"), author: signature(10))
        let left = try main.set(key("l"), data("1"), author: signature(20))
        let side = try repo.createBranch("side", at: base)
        let right = try side.set(key("r"), data("1"), author: signature(30))
        // A merge commit built by hand: the merge issue adds the real thing.
        let tree = try repo.snapshot(commit: left).root
        let merge = Commit(tree: tree, parents: [left, right], author: signature(40), committer: signature(40), message: "merge\n")
        let mergeID = try repo.objects.put(merge.rawObject)
        try main.reset(to: mergeID)
        #expect(try main.log().map(\.id) == [mergeID, right, left, base])
        #expect(try main.log(firstParent: true).map(\.id) == [mergeID, left, base])
        #expect(try main.log(limit: 2).map(\.id) == [mergeID, right])
    }

    @Test(arguments: StoreKind.allCases)
    func diffReportsAddedRemovedAndChangedKeys(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let main = try repo.branch("main")
        let a = try main.transaction(message: "a") { tx in
            tx.set(key("same"), data("s"))
            tx.set(key("change/me"), data("1"))
            tx.set(key("gone/x"), data("x"))
            tx.set(key("flip"), data("value"))
        }!
        let b = try main.transaction(message: "b") { tx in
            tx.set(key("change/me"), data("2"))
            tx.remove(key("gone"))
            tx.set(key("new/y"), data("y"))
            tx.remove(key("flip"))
            tx.set(key("flip/inner"), data("now a dir"))
        }!
        let changes = try repo.diff(from: a, to: b)
        let summary = changes.map { "\($0.kind.rawValue) \($0.key)" }
        #expect(summary == ["changed change/me", "added flip/inner", "removed flip", "removed gone/x", "added new/y"])
        #expect(try repo.diff(from: b, to: b).isEmpty)
        let back = try repo.diff(from: b, to: a)
        #expect(back.count == changes.count)
    }

    @Test(arguments: StoreKind.allCases)
    func fsckFindsMissingObjects(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let main = try repo.branch("main")
        try main.set(key("k"), data("v"))
        #expect(try repo.fsck().isEmpty)
        // A commit pointing at a tree that is not stored.
        let ghostTree = ObjectID.hash(kind: .tree, body: Array("ghost".utf8), algorithm: repo.hashAlgorithm)
        let broken = Commit(tree: ghostTree, parents: [try main.head()!], author: signature(), committer: signature(), message: "broken\n")
        let id = try repo.objects.put(broken.rawObject)
        try repo.createBranch("broken", at: nil)
        try repo.branch("broken").reset(to: id)
        let problems = try repo.fsck()
        // git's two lines: the broken link from the commit, then the missing tree.
        #expect(problems.map(\.message) == [
            "broken link from  commit \(id)\n              to    tree \(ghostTree)", "missing tree \(ghostTree)",
        ])
        #expect(problems.allSatisfy { $0.id == ghostTree && $0.isError && $0.category == .reachability })
    }
}
