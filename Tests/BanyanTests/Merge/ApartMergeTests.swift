@testable import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// The encoded merge of directories whose sides changed different names
/// (`TreeMerger.mergeChangesApart`) gives the general merge's result, tree
/// for tree and conflict for conflict: on random forks over names whose Git
/// order differs from byte order, with values turning into directories and
/// back, removals, additions and both sides changing the same key.
@Suite("tree merge: directories changed apart")
struct ApartMergeTests {
    static let names = ["a", "a-b", "a.c", "a0", "b", "c", "d", "e", "f", "g", "h", "x"]

    static func randomKey(_ random: inout SeededRandom) -> String {
        (0..<(1 + random.below(3))).map { _ in names[random.below(names.count)] }.joined(separator: "/")
    }

    /// `changes` applied to `values`, dropping keys that a new key would make a directory of (and the reverse).
    static func applying(_ changes: [String: String?], to values: [String: String]) -> [String: String] {
        var result = values
        for (key, value) in changes.sorted(by: { $0.key < $1.key }) {
            guard let value else { result[key] = nil; continue }
            result = result.filter { !$0.key.hasPrefix(key + "/") && !key.hasPrefix($0.key + "/") }
            result[key] = value
        }
        return result
    }

    static func randomChanges(_ random: inout SeededRandom, of values: [String: String], tag: String) -> [String: String?] {
        var changes: [String: String?] = [:]
        let keys = values.keys.sorted()
        for _ in 0..<(1 + random.below(6)) {
            if !keys.isEmpty, random.below(3) == 0 {
                changes[keys[random.below(keys.count)]] = .some(nil)
            } else if !keys.isEmpty, random.below(2) == 0 {
                changes[keys[random.below(keys.count)]] = "\(tag)\(random.below(3))"
            } else {
                changes[randomKey(&random)] = "\(tag)\(random.below(3))"
            }
        }
        return changes
    }

    /// Makes `values` the content of `branch`, which holds `previous`.
    static func write(_ values: [String: String], replacing previous: [String: String], to branch: Branch, time: Int64) throws {
        // Removals first, in a commit of their own: a value may take the place of a directory they empty.
        let removed = previous.keys.sorted().filter { values[$0] == nil }
        if !removed.isEmpty {
            try branch.transaction(message: "remove", author: signature(time)) { tx in
                for key in removed { tx.remove(try Key(key)) }
            }
        }
        try branch.transaction(message: "edit", author: signature(time)) { tx in
            for (key, value) in values.sorted(by: { $0.key < $1.key }) { tx.set(try Key(key), Data(value.utf8)) }
        }
    }

    @Test(arguments: [StoreKind.memorySHA1, .fileSHA1, .fileSHA256])
    func givesTheGeneralMergesResult(_ kind: StoreKind) throws {
        var random = SeededRandom(seed: 41)
        var apart = 0
        for round in 0..<60 {
            let (repo, directory) = try kind.make()
            defer { _ = directory }
            var base: [String: String] = [:]
            for _ in 0..<(4 + random.below(30)) { base = Self.applying([Self.randomKey(&random): "base"], to: base) }
            let ours = Self.applying(Self.randomChanges(&random, of: base, tag: "o"), to: base)
            let theirs = Self.applying(Self.randomChanges(&random, of: base, tag: "t"), to: base)
            let main = try repo.branch("main")
            try Self.write(base, replacing: [:], to: main, time: 1_700_000_000)
            let baseCommit = try #require(try main.head())
            let other = try repo.createBranch("other")
            try Self.write(ours, replacing: base, to: main, time: 1_700_000_100)
            try Self.write(theirs, replacing: base, to: other, time: 1_700_000_200)
            if round % 2 == 0 { try repo.flush() }
            let ourHead = try #require(try main.head()), theirHead = try #require(try other.head())
            let trees = [try repo.commit(ourHead).tree, try repo.commit(theirHead).tree]
            let baseTree = try repo.commit(baseCommit).tree

            func merged(encoded: Bool) throws -> (ObjectID, [MergeConflict]) {
                var merger = TreeMerger(objects: MergeObjects(repository: repo), strategies: .builtIn, mode: .final(.fail),
                                        ours: MergeSide(label: "ours"), theirs: MergeSide(label: "theirs"), markerSize: 7)
                merger.usesEncodedTrees = encoded
                return (try merger.merge(base: baseTree, ours: trees[0], theirs: trees[1]), merger.conflicts)
            }
            let (fast, fastConflicts) = try merged(encoded: true)
            let (general, generalConflicts) = try merged(encoded: false)
            #expect(fast == general, "round \(round): \(base) / \(ours) / \(theirs)")
            #expect(fastConflicts.map(\.key) == generalConflicts.map(\.key))
            func changed(_ side: [String: String]) -> Set<String> {
                Set(side.keys.filter { side[$0] != base[$0] } + base.keys.filter { side[$0] == nil })
            }
            if changed(ours).isDisjoint(with: changed(theirs)) { apart += 1 }
        }
        #expect(apart > 5)
    }
}
