import Banyan
import BanyanTestSupport
import Foundation
import Testing

@Suite("Store API")
struct RepositoryTests {
    /// `forEachValue` (the byte path walk under `banyan ls -r`) lists what
    /// `walk` lists, in the same order, under any prefix.
    @Test(arguments: StoreKind.allCases)
    func theBytePathWalkMatchesTheKeyWalk(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let main = try repo.branch("main")
        var generator = SystemRandomNumberGenerator()
        try main.transaction(message: "keys", author: signature()) { tx in
            for n in 0..<300 {
                let depth = Int.random(in: 1...4, using: &generator)
                let path = (0..<depth).map { _ in ["a", "b", "a-b", "a.b", "c0", "\u{e9}"].randomElement(using: &generator)! }
                tx.set(try Key(path.joined(separator: "/") + "/v\(n)"), Data("\(n)".utf8))
            }
            tx.set(try Key("top"), Data("t".utf8))
        }
        let snapshot = try main.snapshot()
        for prefix in ["", "a", "a/b", "top", "absent", "a/b/v1"] {
            let key = try Key(prefix: prefix)
            var paths: [String] = []
            var ids: [ObjectID] = []
            try snapshot.forEachValue(under: key) { path, id in
                paths.append(String(decoding: path, as: UTF8.self))
                ids.append(id)
            }
            let expected = try snapshot.walk(key)
            #expect(paths == expected.map(\.key.path), "under '\(prefix)'")
            #expect(ids == expected.map(\.id), "under '\(prefix)'")
        }
    }

    /// Found by the REST API fuzz run (scripts/api-fuzz.sh): `POST /api/v1/commit/NEW`
    /// with only `remove` made a commit whose empty tree was never stored.
    @Test(arguments: StoreKind.allCases)
    func aFirstCommitThatOnlyRemovesStoresTheEmptyTree(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let fresh = try repo.branch("fresh")
        let id = try #require(try fresh.transaction(message: "nothing", author: signature()) { $0.remove(key("x")) })
        #expect(try repo.commit(id).tree == repo.hashAlgorithm.emptyTreeID)
        #expect(try repo.objects.contains(repo.hashAlgorithm.emptyTreeID))
        #expect(try repo.fsck().isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func setGetRemoveRoundTrip(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let main = try repo.branch("main")
        #expect(try main.head() == nil)
        #expect(try main.find(key("a/b")) == nil)
        let first = try main.set(key("a/b"), data("one"), message: "first", author: signature())
        #expect(try main.head() == first)
        #expect(text(try main.get(key("a/b"))) == "one")
        #expect(try main.exists(key("a/b")))
        #expect(try main.exists(key("a")) == false)   // a directory, not a value
        try main.set(key("a/c"), data("two"), author: signature(1_700_000_001))
        #expect(try main.list(key("a")).map(\.name) == ["b", "c"])
        let removed = try main.remove(key("a/b"), author: signature(1_700_000_002))
        #expect(try main.find(key("a/b")) == nil)
        #expect(text(try main.get(key("a/c"))) == "two")
        #expect(try main.log().count == 3)
        #expect(try main.log().first?.id == removed)
        #expect(throws: BanyanError.self) { try main.get(key("a/b")) }
    }

    @Test(arguments: StoreKind.allCases)
    func writingTheSameValueMakesNoCommit(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let main = try repo.branch("main")
        let head = try main.set(key("k"), data("v"))
        #expect(try main.set(key("k"), data("v")) == head)
        #expect(try main.remove(key("missing")) == head)
        #expect(try main.log().count == 1)
    }

    @Test(arguments: StoreKind.allCases)
    func commitsCarryAuthorMessageAndTime(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let main = try repo.branch("main")
        let author = Signature(name: "Ada", email: "ada@example.com", time: 1_700_000_123, timeZoneMinutes: 330)
        let id = try main.set(key("k"), data("v"), message: "hello\n\nbody", author: author)
        let commit = try repo.commit(id)
        #expect(commit.author == author)
        #expect(commit.committer == author)
        #expect(commit.messageString == "hello\n\nbody\n")
        #expect(commit.parents.isEmpty)
        #expect(try main.reflog().map(\.message) == ["commit (initial): hello"])
    }

    @Test(arguments: StoreKind.allCases)
    func codableValuesRoundTrip(_ kind: StoreKind) throws {
        struct Contact: Codable, Equatable { var name: String; var tags: [String] }
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let main = try repo.branch("main")
        let ada = Contact(name: "Ada", tags: ["math", "engines"])
        try main.set(key("contacts/ada"), encoding: ada)
        #expect(try main.get(key("contacts/ada"), as: Contact.self) == ada)
        #expect(text(try main.get(key("contacts/ada"))) == #"{"name":"Ada","tags":["math","engines"]}"#)
        #expect(try main.find(key("contacts/bob"), as: Contact.self) == nil)
        try main.set(key("contacts/bad"), data("not json"))
        #expect(throws: BanyanError.self) { try main.get(key("contacts/bad"), as: Contact.self) }
    }

    @Test(arguments: StoreKind.allCases)
    func transactionsAreOneCommitAndSeeTheirOwnWrites(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let main = try repo.branch("main")
        try main.set(key("x/old"), data("1"))
        let head = try main.transaction(message: "batch") { tx in
            tx.set(key("x/new"), data("2"))
            let written = try tx.find(key("x/new"))
            #expect(text(written) == "2")
            tx.remove(key("x/old"))
            let removed = try tx.find(key("x/old"))
            #expect(removed == nil)
            tx.set(key("y/z"), data("3"))
            tx.remove(key("y"))
            tx.set(key("y/w"), data("4"))
        }
        #expect(try main.log().count == 2)
        #expect(try main.head() == head)
        #expect(try main.walk().map(\.key.path) == ["x/new", "y/w"])
    }

    @Test(arguments: StoreKind.allCases)
    func keysUnderAValueAreRejectedAndNothingIsWritten(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let main = try repo.branch("main")
        let head = try main.set(key("a"), data("value"))
        #expect { try main.set(key("a/b"), data("x")) } throws: { ($0 as? BanyanError)?.code == .notADirectory }
        #expect(try main.head() == head)
        try main.set(key("d/e"), data("x"))
        #expect { try main.set(key("d"), data("y")) } throws: { ($0 as? BanyanError)?.code == .notADirectory }
        #expect(text(try main.get(key("d/e"))) == "x")
        try main.transaction(message: "replace the directory on purpose") { tx in
            tx.remove(key("d"))
            tx.set(key("d"), data("y"))
        }
        #expect(text(try main.get(key("d"))) == "y")
    }

    @Test(arguments: StoreKind.allCases)
    func removingTheLastKeyOfADirectoryRemovesTheDirectory(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let main = try repo.branch("main")
        try main.set(key("a/b/c"), data("1"))
        try main.set(key("z"), data("2"))
        try main.remove(key("a/b/c"))
        #expect(try main.list().map(\.name) == ["z"])
        try main.remove(key("z"))
        #expect(try main.snapshot().root == repo.hashAlgorithm.emptyTreeID)
    }

    @Test(arguments: StoreKind.allCases)
    func unchangedSubtreesAreShared(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let main = try repo.branch("main")
        try main.transaction(message: "seed") { tx in
            for n in 0..<50 { tx.set(key("d\(n % 5)/k\(n)"), data("v\(n)")) }
        }
        let before = try main.snapshot()
        try main.set(key("d3/k3"), data("changed"))
        let after = try main.snapshot()
        for n in [0, 1, 2, 4] {
            #expect(try before.entry(at: key("d\(n)"))?.id == after.entry(at: key("d\(n)"))?.id)
        }
        #expect(try before.entry(at: key("d3"))?.id != after.entry(at: key("d3"))?.id)
        #expect(try repo.diff(before, after).map(\.key.path) == ["d3/k3"])
    }

    @Test(arguments: StoreKind.allCases)
    func branchesAreIndependentAndDetachedViewsDoNotMove(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let main = try repo.branch("main")
        let first = try main.set(key("k"), data("1"))
        let dev = try repo.createBranch("dev")
        #expect(try dev.head() == first)
        try dev.set(key("k"), data("2"))
        try main.set(key("k"), data("3"))
        #expect(text(try dev.get(key("k"))) == "2")
        #expect(text(try main.get(key("k"))) == "3")
        #expect(text(try repo.snapshot(commit: first).get(key("k"))) == "1")
        #expect(try repo.branches() == ["dev", "main"])
        #expect { try repo.createBranch("dev") } throws: { ($0 as? BanyanError)?.code == .alreadyExists }
        #expect { try repo.deleteBranch("main") } throws: { ($0 as? BanyanError)?.code == .invalidArgument }
        try repo.deleteBranch("dev")
        #expect(try repo.branches() == ["main"])
        #expect { try repo.branch("bad..name") } throws: { ($0 as? BanyanError)?.code == .invalidRefName }
    }

    @Test(arguments: StoreKind.allCases)
    func resetMovesTheBranchAndKeepsTheReflog(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let main = try repo.branch("main")
        let first = try main.set(key("k"), data("1"))
        let second = try main.set(key("k"), data("2"))
        try main.reset(to: first)
        #expect(try main.head() == first)
        #expect(text(try main.get(key("k"))) == "1")
        let log = try main.reflog()
        #expect(log.map(\.new) == [first, second, first])
        #expect(log.last?.old == second)
    }
}
