@testable import Banyan
import BanyanTestSupport
import Foundation
import Testing

@Suite("merge bases")
struct MergeBaseTests {
    /// A random history: each commit has one or two earlier parents; times
    /// mostly rise, but some commits are dated before their parents.
    static func randomHistory(_ history: HistoryBuilder, seed: UInt64, count: Int) throws -> [ObjectID] {
        var rng = SeededRandom(seed: seed)
        var commits: [ObjectID] = []
        var times: [Int64] = []
        for index in 0..<count {
            var parents: [ObjectID] = []
            var parentTimes: [Int64] = []
            if index > 0 && Int.random(in: 0..<12, using: &rng) != 0 {
                let window = max(0, index - 6)..<index
                let first = Int.random(in: window, using: &rng)
                parents.append(commits[first])
                parentTimes.append(times[first])
                if Int.random(in: 0..<3, using: &rng) == 0 {
                    let second = Int.random(in: 0..<index, using: &rng)
                    if second != first {
                        parents.append(commits[second])
                        parentTimes.append(times[second])
                    }
                }
            }
            let skew = Int.random(in: 0..<5, using: &rng) == 0 ? Int64.random(in: -500...(-1), using: &rng) : Int64.random(in: 1...100, using: &rng)
            let time = (parentTimes.max() ?? 1_700_000_000) + skew
            commits.append(try history.commit(parents: parents, time: time, ["k": "\(index)"], message: "c\(index)"))
            times.append(time)
        }
        return commits
    }

    @Test func mergeBasesMatchGitOnRandomHistoriesWithClockSkew() throws {
        var several = 0
        for seed in 1...5 as ClosedRange<UInt64> {
            let directory = TemporaryDirectory("banyan-merge-base")
            let path = directory.appending("repo.git")
            let repo = try Repository.create(at: path, configuration: .init(writeMode: .loose))
            let commits = try Self.randomHistory(HistoryBuilder(repository: repo), seed: seed, count: 60)
            var rng = SeededRandom(seed: seed &* 7919)
            for _ in 0..<40 {
                let a = commits.randomElement(using: &rng)!, b = commits.randomElement(using: &rng)!
                let git = try GitRunner.run(["merge-base", "--all", a.hex, b.hex], in: path, check: false)
                let expected = Set(git.text.split(separator: "\n").map(String.init))
                let bases = try repo.mergeBases(a, b)
                #expect(Set(bases.map(\.hex)) == expected, "seed \(seed): merge-base --all \(a.hex) \(b.hex)")
                #expect(bases.count == Set(bases).count)
                if bases.count > 1 { several += 1 }
                #expect(try repo.isAncestor(a, of: b) == (expected == [a.hex]))
            }
        }
        // The generated histories must include criss-cross pairs with several bases.
        #expect(several > 5)
    }

    @Test(arguments: StoreKind.allCases)
    func crissCrossHasTwoBases(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let history = HistoryBuilder(repository: repo)
        let a = try history.commit(parents: [], time: 100, ["t": "a"])
        let b = try history.commit(parents: [a], time: 200, ["t": "b"])
        let c = try history.commit(parents: [a], time: 300, ["t": "c"])
        let d = try history.commit(parents: [b, c], time: 400, ["t": "b"])
        let e = try history.commit(parents: [c, b], time: 500, ["t": "c"])
        #expect(try repo.mergeBases(d, e) == [c, b])
        #expect(try repo.mergeBases(b, c) == [a])
        #expect(try repo.mergeBases(d, d) == [d])
        #expect(try repo.mergeBases(a, e) == [a])
        #expect(try repo.isAncestor(a, of: e))
        #expect(try !repo.isAncestor(d, of: e))
        let unrelated = try history.commit(parents: [], time: 150, ["u": "x"])
        #expect(try repo.mergeBases(unrelated, e).isEmpty)
    }

    @Test func aLongLinearHistoryIsNotWalkedBelowTheBase() throws {
        let backend = try MemoryBackend()
        let counting = CountingObjectStore(backend)
        let repo = Repository(objects: counting, refs: backend)
        let history = HistoryBuilder(repository: repo)
        var head = try history.commit(parents: [], time: 1_000, ["k": "0"])
        for index in 1..<2_000 {
            head = try history.commit(parents: [head], time: 1_000 + Int64(index), ["k": "\(index)"], message: "c\(index)")
        }
        let ours = try history.commit(parents: [head], time: 10_000, ["a": "1"])
        let theirs = try history.commit(parents: [head], time: 10_001, ["b": "1"])
        let fresh = Repository(objects: counting, refs: backend)
        counting.reset()
        #expect(try fresh.mergeBases(ours, theirs) == [head])
        #expect(counting.finds < 10)
    }
}

/// An object store that counts the lookups reaching it, to prove what a
/// merge does not read.
final class CountingObjectStore: ObjectStore, @unchecked Sendable {
    private let inner: any ObjectStore
    private let lock = NSLock()
    private var count = 0

    init(_ inner: any ObjectStore) { self.inner = inner }

    /// The number of `find` calls since the last reset.
    var finds: Int { lock.withLock { count } }

    func reset() { lock.withLock { count = 0 } }

    var hashAlgorithm: HashAlgorithm { inner.hashAlgorithm }
    func put(_ object: RawObject) throws -> ObjectID { try inner.put(object) }
    func putBatch(_ objects: [RawObject]) throws -> [ObjectID] { try inner.putBatch(objects) }
    func find(_ id: ObjectID) throws -> RawObject? {
        lock.withLock { count += 1 }
        return try inner.find(id)
    }
    func contains(_ id: ObjectID) throws -> Bool { try inner.contains(id) }
    func allObjectIDs() throws -> [ObjectID] { try inner.allObjectIDs() }
    func objectIDs(withHexPrefix prefix: String) throws -> [ObjectID] { try inner.objectIDs(withHexPrefix: prefix) }
}
