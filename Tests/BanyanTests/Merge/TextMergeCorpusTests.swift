@testable import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// Banyan's `text` merge against `git merge-tree --write-tree` over a
/// generated corpus of three-way cases: same clean/conflict verdict, same
/// merged bytes (conflict markers included).
///
/// All cases live as keys of one repository (base, ours and theirs commits),
/// so git runs once; the comparison is per key.
@Suite("text merge agrees with git merge-tree")
struct TextMergeCorpusTests {
    /// One generated case.
    struct Case {
        var base: String
        var ours: String
        var theirs: String
    }

    /// Lines drawn from a small alphabet, so texts repeat lines and diffs
    /// have to choose between alignments, as real files do.
    static let alphabet = ["a", "b", "c", "d", "e", "f", "", "{", "}", "a", "b"]

    static func randomLines(_ rng: inout SeededRandom, count: Int) -> [String] {
        (0..<count).map { _ in alphabet.randomElement(using: &rng)! }
    }

    static func edit(_ lines: [String], _ rng: inout SeededRandom) -> [String] {
        var lines = lines
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let position = Int.random(in: 0...lines.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0 where position < lines.count:
                lines[position] = alphabet.randomElement(using: &rng)! + "x"
            case 1 where position < lines.count:
                lines.removeSubrange(position..<min(lines.count, position + Int.random(in: 1...2, using: &rng)))
            default:
                lines.insert(contentsOf: randomLines(&rng, count: Int.random(in: 1...2, using: &rng)), at: position)
            }
        }
        return lines
    }

    static func render(_ lines: [String], finalNewline: Bool, crlf: Bool) -> String {
        guard !lines.isEmpty else { return "" }
        let eol = crlf ? "\r\n" : "\n"
        return lines.joined(separator: eol) + (finalNewline ? eol : "")
    }

    /// `count` cases where both sides changed the base and differ from each other.
    static func corpus(count: Int, seed: UInt64) -> [Case] {
        var rng = SeededRandom(seed: seed)
        var cases: [Case] = []
        while cases.count < count {
            let base = randomLines(&rng, count: Int.random(in: 0...10, using: &rng))
            let ours = edit(base, &rng)
            // Sometimes both sides start with the same edit, so identical changes are covered.
            let theirs = Bool.random(using: &rng) && Int.random(in: 0..<4, using: &rng) == 0 ? edit(ours, &rng) : edit(base, &rng)
            let crlf = Int.random(in: 0..<10, using: &rng) == 0
            func newline() -> Bool { Int.random(in: 0..<8, using: &rng) != 0 }
            let c = Case(base: render(base, finalNewline: newline(), crlf: crlf),
                         ours: render(ours, finalNewline: newline(), crlf: crlf),
                         theirs: render(theirs, finalNewline: newline(), crlf: crlf))
            if c.ours != c.base && c.theirs != c.base && c.ours != c.theirs { cases.append(c) }
        }
        return cases
    }

    /// What git made of each key: nil when clean is unknown (key absent).
    struct GitOutcome {
        var conflicted: Set<String>
        var content: [String: [UInt8]]
    }

    static func runGit(_ cases: [Case], in directory: TemporaryDirectory) throws -> (Repository, GitOutcome, ObjectID, ObjectID) {
        let path = directory.appending("corpus.git")
        let repo = try Repository.create(at: path, configuration: .init(writeMode: .loose))
        let history = HistoryBuilder(repository: repo)
        func keyName(_ i: Int) -> String { String(format: "k%04d", i) }
        let base = try history.commit(parents: [], time: 1_700_000_000,
                                      Dictionary(uniqueKeysWithValues: cases.enumerated().map { (keyName($0), $1.base) }))
        let ours = try history.commit(parents: [base], time: 1_700_000_100,
                                      Dictionary(uniqueKeysWithValues: cases.enumerated().map { (keyName($0), $1.ours) }))
        let theirs = try history.commit(parents: [base], time: 1_700_000_200,
                                        Dictionary(uniqueKeysWithValues: cases.enumerated().map { (keyName($0), $1.theirs) }))
        try history.setBranch("ours", ours)
        try history.setBranch("theirs", theirs)
        let result = try GitRunner.run(["merge-tree", "--write-tree", "ours", "theirs"], in: path, check: false)
        #expect(result.status == 0 || result.status == 1, "git merge-tree failed: \(result.stderr)")
        let lines = result.text.split(separator: "\n", omittingEmptySubsequences: false)
        var conflicted: Set<String> = []
        for line in lines.dropFirst() {
            if line.isEmpty { break }
            if let tab = line.firstIndex(of: "\t") { conflicted.insert(String(line[line.index(after: tab)...])) }
        }
        let tree = String(lines.first ?? "")
        let listing = try GitRunner.run(["ls-tree", tree], in: path).text
        var content: [String: [UInt8]] = [:]
        for line in listing.split(separator: "\n") {
            let parts = line.split(separator: "\t")
            let id = try ObjectID(validating: parts[0].split(separator: " ")[2])
            content[String(parts[1])] = try repo.blob(id)
        }
        return (repo, GitOutcome(conflicted: conflicted, content: content), ours, theirs)
    }

    @Test func textMergeMatchesGitMergeTreeOnGeneratedCorpus() throws {
        let cases = Self.corpus(count: 400, seed: 0xBA17A4)
        let directory = TemporaryDirectory("banyan-corpus")
        let (repo, git, oursCommit, theirsCommit) = try Self.runGit(cases, in: directory)
        var disagreements = 0
        var conflicts = 0
        for (index, c) in cases.enumerated() {
            let name = String(format: "k%04d", index)
            let ours = Diff3.merge(base: Array(c.base.utf8), ours: Array(c.ours.utf8), theirs: Array(c.theirs.utf8))
            let gitConflicted = git.conflicted.contains(name)
            if gitConflicted { conflicts += 1 }
            let agrees = (ours.conflicts > 0) == gitConflicted && ours.content == git.content[name]
            if !agrees {
                disagreements += 1
                if disagreements <= 5 {
                    Issue.record("""
                        case \(name) disagrees (git conflicted: \(gitConflicted), banyan conflicts: \(ours.conflicts))
                        base: \(c.base.debugDescription)
                        ours: \(c.ours.debugDescription)
                        theirs: \(c.theirs.debugDescription)
                        git: \(String(decoding: git.content[name] ?? [], as: UTF8.self).debugDescription)
                        banyan: \(String(decoding: ours.content, as: UTF8.self).debugDescription)
                        """)
                }
            }
        }
        #expect(disagreements == 0)

        // The same through the whole tree merge: conflicts collected by a
        // resolver that keeps ours, clean keys read from the merged tree.
        var reported: Set<String> = []
        let result = try repo.mergeCommits(oursCommit, theirsCommit, onConflict: .custom { conflict in
            reported.insert(conflict.key.path)
            #expect(conflict.kind == .contentConflict && conflict.strategy == "text")
            return .ours
        }, labels: MergeLabels(ours: "ours", theirs: "theirs"))
        guard case .merged(let tree) = result else {
            Issue.record("expected a tree, got \(result)")
            return
        }
        #expect(reported == git.conflicted)
        for (index, c) in cases.enumerated() {
            let name = String(format: "k%04d", index)
            let expected = git.conflicted.contains(name) ? c.ours : String(decoding: git.content[name] ?? [], as: UTF8.self)
            #expect(try repo.value(name, inTree: tree) == expected, "\(name)")
        }
        // The corpus must exercise both outcomes to mean anything.
        #expect(conflicts > 40 && conflicts < cases.count - 40)
    }
}
