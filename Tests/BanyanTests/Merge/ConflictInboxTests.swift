@testable import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// `ConflictPolicy.record` and the `ConflictInbox`: merges that record
/// conflicts instead of stopping, the value a branch keeps meanwhile,
/// resolution, and inboxes of two devices merging to one.
@Suite("Conflict inbox")
struct ConflictInboxTests {
    /// A fork where `title` conflicts (theirs is newer) and `note` merges cleanly.
    private func conflictingFork(_ kind: StoreKind) throws -> Fork {
        try Fork(kind, base: ["title": "base\n", "note": "n\n"], ours: ["title": "ours\n"],
                 theirs: ["title": "theirs\n", "extra": "x\n"])
    }

    @Test(arguments: StoreKind.allCases)
    func aRecordingMergeKeepsTheNewerSideAndRecordsTheConflict(_ kind: StoreKind) throws {
        let fork = try conflictingFork(kind)
        let ours = try #require(try fork.main.head()), theirs = try #require(try fork.other.head())
        guard case .recorded(let merge, let conflicts) = try fork.merge(.record) else {
            Issue.record("expected a recorded merge")
            return
        }
        #expect(conflicts.map(\.key) == [key("title")])
        #expect(try fork.main.head() == merge)
        #expect(try fork.repo.commit(merge).parents == [ours, theirs])
        // Theirs was committed later (Fork's times), so the branch keeps theirs.
        #expect(try text(fork.main.find(key("title"))) == "theirs\n")
        #expect(try text(fork.main.find(key("extra"))) == "x\n")

        let inbox = ConflictInbox(repository: fork.repo)
        let records = try inbox.records()
        #expect(records.count == 1)
        let record = try #require(records.first)
        #expect(record.branch == "main" && record.key == key("title") && record.kind == .contentConflict)
        #expect(record.oursCommit == ours && record.theirsCommit == theirs && record.mergeCommit == merge)
        #expect(record.kept == .theirs && record.keptObject == record.theirs)
        #expect(try fork.repo.blob(try #require(record.base)) == Array("base\n".utf8))
        #expect(try inbox.record(key("title"), branch: "main") == record)
        #expect(try inbox.record(key("note"), branch: "main") == nil)
        #expect(try inbox.records(branch: "other").isEmpty)
        // The inbox is a ref git can read, holding the three versions.
        let tree = try fork.repo.snapshot(ConflictInbox.refName).list()
        #expect(tree.count == 1)
        let files = try fork.repo.snapshot(ConflictInbox.refName).list(tree[0].key).map(\.name)
        #expect(files == ["base", "conflict.json", "ours", "theirs"])
    }

    @Test func theOlderSideIsReplacedOnlyWhenTheOtherIsNewer() throws {
        // Ours committed after theirs: the branch keeps ours.
        let fork = try Fork(.memorySHA1, base: ["k": "0\n"], ours: [:], theirs: ["k": "theirs\n"])
        try Fork.apply(["k": "ours\n"], to: fork.main, time: 1_700_000_250)
        guard case .recorded = try fork.merge(.record) else { Issue.record("expected a recorded merge"); return }
        #expect(try text(fork.main.find(key("k"))) == "ours\n")
        #expect(try ConflictInbox(repository: fork.repo).records().first?.kept == .ours)
    }

    @Test func aDryRunRecordsNothingAndACommitMergeRefusesToRecord() throws {
        let fork = try conflictingFork(.memorySHA1)
        let head = try fork.main.head()
        guard case .recorded(_, let conflicts) = try fork.repo.merge(from: "other", into: fork.main, onConflict: .record,
                                                                      dryRun: true) else {
            Issue.record("expected a recorded dry run")
            return
        }
        #expect(conflicts.count == 1)
        #expect(try fork.main.head() == head)
        #expect(try ConflictInbox(repository: fork.repo).head() == nil)
        #expect(throws: BanyanError.self) {
            try fork.repo.mergeCommits(try #require(try fork.main.head()), try #require(try fork.other.head()), onConflict: .record)
        }
    }

    @Test(arguments: [ConflictResolution.ours, .theirs, .base, .value(Array("mine\n".utf8)), .remove])
    func resolvingCommitsTheChoiceAndEmptiesTheInbox(_ resolution: ConflictResolution) throws {
        let fork = try conflictingFork(.memorySHA1)
        _ = try fork.merge(.record)
        let inbox = ConflictInbox(repository: fork.repo)
        let before = try fork.main.head()
        let head = try inbox.resolve(key("title"), branch: "main", with: resolution, author: signature(1_700_000_400))
        let expected: String? = switch resolution {
        case .ours: "ours\n"
        case .theirs: "theirs\n"
        case .base: "base\n"
        case .value: "mine\n"
        case .remove: nil
        }
        #expect(try text(fork.main.find(key("title"))) == expected)
        // The branch kept theirs meanwhile: taking theirs needs no commit.
        #expect((head == before) == (resolution == .theirs))
        #expect(try inbox.records().isEmpty)
        #expect(try inbox.head() != nil, "the inbox keeps its history")
        #expect(try fork.repo.log(from: try #require(try inbox.head())).count == 2)
    }

    @Test func resolvingWhatIsNotRecordedIsRefused() throws {
        let fork = try conflictingFork(.memorySHA1)
        _ = try fork.merge(.record)
        let inbox = ConflictInbox(repository: fork.repo)
        #expect { try inbox.resolve(key("note"), branch: "main", with: .ours) } throws: {
            ($0 as? BanyanError)?.code == .keyNotFound
        }
        #expect { try inbox.resolve(key("title"), branch: "other", with: .ours) } throws: {
            ($0 as? BanyanError)?.code == .keyNotFound
        }
        #expect(try inbox.records().count == 1)
    }

    @Test func aBrokenRecordIsReportedAsCorrupt() throws {
        let repo = try Repository.inMemory()
        let inbox = Branch(repository: repo, internalRef: ConflictInbox.refName, name: "conflict inbox")
        try inbox.set(key("abc/conflict.json"), data("{not json"))
        #expect { try ConflictInbox(repository: repo).records() } throws: {
            ($0 as? BanyanError)?.code == .corruptObject && "\($0)".contains("abc")
        }
    }

    @Test func twoDevicesInboxesMergeToTheSameRecords() throws {
        // Device A records a conflict on "a"; device B, from the same inbox
        // history, resolves an older conflict and records one on "b".
        let repo = try Repository.inMemory()
        let inbox = ConflictInbox(repository: repo)
        func record(_ name: String, merge: ObjectID) throws -> ConflictRecord {
            let id = try repo.objects.put(RawObject(kind: .blob, body: Array("\(name)\n".utf8)))
            return ConflictRecord(branch: "main", conflict: MergeConflict(key: key(name), kind: .contentConflict, ours: id, theirs: id),
                                  oursCommit: merge, theirsCommit: merge, mergeCommit: merge, kept: .ours)
        }
        let zero = ObjectID.zero(repo.hashAlgorithm)
        try inbox.add([try record("c", merge: zero)], author: signature(1_700_000_000))
        let base = try #require(try inbox.head())
        try inbox.add([try record("a", merge: zero)], author: signature(1_700_000_010))
        let deviceA = try #require(try inbox.head())
        try repo.refs.compareAndSwap(ConflictInbox.refName, expected: .any, new: base, log: nil)
        try inbox.inbox.transaction(message: "resolve c", author: signature(1_700_000_020)) {
            $0.remove(try ConflictInbox.directory(branch: "main", key: key("c")))
        }
        try inbox.add([try record("b", merge: zero)], author: signature(1_700_000_030))
        let deviceB = try #require(try inbox.head())

        let mergedOnB = try inbox.merge(deviceA, author: signature(1_700_000_040))
        #expect(try inbox.records().map(\.key) == [key("a"), key("b")])
        try repo.refs.compareAndSwap(ConflictInbox.refName, expected: .any, new: deviceA, log: nil)
        let mergedOnA = try inbox.merge(deviceB, author: signature(1_700_000_040))
        #expect(try repo.commit(mergedOnA).tree == (try repo.commit(mergedOnB).tree))
        // Already merged: nothing to do; an older inbox fast-forwards.
        #expect(try inbox.merge(deviceB) == mergedOnA)
        try repo.refs.delete(ConflictInbox.refName, expected: .value(mergedOnA))
        #expect(try inbox.merge(base) == base)
        #expect(try inbox.merge(mergedOnA) == mergedOnA)
    }

    @Test func aConflictRecordedAgainOutlivesAnOlderResolution() throws {
        let repo = try Repository.inMemory()
        let inbox = ConflictInbox(repository: repo)
        let zero = ObjectID.zero(repo.hashAlgorithm)
        func record(_ merge: ObjectID) -> ConflictRecord {
            ConflictRecord(branch: "main", conflict: MergeConflict(key: key("k"), kind: .addAdd),
                           oursCommit: merge, theirsCommit: merge, mergeCommit: merge, kept: .theirs)
        }
        try inbox.add([record(zero)], author: signature(1_700_000_000))
        let base = try #require(try inbox.head())
        try inbox.inbox.transaction(message: "resolve", author: signature(1_700_000_010)) {
            $0.remove(try ConflictInbox.directory(branch: "main", key: key("k")))
        }
        let resolved = try #require(try inbox.head())
        try repo.refs.compareAndSwap(ConflictInbox.refName, expected: .any, new: base, log: nil)
        let newer = try #require(ObjectID(hex: String(repeating: "1", count: 40)))
        try inbox.add([record(newer)], author: signature(1_700_000_020))
        _ = try inbox.merge(resolved)
        #expect(try inbox.records().map(\.mergeCommit) == [newer])
    }
}
