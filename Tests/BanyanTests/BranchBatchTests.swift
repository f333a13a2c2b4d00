import Banyan
import BanyanTestSupport
import Foundation
import Testing

@Suite("Branch.batch")
struct BranchBatchTests {
    /// A fresh store of `kind` and its `main` branch; keep the directory alive while using them.
    static func store(_ kind: StoreKind) throws -> (Repository, Branch, TemporaryDirectory) {
        let (repo, directory) = try kind.make()
        return (repo, try repo.branch("main"), directory)
    }

    @Test("each commit of a batch builds on the one before; the branch moves once", arguments: StoreKind.allCases)
    func commitsInSequence(_ kind: StoreKind) throws {
        let (repo, main, directory) = try Self.store(kind)
        _ = (repo, directory)
        let first = try main.set(key("a"), data("0"), message: "start", author: signature())
        let head = try main.batch { batch in
            #expect(batch.head == first)
            for n in 1...3 {
                let id = try batch.commit(message: "c\(n)\nbody", author: signature(1_700_000_000 + Int64(n))) { tx in
                    // Reads see the batch's previous commit.
                    let previous = try tx.find(key("a"))
                    #expect(text(previous) == String(n - 1))
                    tx.set(key("a"), data(String(n)))
                    tx.set(key("dir/k\(n)"), data("v\(n)"))
                }
                #expect(id == batch.head)
                // The branch itself has not moved yet.
                #expect(try main.head() == first)
            }
            #expect(batch.count == 3)
        }
        #expect(try main.head() == head)
        let log = try main.log()
        let messages = log.map { String(decoding: $0.commit.message, as: UTF8.self) }
        #expect(messages == ["c3\nbody\n", "c2\nbody\n", "c1\nbody\n", "start\n"])
        for (entry, n) in zip(log, [3, 2, 1, 0]) {
            #expect(text(try repo.snapshot(commit: entry.id).find(key("a"))) == String(n))
        }
        #expect(try main.list(key("dir")).count == 3)
        let reflog = try main.reflog()
        #expect(reflog.count == 2)
        #expect(reflog.last?.old == first && reflog.last?.new == head)
        #expect(reflog.last?.message == "commit (batch of 3): c3")
        #expect(try repo.fsck().isEmpty)
    }

    @Test("a batch whose body throws leaves the branch where it was", arguments: StoreKind.allCases)
    func failedBodyMovesNothing(_ kind: StoreKind) throws {
        let (repo, main, directory) = try Self.store(kind)
        _ = (repo, directory)
        let first = try main.set(key("a"), data("0"), author: signature())
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try main.batch { batch in
                try batch.commit(message: "kept?") { $0.set(key("a"), data("1")) }
                throw Stop()
            }
        }
        #expect(try main.head() == first)
        #expect(text(try main.find(key("a"))) == "0")
        #expect(try main.reflog().count == 1)
    }

    @Test("commits that change nothing are skipped; an empty batch changes nothing", arguments: StoreKind.allCases)
    func emptyCommits(_ kind: StoreKind) throws {
        let (repo, main, directory) = try Self.store(kind)
        _ = (repo, directory)
        let none = try main.batch { _ in }
        #expect(none == nil)
        #expect(try main.exists() == false)
        let first = try main.set(key("a"), data("0"), author: signature())
        let head = try main.batch { batch in
            let unchanged = try batch.commit(message: "same") { $0.set(key("a"), data("0")) }
            #expect(unchanged == first)
            #expect(batch.count == 0)
        }
        #expect(head == first)
        #expect(try main.reflog().count == 1)
    }

    @Test("when another writer moves the branch, the batch runs again on the new head", arguments: StoreKind.allCases)
    func raceRerunsBody(_ kind: StoreKind) throws {
        let (repo, main, directory) = try Self.store(kind)
        _ = (repo, directory)
        try main.set(key("counter"), data("0"), author: signature())
        var runs = 0
        let head = try main.batch { batch in
            runs += 1
            if runs == 1 {
                // Another writer lands while the first attempt runs.
                try repo.branch("main").set(key("other"), data("x"), author: signature())
            }
            for _ in 0..<2 {
                try batch.commit(message: "inc", author: signature()) { tx in
                    let value = Int(text(try tx.find(key("counter"))) ?? "0") ?? 0
                    tx.set(key("counter"), data(String(value + 1)))
                }
            }
        }
        #expect(runs == 2)
        #expect(try main.head() == head)
        #expect(text(try main.find(key("counter"))) == "2")
        #expect(text(try main.find(key("other"))) == "x")
        let messages = try main.log().map { String(decoding: $0.commit.message, as: UTF8.self) }
        #expect(messages == ["inc\n", "inc\n", "set other\n", "set counter\n"])
    }

    @Test("git reads a batch's history and accepts the store", arguments: HashAlgorithm.allCases)
    func gitReadsBatch(_ algorithm: HashAlgorithm) throws {
        try withTemporaryDirectory { directory in
            let repo = try Repository.create(at: directory + "/store.git", hashAlgorithm: algorithm)
            let main = try repo.branch("main")
            // Enough commits that trees are stored as deltas of their previous versions.
            try main.batch { batch in
                for c in 0..<200 {
                    try batch.commit(message: "c\(c)", author: signature(1_700_000_000 + Int64(c))) { tx in
                        for j in 0..<3 {
                            let n = (c * 3 + j) * 7919 % 1000
                            tx.set(key(String(format: "%02x/k%04d", n % 64, n)), data("v\(c)-\(n)"))
                        }
                    }
                }
            }
            try repo.flush()
            let git = Git(directory + "/store.git")
            #expect(try git("fsck", "--strict", "--no-dangling") == "")
            #expect(try git("rev-list", "--count", "main") == "200\n")
            #expect(try git("log", "-1", "--format=%s", "main") == "c199\n")
            let n = (199 * 3 + 2) * 7919 % 1000
            #expect(try git("cat-file", "-p", String(format: "main:%02x/k%04d", n % 64, n)) == "v199-\(n)")
        }
    }
}
