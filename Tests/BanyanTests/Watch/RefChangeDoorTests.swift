import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// Every ref change reaches watches through the store's notifier: the
/// changes of this process whichever code makes them, and on the filesystem
/// those of other processes through inotify. The watches here poll every two
/// minutes, and give up after one, so only a notification can deliver.
@Suite("ref change notification")
struct RefChangeDoorTests {
    static let noPolling = Duration.seconds(120)

    @Test("a commit by another writer of the same store wakes a watch without a poll")
    func otherWritersWakeWatches() async throws {
        let directory = TemporaryDirectory("banyan-ref-door")
        let path = directory.appending("store.git")
        let repository = try Repository.create(at: path, configuration: .init(maintenance: .off))
        let main = try repository.branch("main")
        let seed = try main.set(key("seed"), data("0"))
        let changes = try main.changes(pollInterval: Self.noPolling)
        let watching = Task { try await collect(changes, count: 2, timeout: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(300))

        // Another handle on the store: a notifier of its own, files in common.
        let other = try Repository.open(at: path, configuration: .init(maintenance: .off))
        let fromOther = try other.branch("main").set(key("other"), data("1"))
        try await Task.sleep(for: .milliseconds(300))
        // Another process: git moves the branch to a commit made on a side branch.
        let side = try other.branch("side")
        _ = try side.reset(to: fromOther)
        let fromGit = try side.set(key("git"), data("2"))
        _ = try await offPool { try GitRunner.run(["update-ref", "refs/heads/main", fromGit.hex, fromOther.hex], in: path) }

        let updates = try await watching.value
        #expect(updates.map(\.old) == [seed, fromOther])
        #expect(updates.map(\.new) == [fromOther, fromGit])
    }

    @Test("refs moved by unbundling, merges and resets reach watches", arguments: [StoreKind.memorySHA1, .fileSHA1])
    func everyPathNotifies(_ kind: StoreKind) async throws {
        let (repository, directory) = try kind.make()
        defer { _ = directory }
        let main = try repository.branch("main")
        let seed = try main.set(key("seed"), data("0"))
        let events = try repository.branchEvents(pollInterval: Self.noPolling)
        let watching = Task { try await collect(events, count: 3, timeout: .seconds(60)) }
        let pause = Duration.milliseconds(300)
        try await Task.sleep(for: pause)

        // A bundle made elsewhere brings a branch.
        let source = try Repository.inMemory(hashAlgorithm: kind.algorithm)
        let imported = try source.branch("imported").set(key("imported"), data("1"))
        let bundle = directory.appending("one.bundle")
        try source.createBundle(at: bundle, refs: ["imported"])
        try repository.unbundle(from: bundle, updating: .sameNames)
        try await Task.sleep(for: pause)
        // A merge of it, then a reset back.
        let merged = try repository.merge(from: "imported", into: main, allowUnrelatedHistories: true)
        guard case .merged(let mergeCommit) = merged else {
            Issue.record("expected a merge commit, got \(merged)")
            return
        }
        try await Task.sleep(for: pause)
        try main.reset(to: seed)

        let seen = try await watching.value
        #expect(seen.map(\.branch) == ["imported", "main", "main"])
        #expect(seen.map(\.kind) == [.created, .moved, .moved])
        #expect(seen.map(\.new) == [imported, mergeCommit, seed])
    }
}
