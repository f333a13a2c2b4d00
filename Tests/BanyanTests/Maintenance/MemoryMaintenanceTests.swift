import Foundation
import Testing

@testable import Banyan

/// The in-memory store's maintenance: what the conformance suite cannot age.
@Suite("memory store maintenance")
struct MemoryMaintenanceTests {
    @Test("gc prunes unreachable objects older than the cutoff and the write horizon, and nothing reachable")
    func prunesOldUnreachable() throws {
        let backend = try MemoryBackend()
        let repository = Repository(objects: backend, refs: backend)
        let main = try repository.branch("main")
        try main.set(key("a"), data("1"))
        let replaced = try #require(try main.snapshot().entry(at: key("a"))?.id)
        try main.set(key("a"), data("2"))
        // Reachable from the reflog only: kept.
        let orphan = try backend.put(RawObject(kind: .blob, body: Array("orphan".utf8)))

        let now = Date()
        let inTwoHours = now.addingTimeInterval(7_200)
        let withinHorizon = try backend.gc(pruneBefore: now, now: now)
        #expect(withinHorizon.prunedObjects == 0)
        let report = try backend.gc(pruneBefore: inTwoHours, now: inTwoHours)
        #expect(report.prunedObjects == 1)
        #expect(try !backend.contains(orphan))
        #expect(try backend.contains(replaced), "the first value stays reachable through main's history")
        #expect(try text(main.get(key("a"))) == "2")
        #expect(try repository.countObjects().count == backend.allObjectIDs().count)
    }

    @Test("reflog expiry keeps entries appended while it runs")
    func expiryKeepsNewEntries() throws {
        let backend = try MemoryBackend()
        let repository = Repository(objects: backend, refs: backend)
        let main = try repository.branch("main")
        try main.set(key("a"), data("1"), author: signature(1_000), committer: signature(1_000))
        try main.set(key("a"), data("2"), author: signature(2_000), committer: signature(2_000))
        let old = try backend.reflog("refs/heads/main")
        let newer = try main.set(key("a"), data("3"))
        #expect(backend.replaceReflogPrefix("refs/heads/main", old: old, with: []))
        #expect(try backend.reflog("refs/heads/main").map(\.new) == [newer])
        #expect(!backend.replaceReflogPrefix("refs/heads/main", old: old, with: []), "a log that changed is left alone")
    }
}
