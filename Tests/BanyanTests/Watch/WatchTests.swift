import Banyan
import BanyanTestSupport
import Foundation
import Testing

@Suite("Watches")
struct WatchTests {
    @Test(arguments: [StoreKind.memorySHA1, .fileSHA1])
    func aBurstOfOneThousandCommitsFromFourWritersArrivesInOrderOnce(_ kind: StoreKind) async throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let main = try repo.branch("main")
        let start = try main.set(key("seed"), data("0"))
        let changes = try main.changes()
        let watching = Task { try await collect(changes, count: 1_000) }
        let writers = 4, perWriter = 250
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for i in 0..<perWriter {
                        _ = try? main.set(key("w\(writer)/\(i)"), data("\(i)"))
                    }
                }
            }
        }
        let updates = try await watching.value
        #expect(updates.count == writers * perWriter)
        #expect(updates.first?.old == start)
        #expect(updates.last?.new == (try main.head()))
        for (before, after) in zip(updates, updates.dropFirst()) where before.new != after.old {
            Issue.record("gap or reordering: \(before.new?.hex ?? "nil") then \(after.old?.hex ?? "nil")")
            break
        }
        #expect(Set(updates.compactMap(\.new)).count == updates.count)
        let keys = updates.flatMap { $0.changes.map(\.key.path) }
        #expect(keys.count == 1_000 && Set(keys).count == 1_000)
        #expect(updates.allSatisfy { $0.changes.count == 1 && $0.changes[0].kind == .added })
    }

    @Test func aPrefixWatchSkipsCommitsOutsideThePrefixAndLimitsTheDiff() async throws {
        let repo = try Repository.inMemory()
        let main = try repo.branch("main")
        try main.set(key("notes/a"), data("1"))
        let changes = try main.changes(prefix: key("notes"))
        let watching = Task { try await collect(changes, count: 2) }
        try main.set(key("settings/x"), data("1"))
        let first = try main.transaction(message: "both") {
            $0.set(key("notes/b"), data("2"))
            $0.set(key("settings/y"), data("2"))
        }
        let second = try main.remove(key("notes/a"))
        let updates = try await watching.value
        #expect(updates.map(\.new) == [first, second])
        #expect(updates[0].changes.map(\.key.path) == ["notes/b"])
        #expect(updates[1].changes.map(\.kind) == [.removed])
    }

    @Test func aResetGivesOneCoalescedUpdateCoveringTheWholeMove() async throws {
        let repo = try Repository.inMemory()
        let main = try repo.branch("main")
        let first = try main.set(key("a"), data("1"))
        try main.set(key("b"), data("2"))
        try main.set(key("c"), data("3"))
        let changes = try main.changes()
        let watching = Task { try await collect(changes, count: 1) }
        let old = try main.reset(to: first)
        let updates = try await watching.value
        #expect(updates.count == 1)
        #expect(updates.first?.old == old && updates.first?.new == first)
        #expect(updates.first?.changes.map(\.key.path) == ["b", "c"])
        #expect(updates.first?.changes.allSatisfy { $0.kind == .removed } == true)
    }

    @Test func sinceResumesFromAnOlderCommitWithoutLoss() async throws {
        let repo = try Repository.inMemory()
        let main = try repo.branch("main")
        let base = try main.set(key("a"), data("1"))
        let ids = [try main.set(key("b"), data("2")), try main.set(key("c"), data("3"))]
        let updates = try await collect(try main.changes(since: base), count: 2)
        #expect(updates.map(\.new) == ids)
        #expect(throws: BanyanError.self) { try main.changes(since: ObjectID.zero(.sha1)) }
    }

    @Test func cancellingTheTaskEndsTheWatch() async throws {
        let repo = try Repository.inMemory()
        let main = try repo.branch("main")
        try main.set(key("a"), data("1"))
        // Cancelling must not wait for the next poll: with a five-minute
        // interval, an end well before it can only come from the cancel.
        let changes = try main.changes(pollInterval: .seconds(300))
        let watching = Task {
            var count = 0
            for try await _ in changes { count += 1 }
            return count
        }
        try await Task.sleep(for: .milliseconds(50))
        let started = ContinuousClock.now
        watching.cancel()
        #expect(try await watching.value == 0)
        #expect(ContinuousClock.now - started < .seconds(150))
    }

    @Test func branchEventsReportCreatedMovedAndDeleted() async throws {
        let repo = try Repository.inMemory()
        let main = try repo.branch("main")
        let first = try main.set(key("a"), data("1"))
        let events = try repo.branchEvents()
        let watching = Task { try await collect(events, count: 3) }
        try repo.createBranch("dev", at: first)
        await Task.yield()
        try await Task.sleep(for: .milliseconds(20))
        let moved = try repo.branch("dev").set(key("b"), data("2"))
        try await Task.sleep(for: .milliseconds(20))
        try repo.deleteBranch("dev")
        let seen = try await watching.value
        #expect(seen.map(\.kind) == [.created, .moved, .deleted])
        #expect(seen.map(\.branch) == ["dev", "dev", "dev"])
        #expect(seen[1].old == first && seen[1].new == moved)
        #expect(seen[2].old == moved && seen[2].new == nil)
    }

    @Test func updatesEncodeAsOneLineOfJSONAndDiffFromTheUnstoredEmptyTree() throws {
        let repo = try Repository.inMemory()
        let main = try repo.branch("main")
        let id = try main.set(key("a/b"), data("1"))
        let update = BranchUpdate(branch: "main", old: nil, new: id, changes: try repo.diff(from: repo.hashAlgorithm.emptyTreeID, to: id))
        let line = try update.jsonLine()
        #expect(!line.contains("\n"))
        #expect(line.contains("\"key\":\"a/b\"") && line.contains("\"kind\":\"added\"") && line.contains("\"old\":null"))
    }
}
