@testable import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// Two branches off one base: `main` (ours) and `other` (theirs).
struct Fork {
    let repo: Repository
    let directory: TemporaryDirectory
    let main: Branch
    let other: Branch

    /// Writes `base` on main, forks `other`, then applies `ours` to main and `theirs` to other (nil removes).
    init(_ kind: StoreKind, base: [String: String], ours: [String: String?], theirs: [String: String?]) throws {
        (repo, directory) = try kind.make()
        main = try repo.branch("main")
        try Self.apply(base.mapValues { Optional($0) }, to: main, time: 1_700_000_000)
        other = try repo.createBranch("other")
        try Self.apply(ours, to: main, time: 1_700_000_100)
        try Self.apply(theirs, to: other, time: 1_700_000_200)
    }

    static func apply(_ changes: [String: String?], to branch: Branch, time: Int64) throws {
        guard !changes.isEmpty else { return }
        try branch.transaction(message: "edit", author: signature(time)) { tx in
            for (path, value) in changes.sorted(by: { $0.key < $1.key }) {
                if let value { tx.set(key(path), data(value)) } else { tx.remove(key(path)) }
            }
        }
    }

    func merge(_ policy: ConflictPolicy = .fail, strategies: MergeStrategies = .builtIn) throws -> MergeOutcome {
        try repo.merge(from: "other", into: main, strategies: strategies, onConflict: policy, author: signature(1_700_000_300))
    }
}

extension MergeOutcome {
    var conflicts: [MergeConflict] {
        if case .conflicts(let conflicts) = self { return conflicts }
        return []
    }
}

@Suite("tree merge")
struct TreeMergeTests {
    /// `key=value` for every key on main, sorted.
    private static func values(_ fork: Fork) throws -> [String] {
        try fork.main.walk().map { "\($0.key.path)=" + String(decoding: try fork.repo.blob($0.id), as: UTF8.self) }.sorted()
    }

    @Test(arguments: StoreKind.allCases)
    func namesWhoseGitOrderDiffersFromByteOrderMergeByName(_ kind: StoreKind) throws {
        // Git sorts the directory `a` as `a/`: after the files `a-x` and `a.b`, before `a0`.
        let fork = try Fork(kind, base: ["a/k": "1", "a-x": "1", "a.b": "1", "a0": "1"],
                            ours: ["a/k": "2", "a.b": "2"], theirs: ["a-x": "3", "a0": "3", "a/n": "3"])
        guard case .merged = try fork.merge() else {
            Issue.record("expected a clean merge")
            return
        }
        #expect(try Self.values(fork) == ["a-x=3", "a.b=2", "a/k=2", "a/n=3", "a0=3"])
    }

    @Test func aDirectoryBothSidesEditedKeepsItsUnchangedEntriesAsGitMergeTreeDoes() throws {
        // Unchanged runs between both sides' edits, a subdirectory, and names
        // whose Git order differs from byte order: the merged tree must be
        // byte for byte the one `git merge-tree` writes.
        var base = ["d/s/x": "b", "d/s.txt": "b", "d/s-a": "b", "top": "b"]
        for n in 0..<60 { base["d/f\(n < 10 ? "0" : "")\(n)"] = "b" }
        let fork = try Fork(.fileSHA1, base: base,
                            ours: ["d/f05": "o", "d/f30": "o", "d/f59": nil, "d/s/x": "o", "d/new-o": "o"],
                            theirs: ["d/f10": "t", "d/f31": "t", "d/s.txt": "t", "d/s/y": "t", "d/a-new": "t"])
        guard case .merged(let id) = try fork.merge(), let path = fork.repo.path else {
            Issue.record("expected a clean merge in a filesystem store")
            return
        }
        try fork.repo.flush()
        let parents = try fork.repo.commit(id).parents.map(\.hex)
        let git = try GitRunner.run(["merge-tree", "--write-tree", parents[0], parents[1]], in: path)
        #expect(try fork.repo.commit(id).tree.hex == git.text.split(separator: "\n").first.map(String.init))
    }

    @Test(arguments: StoreKind.allCases)
    func aFileTurnedDirectoryOnOneSideMeetsItsOldSelfByName(_ kind: StoreKind) throws {
        // `f` is a file in the base and on theirs, a directory on ours: the
        // three versions sit at different places in Git's order yet must meet.
        let fork = try Fork(kind, base: ["f": "1", "f.txt": "1"], ours: ["f": nil, "f/g": "2"], theirs: ["f.txt": "3"])
        guard case .merged = try fork.merge() else {
            Issue.record("expected a clean merge")
            return
        }
        #expect(try Self.values(fork) == ["f.txt=3", "f/g=2"])
    }

    @Test(arguments: StoreKind.allCases)
    func separateChangesMergeIntoACommitWithBothParents(_ kind: StoreKind) throws {
        let fork = try Fork(kind, base: ["a/x": "1", "a/y": "1", "b/z": "1", "keep": "k"],
                            ours: ["a/x": "2", "new/o": "o", "b/z": nil], theirs: ["a/y": "3", "new/t": "t"])
        let oursHead = try fork.main.head(), theirsHead = try fork.other.head()
        let outcome = try fork.merge()
        guard case .merged(let id) = outcome else {
            Issue.record("expected a merge, got \(outcome)")
            return
        }
        #expect(try fork.main.head() == id)
        #expect(try fork.repo.commit(id).parents == [oursHead!, theirsHead!])
        #expect(try fork.repo.commit(id).messageString == "Merge other into main\n")
        let values = try fork.main.walk().map { "\($0.key.path)=" + String(decoding: try fork.repo.blob($0.id), as: UTF8.self) }
        #expect(values == ["a/x=2", "a/y=3", "keep=k", "new/o=o", "new/t=t"])
        #expect(try fork.main.reflog().last?.message == "merge other: Merge made by banyan")
        try fork.repo.flush()
        if let path = fork.repo.path { try GitRunner.run(["fsck", "--strict"], in: path) }
    }

    @Test(arguments: StoreKind.allCases)
    func modifyDeleteAndDeleteModifyAreConflictsAndNothingIsWritten(_ kind: StoreKind) throws {
        let fork = try Fork(kind, base: ["m": "1", "d": "1", "ok": "1"], ours: ["m": "2", "d": nil], theirs: ["m": nil, "d": "3", "ok": "2"])
        let head = try fork.main.head()
        let objectCount = try fork.repo.objects.allObjectIDs().count
        let conflicts = try fork.merge().conflicts
        #expect(conflicts.map(\.kind) == [.deleteModify, .modifyDelete])
        #expect(conflicts.map(\.key.path) == ["d", "m"])
        let base = try fork.repo.snapshot(commit: try fork.repo.mergeBases(head!, try fork.other.head()!)[0])
        #expect(conflicts[1].base == (try base.entry(at: key("m")))?.id)
        #expect(conflicts[1].ours == (try fork.main.snapshot().entry(at: key("m")))?.id)
        #expect(conflicts[1].theirs == nil)
        #expect(try fork.main.head() == head)
        #expect(try fork.repo.objects.allObjectIDs().count == objectCount)
    }

    @Test(arguments: StoreKind.allCases)
    func addAddMergesEqualValuesAndReportsDifferentOnes(_ kind: StoreKind) throws {
        let fork = try Fork(kind, base: ["x": "1"], ours: ["same": "v", "diff": "a\n"], theirs: ["same": "v", "diff": "b\n"])
        let conflicts = try fork.merge().conflicts
        #expect(conflicts.count == 1)
        #expect(conflicts.first?.kind == .addAdd)
        #expect(conflicts.first?.base == nil)
        #expect(conflicts.first?.strategy == "text")
    }

    @Test(arguments: StoreKind.allCases)
    func valueAgainstDirectoryIsAFileDirectoryConflict(_ kind: StoreKind) throws {
        // Ours adds a value where theirs adds a directory.
        var fork = try Fork(kind, base: ["k": "1"], ours: ["d": "file"], theirs: ["d/x": "in dir"])
        var conflicts = try fork.merge().conflicts
        #expect(conflicts.map(\.kind) == [.fileDirectory])
        #expect(conflicts.first?.key.path == "d")
        // Theirs turns a value ours changed into a directory.
        fork = try Fork(kind, base: ["d": "1"], ours: ["d": "2"], theirs: ["d": nil])
        try Fork.apply(["d/x": "x"], to: fork.other, time: 1_700_000_250)
        conflicts = try fork.merge().conflicts
        #expect(conflicts.map(\.kind) == [.fileDirectory])
        #expect(try fork.repo.tree(#require(conflicts.first?.theirs)).entries.map(\.nameString) == ["x"])
        // A value that replaced a directory nobody else touched merges cleanly.
        fork = try Fork(kind, base: ["d/x": "1", "e": "1"], ours: ["d/x": nil], theirs: ["e": "2"])
        try Fork.apply(["d": "now a value"], to: fork.main, time: 1_700_000_150)
        guard case .merged = try fork.merge() else {
            Issue.record("expected a clean merge")
            return
        }
        #expect(text(try fork.main.get(key("d"))) == "now a value")
        #expect(text(try fork.main.get(key("e"))) == "2")
    }

    @Test(arguments: StoreKind.allCases)
    func policiesResolveWhatStrategiesLeave(_ kind: StoreKind) throws {
        let changes: (ours: [String: String?], theirs: [String: String?]) = (["c": "o\n", "md": "o"], ["c": "t\n", "md": nil])
        var fork = try Fork(kind, base: ["c": "b\n", "md": "b"], ours: changes.ours, theirs: changes.theirs)
        guard case .merged = try fork.merge(.ours) else { Issue.record("ours did not resolve"); return }
        #expect(text(try fork.main.get(key("c"))) == "o\n")
        #expect(text(try fork.main.get(key("md"))) == "o")

        fork = try Fork(kind, base: ["c": "b\n", "md": "b"], ours: changes.ours, theirs: changes.theirs)
        guard case .merged = try fork.merge(.theirs) else { Issue.record("theirs did not resolve"); return }
        #expect(text(try fork.main.get(key("c"))) == "t\n")
        #expect(try fork.main.find(key("md")) == nil)

        fork = try Fork(kind, base: ["c": "b\n", "md": "b"], ours: changes.ours, theirs: changes.theirs)
        var asked: [String] = []
        let outcome = try fork.merge(.custom { conflict in
            asked.append(conflict.key.path)
            return conflict.kind == .contentConflict ? .value(Array("custom".utf8)) : nil
        })
        #expect(asked == ["c", "md"])
        #expect(outcome.conflicts.map(\.key.path) == ["md"])

        fork = try Fork(kind, base: ["c": "b\n", "md": "b"], ours: changes.ours, theirs: changes.theirs)
        guard case .merged = try fork.merge(.custom { $0.kind == .contentConflict ? .base : .remove }) else {
            Issue.record("custom did not resolve")
            return
        }
        #expect(text(try fork.main.get(key("c"))) == "b\n")
        #expect(try fork.main.find(key("md")) == nil)

        fork = try Fork(kind, base: ["c": "b\n"], ours: ["c": "o\n"], theirs: ["c": "t\n"])
        struct Refused: Error {}
        #expect(throws: Refused.self) { try fork.merge(.custom { _ in throw Refused() }) }
    }

    @Test(arguments: StoreKind.allCases)
    func gitattributesPickStrategiesPerKey(_ kind: StoreKind) throws {
        let rules = """
            *.count merge=counter
            prefs/*.json merge=json
            tags merge=set
            *.bin -merge
            odd merge=nosuch
            """
        let fork = try Fork(kind, base: [".gitattributes": rules, "hits.count": "10\n", "prefs/a.json": #"{"x":1,"y":1}"#,
                                         "tags": "a\nb\n", "img.bin": "0", "odd": "0", "notes": "a\nb\nc\n"],
                            ours: ["hits.count": "15\n", "prefs/a.json": #"{"x":2,"y":1}"#, "tags": "a\nc\n", "img.bin": "1",
                                   "odd": "1", "notes": "A\nb\nc\n"],
                            theirs: ["hits.count": "12\n", "prefs/a.json": #"{"x":1,"y":3}"#, "tags": "b\nd\n", "img.bin": "2",
                                     "odd": "2", "notes": "a\nb\nC\n"])
        let conflicts = try fork.merge().conflicts
        #expect(conflicts.map(\.key.path) == ["img.bin", "odd"])
        #expect(conflicts.map(\.strategy) == ["binary", "nosuch"])
        #expect(conflicts.last?.detail == "no merge strategy named 'nosuch' is registered")
        guard case .merged = try fork.merge(.ours) else { Issue.record("expected a merge"); return }
        #expect(text(try fork.main.get(key("hits.count"))) == "17\n")
        #expect(text(try fork.main.get(key("prefs/a.json"))) == #"{"x":2,"y":3}"#)
        #expect(text(try fork.main.get(key("tags"))) == "c\nd\n")
        #expect(text(try fork.main.get(key("notes"))) == "A\nb\nC\n")
    }

    @Test func theMergedGitattributesDecideWhenBothSidesChangedThem() throws {
        let fork = try Fork(.memorySHA1, base: [".gitattributes": "# rules\n\n\n\n", "n": "1", "m": "1"],
                            ours: [".gitattributes": "n merge=counter\n\n\n\n", "n": "2", "m": "2"],
                            theirs: [".gitattributes": "# rules\n\n\n\nm merge=counter\n", "n": "5", "m": "5"])
        guard case .merged = try fork.merge() else { Issue.record("expected a merge"); return }
        #expect(text(try fork.main.get(key("n"))) == "6")
        #expect(text(try fork.main.get(key("m"))) == "6")
    }

    @Test func customStrategiesAndMergeableTypesAreUsedByName() throws {
        var strategies = MergeStrategies()
        strategies.register(Tally.self, as: "tally")
        let fork = try Fork(.fileSHA1, base: [".gitattributes": "*.tally merge=tally\n", "t.tally": #"{"counts":{"a":1}}"#],
                            ours: ["t.tally": #"{"counts":{"a":2}}"#], theirs: ["t.tally": #"{"counts":{"a":4,"b":1}}"#])
        guard case .merged = try fork.merge(strategies: strategies) else { Issue.record("expected a merge"); return }
        #expect(try fork.main.get(key("t.tally"), as: Tally.self) == Tally(counts: ["a": 5, "b": 1]))
    }
}
