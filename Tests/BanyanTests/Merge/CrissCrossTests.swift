@testable import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// Criss-cross histories (two merge bases) merged through a virtual base,
/// checked against `git merge-tree --write-tree`, which does the same.
@Suite("criss-cross merges")
struct CrissCrossTests {
    /// A criss-cross: B and C fork from A; D merges C into B, E merges B into C
    /// (each resolving as given); F and G continue from D and E.
    struct History {
        let repo: Repository
        let path: String
        let b: ObjectID, c: ObjectID, f: ObjectID, g: ObjectID
    }

    static func make(
        _ directory: TemporaryDirectory, a: [String: String], b: [String: String?], c: [String: String?],
        d: [String: String?], e: [String: String?], f: [String: String?], g: [String: String?]
    ) throws -> History {
        let path = directory.appending("cross.git")
        let repo = try Repository.create(at: path, configuration: .init(writeMode: .loose))
        let history = HistoryBuilder(repository: repo)
        let commitA = try history.commit(parents: [], time: 100, a.mapValues { Optional($0) }, message: "A")
        let commitB = try history.commit(parents: [commitA], time: 200, b, message: "B")
        let commitC = try history.commit(parents: [commitA], time: 300, c, message: "C")
        let commitD = try history.commit(parents: [commitB, commitC], time: 400, d, message: "D")
        let commitE = try history.commit(parents: [commitC, commitB], time: 500, e, message: "E")
        let commitF = try history.commit(parents: [commitD], time: 600, f, message: "F")
        let commitG = try history.commit(parents: [commitE], time: 700, g, message: "G")
        try history.setBranch("F", commitF)
        try history.setBranch("G", commitG)
        return History(repo: repo, path: path, b: commitB, c: commitC, f: commitF, g: commitG)
    }

    /// Git's verdict: the merged tree, and for each conflicted path its stage ids (1 base, 2 ours, 3 theirs).
    static func gitMergeTree(_ history: History) throws -> (tree: String, stages: [String: [Int: String]]) {
        let result = try GitRunner.run(["merge-tree", "--write-tree", "F", "G"], in: history.path, check: false)
        let lines = result.text.split(separator: "\n", omittingEmptySubsequences: false)
        var stages: [String: [Int: String]] = [:]
        for line in lines.dropFirst() {
            if line.isEmpty { break }
            let parts = line.split(separator: "\t")
            let fields = parts[0].split(separator: " ")
            stages[String(parts[1]), default: [:]][Int(fields[2])!] = String(fields[1])
        }
        return (String(lines.first ?? ""), stages)
    }

    @Test func aConflictBetweenTheBasesIsNotSilentlyResolved() throws {
        // B and C changed t differently; D kept B's version, E kept C's. With one
        // base (say B), G's side would look like the only change and win silently.
        let directory = TemporaryDirectory("banyan-cross")
        let history = try Self.make(directory, a: ["t": "a\n", "u": "1\n2\n3\n4\n5\n6\n"],
                                    b: ["t": "b\n"], c: ["t": "c\n"], d: ["t": "b\n"], e: ["t": "c\n"],
                                    f: ["u": "1\nF\n3\n4\n5\n6\n"], g: ["u": "1\n2\n3\n4\n5\nG\n"])
        #expect(try history.repo.mergeBases(history.f, history.g) == [history.c, history.b])
        let git = try Self.gitMergeTree(history)
        #expect(Set(git.stages.keys) == ["t"])
        var seen: [MergeConflict] = []
        let result = try history.repo.mergeCommits(history.f, history.g, onConflict: .custom { seen.append($0); return nil },
                                                   labels: MergeLabels(ours: "F", theirs: "G"))
        #expect(result == .conflicts(seen))
        #expect(seen.map(\.key.path) == ["t"])
        // The virtual base holds B's and C's versions between longer markers, exactly as Git's.
        let virtual = Diff3.merge(base: Array("a\n".utf8), ours: Array("b\n".utf8), theirs: Array("c\n".utf8),
                                  oursLabel: "Temporary merge branch 1", theirsLabel: "Temporary merge branch 2", markerSize: 9)
        #expect(seen.first?.base == RawObject.blob(virtual.content).id(.sha1))
        #expect(seen.first?.base?.hex == git.stages["t"]?[1])
        #expect(seen.first?.ours?.hex == git.stages["t"]?[2])
        #expect(seen.first?.theirs?.hex == git.stages["t"]?[3])
    }

    @Test func aCleanCrissCrossMergeGivesGitsTree() throws {
        let lines = (1...12).map { "line \($0)\n" }
        func edit(_ changes: [Int: String]) -> String {
            lines.enumerated().map { changes[$0.offset] ?? $0.element }.joined()
        }
        let directory = TemporaryDirectory("banyan-cross")
        let history = try Self.make(directory, a: ["t": edit([:]), "dir/x": "x\n"],
                                    b: ["t": edit([1: "B\n"]), "dir/b": "b\n"], c: ["t": edit([10: "C\n"]), "dir/x": nil],
                                    d: ["t": edit([1: "B\n", 10: "C\n"]), "dir/x": nil], e: ["t": edit([1: "B\n", 10: "C\n"]), "dir/b": "b\n"],
                                    f: ["t": edit([1: "B\n", 5: "F\n", 10: "C\n"])], g: ["t": edit([1: "G\n", 10: "C\n"]), "g": "g"])
        let git = try Self.gitMergeTree(history)
        #expect(git.stages.isEmpty)
        let result = try history.repo.mergeCommits(history.f, history.g)
        #expect(result == .merged(try ObjectID(validating: git.tree)))
        if case .merged(let tree) = result {
            #expect(try history.repo.value("t", inTree: tree) == edit([1: "G\n", 5: "F\n", 10: "C\n"]))
        }
    }

    @Test func threeBasesAreFoldedOldestFirst() throws {
        let repo = try Repository.inMemory()
        let history = HistoryBuilder(repository: repo)
        let root = try history.commit(parents: [], time: 100, ["k": "0\n"])
        let x = try history.commit(parents: [root], time: 200, ["x": "x"])
        let y = try history.commit(parents: [root], time: 300, ["y": "y"])
        let z = try history.commit(parents: [root], time: 400, ["z": "z"])
        let left = try history.commit(parents: [x, y, z], time: 500, ["y": "y", "z": "z", "l": "l"])
        let right = try history.commit(parents: [z, y, x], time: 600, ["y": "y", "x": "x", "r": "r"])
        #expect(try repo.mergeBases(left, right) == [z, y, x])
        guard case .merged(let tree) = try repo.mergeCommits(left, right) else {
            Issue.record("expected a clean merge")
            return
        }
        #expect(try repo.tree(tree).entries.map(\.nameString) == ["k", "l", "r", "x", "y", "z"])
    }
}
