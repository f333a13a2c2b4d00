@testable import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// The order a geometric repack lists commits in, which decides which
/// versions of a tree meet in the delta search: history's, even when a
/// service wrote hundreds of commits in one second.
@Suite("Repack commit order")
struct RepackCommitOrderTests {
    /// Any tree: the order never looks at it.
    private let tree = ObjectID.hash(kind: .tree, body: [], algorithm: .sha1)

    private func id(_ n: Int) -> ObjectID {
        ObjectID.hash(kind: .commit, body: Array("commit \(n)".utf8), algorithm: .sha1)
    }

    /// A chain written within one second, listed in id order: children
    /// come before their parents, and a merge before both its parents.
    @Test func equalTimesFollowTheHistory() {
        var commits = (0..<40).map { n in
            RepackCommitOrder.Commit(id: id(n), parents: n == 0 ? [] : [id(n - 1)], tree: tree, time: 1_700_000_000, at: 0)
        }
        // A side branch off commit 10, merged back as commit 40.
        commits.append(.init(id: id(100), parents: [id(10)], tree: tree, time: 1_700_000_000, at: 0))
        commits.append(.init(id: id(40), parents: [id(39), id(100)], tree: tree, time: 1_700_000_000, at: 0))
        commits.sort { $0.id < $1.id }
        for i in commits.indices { commits[i].at = i }
        let order = RepackCommitOrder.newestFirst(commits).map(\.id)
        let place = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        #expect(order.count == commits.count)
        for commit in commits {
            for parent in commit.parents { #expect(place[commit.id]! < place[parent]!) }
        }
        #expect(Array(order.prefix(2)) == [id(40), id(39)])
    }

    /// A later time still comes first; a loop of parents (not a history,
    /// but bytes on disk can say anything) ends the numbering instead of hanging.
    @Test func timesComeFirstAndALoopEnds() {
        let commits = [
            RepackCommitOrder.Commit(id: id(1), parents: [id(2)], tree: tree, time: 10, at: 0),
            RepackCommitOrder.Commit(id: id(2), parents: [id(1)], tree: tree, time: 10, at: 1),
            RepackCommitOrder.Commit(id: id(3), parents: [id(1)], tree: tree, time: 5, at: 2),
        ]
        let order = RepackCommitOrder.newestFirst(commits).map(\.id)
        #expect(Set(order.prefix(2)) == [id(1), id(2)])
        #expect(order.last == id(3))
    }

    /// 400 commits in one second, each sealing its own pack and editing one
    /// key of a 128-directory root, rolled up into one pack: it is within
    /// 1.3× of `git repack -adf`'s. Ordered by id within the second, the
    /// root's versions met strangers in the window, and the pack was 2.6×
    /// git's.
    @Test func commitsOfOneSecondPackAsWellAsGitPacksThem() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/store"
            let repository = try Repository.create(at: path, configuration: .init(maintenance: .off))
            let main = try repository.branch("main")
            let second = Signature(name: "Writer", email: "writer@example.com", time: 1_700_000_000)
            try main.transaction(message: "seed", author: second) { transaction in
                for n in 0..<128 { transaction.set(try Key("d\(n)/seed"), Data("seed \(n)".utf8)) }
            }
            for n in 0..<400 {
                try main.set(Key("d\((n * 37) % 128)/k\(n)"), Data("value \(n)".utf8), author: second, committer: second)
            }
            try repository.repackGeometric()
            let packed = try packBytes(path)
            let copy = directory + "/copy"
            try GitRunner.run(["clone", "--quiet", "--bare", "--no-local", path, copy])
            try GitRunner.run(["repack", "-q", "-a", "-d", "-f", "--window=10", "--depth=50"], in: copy)
            let gits = try packBytes(copy)
            #expect(Double(packed) <= 1.3 * Double(gits), "Banyan's packs \(packed) bytes, git's \(gits)")
            try GitRunner.run(["fsck", "--strict", "--no-dangling"], in: path)
        }
    }

    /// The bytes of the packs Banyan reads (replaced ones left aside).
    private func packBytes(_ repository: String) throws -> Int {
        let directory = repository + "/objects/pack"
        let replaced = ReplacedPacks.read(repository)
        return try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".pack") && replaced[String($0.dropLast(".pack".count))] == nil }
            .reduce(0) { $0 + ((try FileManager.default.attributesOfItem(atPath: directory + "/" + $1)[.size] as? Int) ?? 0) }
    }
}
