@testable import Banyan
import BanyanTestSupport
import Foundation
import Testing

@Suite("Repository.merge")
struct RepositoryMergeTests {
    @Test(arguments: StoreKind.allCases)
    func fastForwardUpToDateAndUnbornTargets(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let main = try repo.branch("main")
        let first = try main.set(key("k"), data("1"), author: signature())
        let feature = try repo.createBranch("feature")
        let ahead = try feature.set(key("k"), data("2"), author: signature(1_700_000_010))
        #expect(try repo.merge(from: "feature", into: main) == .fastForward(ahead))
        #expect(try main.head() == ahead)
        #expect(try main.reflog().last?.message == "merge feature: Fast-forward")
        #expect(try repo.merge(from: "feature", into: main) == .upToDate)
        #expect(try repo.merge(from: first.hex, into: main) == .upToDate)
        let empty = try repo.branch("empty")
        #expect(try repo.merge(from: feature, into: empty) == .fastForward(ahead))
        #expect(try empty.head() == ahead)
        #expect(throws: BanyanError.self) { try repo.merge(from: "no-such-branch", into: main) }
        #expect(throws: BanyanError.self) { try repo.merge(from: repo.branch("unborn"), into: main) }
    }

    @Test(arguments: StoreKind.allCases)
    func mergingABranchIntoItselfOrItsDescendantChangesNothing(_ kind: StoreKind) throws {
        let fork = try Fork(kind, base: ["a": "1"], ours: ["b": "2"], theirs: ["c": "3"])
        guard case .merged(let merged) = try fork.merge() else { Issue.record("expected a merge"); return }
        for source in ["main", "other", "main~1", "main^2", merged.hex] {
            let before = try fork.repo.refs.reflog(fork.main.refName).count
            #expect(try fork.repo.merge(from: source, into: fork.main) == .upToDate, "\(source)")
            #expect(try fork.main.head() == merged)
            #expect(try fork.repo.refs.reflog(fork.main.refName).count == before)
        }
        let tree = try fork.repo.commit(merged).tree
        #expect(try fork.repo.mergeCommits(merged, merged) == .merged(tree))
        #expect(try fork.repo.mergeCommits(merged, try fork.other.head()!) == .merged(tree))
        #expect(try fork.repo.mergeCommits(try fork.other.head()!, merged) == .merged(tree))
    }

    @Test(arguments: StoreKind.allCases)
    func unrelatedHistoriesNeedPermission(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let main = try repo.branch("main"), other = try repo.branch("other")
        try main.set(key("a"), data("1"), author: signature())
        try main.set(key("same"), data("x\n"), author: signature(1_700_000_001))
        try other.set(key("b"), data("2"), author: signature(1_700_000_002))
        try other.set(key("same"), data("y\n"), author: signature(1_700_000_003))
        let head = try main.head()
        #expect { try repo.merge(from: "other", into: main) } throws: { error in
            (error as? BanyanError)?.code == .invalidArgument && "\(error)".contains("unrelated histories")
        }
        #expect(throws: BanyanError.self) { try repo.mergeCommits(head!, try other.head()!) }
        let outcome = try repo.merge(from: "other", into: main, allowUnrelatedHistories: true)
        #expect(outcome.conflicts.map(\.kind) == [.addAdd])
        guard case .merged = try repo.merge(from: "other", into: main, onConflict: .theirs, allowUnrelatedHistories: true) else {
            Issue.record("expected a merge")
            return
        }
        #expect(try main.list().map(\.name) == ["a", "b", "same"])
        #expect(text(try main.get(key("same"))) == "y\n")
    }

    @Test(arguments: StoreKind.allCases)
    func dryRunWritesNothing(_ kind: StoreKind) throws {
        let fork = try Fork(kind, base: ["a": "1"], ours: ["b": "2"], theirs: ["c": "3"])
        let head = try fork.main.head()
        let objects = try fork.repo.objects.allObjectIDs().count
        let outcome = try fork.repo.merge(from: "other", into: fork.main, dryRun: true)
        guard case .merged(let id) = outcome else { Issue.record("expected a merge"); return }
        #expect(try fork.main.head() == head)
        #expect(try fork.repo.objects.allObjectIDs().count == objects)
        #expect(try fork.repo.objects.contains(id) == false)
    }

    @Test(arguments: StoreKind.allCases)
    func aTargetThatMovesDuringTheMergeIsMergedAgain(_ kind: StoreKind) throws {
        let fork = try Fork(kind, base: ["c": "b\n"], ours: ["c": "o\n"], theirs: ["c": "t\n", "x": "x"])
        var raced: ObjectID?
        let outcome = try fork.repo.merge(from: "other", into: fork.main, onConflict: .custom { _ in
            if raced == nil {
                // Another writer lands a commit on the target while this merge runs.
                raced = try fork.main.set(key("late"), data("late"), author: signature(1_700_000_400))
            }
            return .ours
        })
        guard case .merged(let id) = outcome else { Issue.record("expected a merge"); return }
        #expect(try fork.repo.commit(id).parents.first == raced)
        #expect(text(try fork.main.get(key("late"))) == "late")
        #expect(text(try fork.main.get(key("x"))) == "x")
    }

    /// Symmetric strategies give the same result whichever side is ours.
    @Test(arguments: ["text", "set", "counter", "json", "lww", "binary"])
    func symmetricStrategiesDoNotCareWhichSideIsOurs(_ name: String) throws {
        let strategy = try #require(MergeStrategies.builtIn[name])
        var rng = SeededRandom(seed: 42)
        let a = ObjectID(hex: String(repeating: "a", count: 40))!, b = ObjectID(hex: String(repeating: "b", count: 40))!
        var merged = 0
        for _ in 0..<300 {
            let (base, ours, theirs) = Self.randomVersions(for: name, &rng)
            let sideA = MergeSide(label: "A", commit: a, time: Int64.random(in: 0...3, using: &rng))
            let sideB = MergeSide(label: "B", commit: b, time: Int64.random(in: 0...3, using: &rng))
            let forward = try strategy.merge(base: base, ours: ours, theirs: theirs,
                                             context: MergeContext(key: .root, ours: sideA, theirs: sideB))
            let backward = try strategy.merge(base: base, ours: theirs, theirs: ours,
                                              context: MergeContext(key: .root, ours: sideB, theirs: sideA))
            #expect((forward.conflict == nil) == (backward.conflict == nil))
            if case .merged(let x) = forward, case .merged(let y) = backward {
                #expect(x == y)
                merged += 1
            }
        }
        if name != "binary" { #expect(merged > 50) }
    }

    /// The same property over whole trees: random forks of text, set, counter,
    /// JSON and last-writer-wins keys, with removals; merging either way round
    /// gives the same tree, or conflicts at the same keys.
    @Test func mergingEitherWayRoundGivesTheSameTree() throws {
        let repo = try Repository.inMemory()
        let history = HistoryBuilder(repository: repo)
        var rng = SeededRandom(seed: 77)
        let rules = "*.set merge=set\n*.count merge=counter\n*.json merge=json\n*.lww merge=lww\n"
        var clean = 0
        for round in 0..<60 {
            var base: [String: String?] = [".gitattributes": rules]
            var ours: [String: String?] = [:], theirs: [String: String?] = [:]
            for index in 0..<8 {
                let name = "d\(index % 3)/k\(index)." + ["txt", "set", "count", "json", "lww"][index % 5]
                let strategy = ["text", "set", "counter", "json", "lww"][index % 5]
                let (b, o, t) = Self.randomVersions(for: strategy, &rng)
                base[name] = b.map { String(decoding: $0, as: UTF8.self) }
                if Bool.random(using: &rng) { ours[name] = String(decoding: o, as: UTF8.self) }
                if Bool.random(using: &rng) { theirs[name] = String(decoding: t, as: UTF8.self) }
                if Int.random(in: 0..<10, using: &rng) == 0 { ours[name] = .some(nil) }
                if Int.random(in: 0..<10, using: &rng) == 0 { theirs[name] = .some(nil) }
            }
            let root = try history.commit(parents: [], time: 1_000, base, message: "base \(round)")
            let a = try history.commit(parents: [root], time: 2_000 + Int64(round), ours, message: "a \(round)")
            let b = try history.commit(parents: [root], time: 2_000 + Int64(Int.random(in: 0...40, using: &rng)), theirs,
                                       message: "b \(round)")
            let forward = try repo.mergeCommits(a, b), backward = try repo.mergeCommits(b, a)
            switch (forward, backward) {
            case let (.merged(x), .merged(y)):
                #expect(x == y, "round \(round)")
                clean += 1
            case let (.conflicts(x), .conflicts(y)):
                #expect(x.map(\.key) == y.map(\.key), "round \(round)")
            default:
                Issue.record("round \(round): \(forward) but \(backward)")
            }
        }
        #expect(clean > 5)
    }

    static func randomVersions(for strategy: String, _ rng: inout SeededRandom) -> ([UInt8]?, [UInt8], [UInt8]) {
        func pick(_ options: [String]) -> [UInt8] { Array(options.randomElement(using: &rng)!.utf8) }
        switch strategy {
        case "counter":
            return (pick(["0", "5", "-3\n"]), pick(["1", "7\n", "-2"]), pick(["4", "0", "12\n"]))
        case "json":
            let values = [#"{"a":1,"b":{"c":2}}"#, #"{"a":2,"b":{"c":2}}"#, #"{"a":1,"b":{"c":3},"d":[1]}"#,
                          #"{"b":{"c":2,"e":true}}"#, #"{"a":1,"b":{"c":2},"d":[2]}"#, "[1,2]"]
            return (pick(values), pick(values), pick(values))
        default:
            let base = TextMergeCorpusTests.randomLines(&rng, count: Int.random(in: 0...8, using: &rng))
            let render = { (lines: [String]) in Array(TextMergeCorpusTests.render(lines, finalNewline: true, crlf: false).utf8) }
            return (render(base), render(TextMergeCorpusTests.edit(base, &rng)), render(TextMergeCorpusTests.edit(base, &rng)))
        }
    }

    /// BENCHMARKS.md's W4: 100,000 keys in 256 directories; each side changes 1,000.
    @Test func aMergeReadsOnlyTheDirectoriesBothSidesChanged() throws {
        let backend = try MemoryBackend()
        let counting = CountingObjectStore(backend)
        let setup = Repository(objects: counting, refs: backend)
        func key(_ n: Int) -> Key { try! Key(String(format: "%02x/k%06d", n % 256, n)) }
        func value(_ tag: String, _ n: Int) -> Data {
            Data(String(String(repeating: "\(tag)-\(n)-", count: 20).prefix(100)).utf8)
        }
        let main = try setup.branch("main")
        try main.transaction(message: "bulk", author: signature()) { tx in
            for n in 0..<100_000 { tx.set(key(n), value("b", n)) }
        }
        let a = try setup.createBranch("a"), b = try setup.createBranch("b")
        try a.transaction(message: "a", author: signature(1_700_000_001)) { tx in
            for n in 0..<1_000 { tx.set(key(n), value("a", n)) }
        }
        try b.transaction(message: "b", author: signature(1_700_000_002)) { tx in
            for n in 50_000..<51_000 { tx.set(key(n), value("b2", n)) }
        }
        let repo = Repository(objects: counting, refs: backend)
        counting.reset()
        let start = ContinuousClock.now
        let outcome = try repo.merge(from: "b", into: try repo.branch("a"), author: signature(1_700_000_003))
        let elapsed = ContinuousClock.now - start
        guard case .merged = outcome else { Issue.record("expected a merge, got \(outcome)"); return }
        // Commits, three root trees, and the three versions of each of the 256 directories both sides touched.
        #expect(counting.finds <= 3 * 257 + 10)
        print("W4 merge: \(counting.finds) object reads (of \(try backend.allObjectIDs().count) objects), \(elapsed)")
        #expect(try repo.branch("a").walk().count == 100_000)
    }
}
