@testable import Banyan
import BanyanTestSupport
import Foundation
import Testing

@Suite("line diff")
struct LineDiffTests {
    /// Applies `changes` to `a`; a correct diff gives back `b`.
    static func apply(_ changes: [LineDiff.Change], to a: [Int], from b: [Int]) -> [Int] {
        var result: [Int] = []
        var next = 0
        for change in changes {
            result += a[next..<change.start1]
            result += b[change.start2..<(change.start2 + change.count2)]
            next = change.start1 + change.count1
        }
        return result + a[next...]
    }

    @Test func diffsTransformTheOldTextIntoTheNew() {
        var rng = SeededRandom(seed: 9)
        for _ in 0..<500 {
            let a = (0..<Int.random(in: 0...30, using: &rng)).map { _ in Int.random(in: 0..<5, using: &rng) }
            let b = (0..<Int.random(in: 0...30, using: &rng)).map { _ in Int.random(in: 0..<5, using: &rng) }
            let changes = LineDiff.diff(a[...], b[...], classCount: 5)
            #expect(Self.apply(changes, to: a, from: b) == b, "\(a) -> \(b)")
            #expect(zip(changes, changes.dropFirst()).allSatisfy { $0.start1 + $0.count1 < $1.start1 || $0.start2 + $0.count2 < $1.start2 })
        }
    }

    @Test func myersFindsAShortestScript() {
        var rng = SeededRandom(seed: 11)
        for _ in 0..<300 {
            let a = (0..<Int.random(in: 0...25, using: &rng)).map { _ in Int.random(in: 0..<4, using: &rng) }
            let b = (0..<Int.random(in: 0...25, using: &rng)).map { _ in Int.random(in: 0..<4, using: &rng) }
            var myers = Myers(a: a[...], b: b[...])
            myers.run()
            let kept = a.indices.filter { !myers.changedA[$0] }.map { a[$0] }
            #expect(kept == b.indices.filter { !myers.changedB[$0] }.map { b[$0] })
            #expect(kept.count == Self.longestCommonSubsequence(a, b), "\(a) -> \(b)")
        }
    }

    static func longestCommonSubsequence(_ a: [Int], _ b: [Int]) -> Int {
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in a.indices.reversed() {
            for j in b.indices.reversed() {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        return table[0][0]
    }

    /// Every common line repeats more than 64 times: xdiff's histogram gives
    /// up there and so does Banyan's, falling back to Myers, with Git's result.
    @Test func regionsOfVeryCommonLinesFallBackAndStillAgreeWithGit() throws {
        let filler = String(repeating: "x\n", count: 70)
        let base = filler + "a\n" + filler + "b\n" + filler
        let ours = filler + "A\n" + filler + "b\n" + filler
        let theirs = filler + "a\n" + filler + "B\n" + filler + "x\n"
        var classifier = LineClassifier()
        let baseLines = classifier.split(Array(base.utf8)), oursLines = classifier.split(Array(ours.utf8))
        #expect(LineDiff.diff(baseLines.classes[...], oursLines.classes[...], classCount: classifier.classCount)
                == [LineDiff.Change(start1: 70, count1: 1, start2: 70, count2: 1)])
        let directory = TemporaryDirectory("banyan-fallback")
        let repo = try Repository.create(at: directory.appending("r.git"), configuration: .init(writeMode: .loose))
        let history = HistoryBuilder(repository: repo)
        let root = try history.commit(parents: [], time: 1, ["t": base])
        try history.setBranch("ours", try history.commit(parents: [root], time: 2, ["t": ours]))
        try history.setBranch("theirs", try history.commit(parents: [root], time: 3, ["t": theirs]))
        let git = try GitRunner.run(["merge-tree", "--write-tree", "ours", "theirs"], in: directory.appending("r.git"))
        let merged = Diff3.merge(base: Array(base.utf8), ours: Array(ours.utf8), theirs: Array(theirs.utf8))
        #expect(merged.conflicts == 0)
        #expect(try repo.value("t", inTree: try ObjectID(validating: git.text)) == String(decoding: merged.content, as: UTF8.self))
    }
}
