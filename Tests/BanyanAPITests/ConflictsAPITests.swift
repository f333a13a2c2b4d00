import Banyan
import BanyanServer
import BanyanTestSupport
import Foundation
import Testing

/// The conflict inbox over REST: a merge with `onConflict: record`, then
/// the inbox listed, one conflict read and resolved, each answer checked
/// against the OpenAPI document.
@Suite("REST API: conflict inbox")
struct ConflictsAPITests {
    @Test(arguments: APIServer.Store.allCases)
    func aRecordedConflictIsListedShownAndResolved(_ store: APIServer.Store) async throws {
        let server = try await APIServer.start(store: store)
        defer { Task { await server.stop() } }
        let repo = server.repository
        let main = try repo.branch("main")
        let side = try repo.createBranch("side")
        try main.set(try Key("notes/a"), Data("main's".utf8), author: Signature(name: "A", email: "a@x", time: 1_800_000_100))
        try side.set(try Key("notes/a"), Data("side's".utf8), author: Signature(name: "A", email: "a@x", time: 1_800_000_200))

        var reply = try await server.request("GET", "/api/v1/conflicts")
        OpenAPICheck.check("GET", "/api/v1/conflicts", reply)
        #expect(reply.status == 200 && (reply.json["conflicts"] as? [Any])?.isEmpty == true)

        reply = try await server.request("POST", "/api/v1/merge", json: ["source": "side", "target": "main", "onConflict": "record"])
        OpenAPICheck.check("POST", "/api/v1/merge", reply)
        #expect(reply.status == 200 && reply.json["outcome"] as? String == "recorded")
        #expect(reply.json["recorded"] as? [String] == ["notes/a"])
        #expect(String(decoding: try main.get(try Key("notes/a")), as: UTF8.self) == "side's")

        reply = try await server.request("GET", "/api/v1/conflicts?branch=main")
        OpenAPICheck.check("GET", "/api/v1/conflicts", reply)
        let listed = try #require((reply.json["conflicts"] as? [[String: Any]])?.first)
        #expect(listed["key"] as? String == "notes/a" && listed["kept"] as? String == "theirs")
        reply = try await server.request("GET", "/api/v1/conflicts?branch=side")
        #expect((reply.json["conflicts"] as? [Any])?.isEmpty == true)

        reply = try await server.request("GET", "/api/v1/conflicts/main/notes/a")
        OpenAPICheck.check("GET", "/api/v1/conflicts/{branch}/{key}", reply)
        #expect(reply.status == 200 && reply.json["kind"] as? String == "contentConflict")
        reply = try await server.request("GET", "/api/v1/conflicts/main/notes/b")
        OpenAPICheck.check("GET", "/api/v1/conflicts/{branch}/{key}", reply)
        #expect(reply.status == 404 && reply.errorCode == "keyNotFound")

        reply = try await server.request("POST", "/api/v1/conflicts/main/notes/a", json: ["take": "ours", "remove": true])
        OpenAPICheck.check("POST", "/api/v1/conflicts/{branch}/{key}", reply)
        #expect(reply.status == 400 && reply.errorCode == "invalidArgument")
        reply = try await server.request("POST", "/api/v1/conflicts/main/notes/a", json: ["take": "mine"])
        #expect(reply.status == 400)
        #expect(try ConflictInbox(repository: repo).records().count == 1, "a refused resolution changed the inbox")

        reply = try await server.request("POST", "/api/v1/conflicts/main/notes/a", json: ["take": "ours"])
        OpenAPICheck.check("POST", "/api/v1/conflicts/{branch}/{key}", reply)
        #expect(try reply.status == 200 && reply.json["commit"] as? String == main.head()?.hex)
        #expect(String(decoding: try main.get(try Key("notes/a")), as: UTF8.self) == "main's")
        #expect(try ConflictInbox(repository: repo).records().isEmpty)
        reply = try await server.request("POST", "/api/v1/conflicts/main/notes/a", json: ["take": "ours"])
        #expect(reply.status == 404)

        reply = try await server.request("GET", "/api/v1/merge/preview?source=side&target=main&onConflict=record")
        #expect(reply.status == 400 && reply.errorCode == "invalidArgument")
        try await server.expectGitClean()
    }
}
