import Banyan
import BanyanSync
import BanyanTestSupport
import Foundation
import Testing

/// Power cuts while a durable store served by `banyan serve` receives
/// `git push`es (`PowerLossSimulator`, as `PowerLossTests` runs it on the
/// other write paths): receive-pack over HTTP, the pack spool
/// (`PackSpool` over the store's `PackReceiver`, through the I/O seam), the
/// completion of a thin pack (its bases appended, the count and trailer
/// rewritten in place), the pack's install beside its index, and the ref.
/// On every image, before Banyan opens it, `git fsck --strict` is clean and
/// every push acknowledged before the cut is on `main`.
@Suite("Power loss: a received push", .serialized)
struct PowerLossReceiveTests {
    @Test("a push into a durable store survives a power cut anywhere, thin pack included")
    func aReceivedPushSurvivesAPowerCut() async throws {
        let failures = try await offPool { try Self.receive() }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    /// What went wrong on the images (the first five), on a thread of its own.
    static func receive() throws -> [String] {
        let directory = TemporaryDirectory()
        let store = directory.appending("store.git")
        let repository = try Repository.create(at: store, configuration: .init(durability: .commit, maintenance: .off))
        // A note long enough that an edit of it goes as a delta against the store's copy: a thin pack.
        let note = (0..<200).map { "line \($0) of a note both sides have\n" }.joined()
        try repository.branch("main").set(key("notes/shared"), data(note))
        guard let base = try repository.branch("main").snapshot().entry(at: key("notes/shared"))?.id else {
            throw BanyanError(.keyNotFound, "the note just written is not there")
        }
        try repository.flush()
        // git's clone, made before the simulation watches; git pushes thin packs.
        let work = directory.appending("work")
        try GitRunner.run(["clone", "-q", store, work])
        let server = try BlockingWait.run { try await TestServer.start(repository) }
        defer { try? BlockingWait.run { await server.stop() } }

        let simulator = try PowerLossSimulator(root: store, imagesDirectory: directory.appending("images")) { event in
            if case .write = event { return false }
            return true
        }
        var acknowledged: [PowerLossSimulator.Acknowledged] = []
        let images = try simulator.record {
            for round in 0..<2 {
                try Data((note + "edit \(round)\n").utf8).write(to: URL(fileURLWithPath: work + "/notes/shared"))
                try GitRunner.run(["commit", "-qam", "edit \(round)"], in: work)
                try GitRunner.run(["push", "-q", server.url, "HEAD:main"], in: work)
                let head = try GitRunner.run(["rev-parse", "HEAD"], in: work).text
                acknowledged.append(.init(completed: simulator.completed, branch: "main", head: ObjectID(hex: head)))
            }
        }
        var failures = images.count > 20 ? [] : ["too few cuts: \(images.count)"]
        // The received packs were thin: completing them appended the base note they were deltas against.
        let received = try FileManager.default.contentsOfDirectory(atPath: store + "/objects/pack").filter { $0.hasSuffix(".idx") }
        let holdingBase = try received.filter { index in
            try GitRunner.run(["show-index"], input: try Data(contentsOf: URL(fileURLWithPath: store + "/objects/pack/" + index)))
                .text.contains(base.hex)
        }
        if holdingBase.count < 2 { failures.append("no received pack was completed from a thin one (\(holdingBase.count) packs hold the base)") }
        for image in images where failures.count < 5 {
            failures += try simulator.problems(in: image, acknowledged: acknowledged)
        }
        return failures
    }
}
