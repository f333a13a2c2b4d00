import AsyncHTTPClient
import Banyan
import BanyanServer
import BanyanTestSupport
import Foundation
import NIOCore
import ServiceLifecycle
import Testing

@Suite("REST API change stream (SSE)")
struct SSEWatchTests {
    /// Reads `count` event ids from `/api/v1/watch/main`, then drops the connection.
    func readEvents(_ server: APIServer, count: Int, lastEventID: String? = nil) async throws -> [String] {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/api/v1/watch/main?prefix=notes")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(response.status.code == 200)
        #expect(response.headers.first(name: "content-type") == "text/event-stream")
        var text = "", ids: [String] = []
        for try await buffer in response.body {
            text += String(buffer: buffer)
            while let end = text.range(of: "\n\n") {
                let event = text[..<end.lowerBound]
                text.removeSubrange(..<end.upperBound)
                if let line = event.split(separator: "\n").first(where: { $0.hasPrefix("id: ") }) {
                    #expect(event.contains("event: update") && event.contains("\"changes\":"))
                    ids.append(String(line.dropFirst(4)))
                }
            }
            if ids.count >= count { break }
        }
        return ids
    }

    @Test(arguments: APIServer.Store.allCases)
    func aReconnectWithLastEventIDResumesWithoutLoss(_ store: APIServer.Store) async throws {
        let server = try await APIServer.start(store: store)
        defer { Task { await server.stop() } }
        let main = try server.repository.branch("main")
        // Resuming from the current head, so commits made before the stream is
        // set up (a loaded machine is slow to connect) are still delivered.
        let start = try #require(try main.head()).hex
        let first = Task { try await readEvents(server, count: 2, lastEventID: start) }
        var written: [String] = []
        for i in 0..<2 { written.append(try main.set(try Key("notes/\(i)"), Data("\(i)".utf8)).hex) }
        let seen = try await first.value
        #expect(seen == written)
        // While nobody listens: more commits, one outside the prefix.
        for i in 2..<5 { written.append(try main.set(try Key("notes/\(i)"), Data("\(i)".utf8)).hex) }
        try main.set(try Key("other"), Data("x".utf8))
        let resumed = try await readEvents(server, count: 3, lastEventID: seen.last)
        #expect(resumed == Array(written[2...]))
    }

    /// The server's graceful shutdown ends an open stream at once, cleanly
    /// (the body ends instead of breaking off), so the stream does not hold
    /// the shutdown up until the grace period runs out.
    @Test func aGracefulShutdownEndsTheStream() async throws {
        let directory = TemporaryDirectory("banyan-api")
        let repository = try Repository.create(at: directory.appending("store"))
        try repository.branch("main").set(try Key("notes/a"), Data("one".utf8))
        // A grace period far above the bound below, so a loaded machine cannot blur the two.
        let builder = BanyanServerBuilder(repository: repository, configuration: .init(
            port: 0, logLevel: .critical, shutdownGracePeriod: .seconds(120)))
        builder.addRESTAPI(repository: repository)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let group = try builder.serviceGroup(stoppingOn: []) { continuation.yield($0) }
        let running = Task { try await group.run() }
        var portIterator = ports.makeAsyncIterator()
        let port = try #require(await portIterator.next())

        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/watch/main"), timeout: .seconds(30))
        var body = response.body.makeAsyncIterator()
        let opening = try #require(try await body.next())
        #expect(String(buffer: opening).hasPrefix(": watching main"))
        let clock = ContinuousClock()
        let start = clock.now
        await group.triggerGracefulShutdown()
        while try await body.next() != nil {}
        try await running.value
        #expect(clock.now - start < .seconds(60), "the stream held the shutdown up until the grace period ended")
    }

    @Test func watchingAMissingBranchOrWithABadLastEventIDFails() async throws {
        let server = try await APIServer.start()
        defer { Task { await server.stop() } }
        var reply = try await server.request("GET", "/api/v1/watch/nope")
        OpenAPICheck.check("GET", "/api/v1/watch/{branch}", reply)
        #expect(reply.status == 404 && reply.errorCode == "refNotFound")
        reply = try await server.request("GET", "/api/v1/watch/main", headers: ["Last-Event-ID": "zzz"])
        OpenAPICheck.check("GET", "/api/v1/watch/{branch}", reply)
        #expect(reply.status == 400)
    }
}
