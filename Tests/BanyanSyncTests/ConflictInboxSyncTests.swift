import Banyan
import BanyanSync
import BanyanTestSupport
import Foundation
import Testing

/// The conflict inbox across devices: a sync that records a conflict pushes
/// the merge and the inbox; another device sees the record, resolves it,
/// and the resolution reaches the first; against a Banyan server and
/// `git http-backend`.
@Suite("Sync: conflict inbox", .serialized)
struct ConflictInboxSyncTests {
    @Test(.timeLimit(.minutes(3)), arguments: SyncRoundTests.Server.allCases)
    func aConflictRecordedOnOneDeviceIsResolvedOnAnother(_ kind: SyncRoundTests.Server) async throws {
        let dir = TemporaryDirectory()
        let (url, server, stop) = try await SyncRoundTests().serve(kind, in: dir)
        let laptop = try await kind.devices.clone(url), phone = try await kind.devices.clone(url)
        try commit(laptop, "title", "laptop's", time: 1_800_000_100)
        try commit(phone, "title", "phone's", time: 1_800_000_200)
        _ = try await Sync(repository: laptop).sync(branches: ["main"])

        let recorded = try await Sync(repository: phone).sync(branches: ["main"], onConflict: .record)
        let main = try #require(recorded.branches.first)
        #expect(try main.action == .recorded && main.pushed && main.conflicts == [Key("title")])
        #expect(!recorded.hasConflicts && recorded.inboxPushed && recorded.openConflicts == 1)
        // The phone's edit is newer, so the branch keeps it meanwhile.
        #expect(try text(phone, "title") == "phone's")
        let served = try SyncRoundTests().reopened(server)
        #expect(try ConflictInbox(repository: served).records().map(\.key) == [try Key("title")])

        let pulled = try await Sync(repository: laptop).sync(branches: ["main"], onConflict: .record)
        #expect(pulled.branches.first?.action == .fastForwarded && pulled.openConflicts == 1 && !pulled.inboxPushed)
        let record = try #require(try ConflictInbox(repository: laptop).records().first)
        #expect(try record.kept == .ours && record.key == Key("title"))
        #expect(try laptop.blob(try #require(record.theirs)) == Array("laptop's".utf8))
        try ConflictInbox(repository: laptop).resolve(try Key("title"), branch: "main", with: .value(Array("agreed".utf8)))
        let resolved = try await Sync(repository: laptop).sync(branches: ["main"], onConflict: .record)
        #expect(resolved.branches.first?.pushed == true && resolved.inboxPushed && resolved.openConflicts == 0)

        let back = try await Sync(repository: phone).sync(branches: ["main"], onConflict: .record)
        #expect(back.branches.first?.action == .fastForwarded && back.openConflicts == 0)
        #expect(try text(phone, "title") == "agreed")
        #expect(try ConflictInbox(repository: phone).records().isEmpty)
        #expect(try ConflictInbox(repository: phone).head() == (try ConflictInbox(repository: served).head()))
        let again = try await Sync(repository: phone).sync(branches: ["main"], onConflict: .record)
        #expect(again.isNothingToDo)
        try await expectGitClean(server, servedAt: url)
        await stop()
    }

    @Test(.timeLimit(.minutes(3)))
    func devicesThatRecordTheSameConflictConverge() async throws {
        let server = try Repository.inMemory()
        try commit(server, "k", "base")
        let remote = try await TestServer.start(server)
        let one = try await cloneInMemory(remote.url), two = try await cloneInMemory(remote.url)
        let three = try await cloneInMemory(remote.url)
        try commit(one, "k", "one", time: 1_800_000_100)
        try commit(two, "k", "two", time: 1_800_000_200)
        try commit(three, "k", "three", time: 1_800_000_300)
        for device in [one, two, three, one, two, three] {
            _ = try await Sync(repository: device).sync(branches: ["main"], onConflict: .record)
        }
        let heads = try [one, two, three].map { try $0.branch("main").head() }
        #expect(try Set(heads).count == 1 && heads.first == server.branch("main").head())
        let inboxes = try [one, two, three].map { try ConflictInbox(repository: $0).head() }
        #expect(try Set(inboxes).count == 1 && inboxes.first == ConflictInbox(repository: server).head())
        // The newest edit wins meanwhile; the conflict waits in every inbox.
        #expect(try text(one, "k") == "three")
        #expect(try ConflictInbox(repository: one).records().map(\.key) == [try Key("k")])
        await remote.stop()
    }

    @Test func aCloneTakesTheRemotesInbox() async throws {
        let server = try Repository.inMemory()
        try commit(server, "k", "base")
        try server.branch("main").set(try Key("k"), Data("main".utf8), author: signature(1_800_000_100))
        let side = try server.createBranch("side", at: try server.resolve("main~1"))
        try side.set(try Key("k"), Data("side".utf8), author: signature(1_800_000_200))
        _ = try server.merge(from: "side", into: try server.branch("main"), onConflict: .record)
        let remote = try await TestServer.start(server)
        let clone = try await cloneInMemory(remote.url)
        #expect(try ConflictInbox(repository: clone).records().map(\.branch) == ["main"])
        #expect(try text(clone, "k") == "side")
        await remote.stop()
    }
}
