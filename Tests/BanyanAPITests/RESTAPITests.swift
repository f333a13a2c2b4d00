import AsyncHTTPClient
import Banyan
import BanyanServer
import BanyanTestSupport
import Foundation
import NIOCore
import Testing

@Suite("REST API over HTTP")
struct RESTAPITests {
    @Test(arguments: APIServer.Store.allCases)
    func keysReadWriteDeleteWithETagsAndCompareAndSwap(_ store: APIServer.Store) async throws {
        let server = try await APIServer.start(store: store)
        defer { Task { await server.stop() } }
        let head = try #require(try server.repository.branch("main").head()).hex
        var reply = try await server.request("GET", "/api/v1/kv/main/notes/a")
        OpenAPICheck.check("GET", "/api/v1/kv/{branch}/{key}", reply)
        #expect(reply.status == 200 && reply.text == "one" && reply.headers["etag"] == "\"\(head)\"")
        reply = try await server.request("GET", "/api/v1/kv/main/notes/missing")
        OpenAPICheck.check("GET", "/api/v1/kv/{branch}/{key}", reply)
        #expect(reply.status == 404 && reply.errorCode == "keyNotFound")
        reply = try await server.request("GET", "/api/v1/kv/main/notes/%2E%2E")
        #expect(reply.status == 400 && reply.errorCode == "invalidKey")
        reply = try await server.request("GET", "/api/v1/kv/nope/notes/a")
        #expect(reply.status == 404)

        reply = try await server.request("PUT", "/api/v1/kv/main/notes/with%20space", body: Data("two".utf8),
                                         headers: ["If-Match": "\"\(head)\"", "X-Banyan-Message": "hello", "X-Banyan-Author": "Ada <ada@example.com>"])
        OpenAPICheck.check("PUT", "/api/v1/kv/{branch}/{key}", reply)
        #expect(reply.status == 200)
        let second = try #require(reply.json["commit"] as? String)
        let commit = try server.repository.commit(try #require(ObjectID(hex: second)))
        #expect(commit.messageString == "hello\n" && commit.author.name == "Ada")
        #expect(String(decoding: try server.repository.branch("main").get(try Key("notes/with space")), as: UTF8.self) == "two")
        reply = try await server.request("PUT", "/api/v1/kv/main/notes/b", body: Data("x".utf8), headers: ["If-Match": head])
        OpenAPICheck.check("PUT", "/api/v1/kv/{branch}/{key}", reply)
        #expect(reply.status == 412 && reply.errorCode == "staleRef")
        reply = try await server.request("GET", "/api/v1/kv/main/notes/a?at=\(head)")
        #expect(reply.status == 200 && reply.headers["etag"] == "\"\(head)\"")
        reply = try await server.request("PUT", "/api/v1/kv/main/notes/a/deeper", body: Data("x".utf8))
        OpenAPICheck.check("PUT", "/api/v1/kv/{branch}/{key}", reply)
        #expect(reply.status == 400 || reply.status == 409)

        reply = try await server.request("DELETE", "/api/v1/kv/main/notes/a")
        OpenAPICheck.check("DELETE", "/api/v1/kv/{branch}/{key}", reply)
        #expect(reply.status == 200)
        reply = try await server.request("DELETE", "/api/v1/kv/main/notes/a")
        OpenAPICheck.check("DELETE", "/api/v1/kv/{branch}/{key}", reply)
        #expect(reply.status == 404)
        try await server.expectGitClean()
    }

    @Test(arguments: APIServer.Store.allCases)
    func branchesListCommitLogDiffAndMerge(_ store: APIServer.Store) async throws {
        let server = try await APIServer.start(store: store)
        defer { Task { await server.stop() } }
        var reply = try await server.request("POST", "/api/v1/branches", json: ["name": "dev", "from": "main"])
        OpenAPICheck.check("POST", "/api/v1/branches", reply)
        #expect(reply.status == 201 && reply.json["name"] as? String == "dev")
        reply = try await server.request("POST", "/api/v1/branches", json: ["name": "dev"])
        OpenAPICheck.check("POST", "/api/v1/branches", reply)
        #expect(reply.status == 409 && reply.errorCode == "alreadyExists")
        reply = try await server.request("POST", "/api/v1/branches", json: ["name": "bad..name"])
        #expect(reply.status == 400)
        reply = try await server.request("POST", "/api/v1/branches", body: Data("not json".utf8))
        OpenAPICheck.check("POST", "/api/v1/branches", reply)
        #expect(reply.status == 400)
        reply = try await server.request("GET", "/api/v1/branches")
        OpenAPICheck.check("GET", "/api/v1/branches", reply)
        #expect((reply.json["branches"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["dev", "main"])

        let base = try #require(try server.repository.branch("main").head()).hex
        reply = try await server.request("POST", "/api/v1/commit/dev", json: [
            "message": "batch", "author": "Ada <ada@example.com>", "set": ["notes/b": "two", "x/y": "z"], "remove": ["notes/a"], "expect": base])
        OpenAPICheck.check("POST", "/api/v1/commit/{branch}", reply)
        #expect(reply.status == 200)
        let devHead = try #require(reply.json["commit"] as? String)
        reply = try await server.request("POST", "/api/v1/commit/dev", json: ["set": ["q": "1"], "expect": base])
        OpenAPICheck.check("POST", "/api/v1/commit/{branch}", reply)
        #expect(reply.status == 412)
        reply = try await server.request("POST", "/api/v1/commit/dev", json: ["set": ["/bad//key": "1"]])
        #expect(reply.status == 400)

        reply = try await server.request("GET", "/api/v1/list/dev")
        OpenAPICheck.check("GET", "/api/v1/list/{branch}", reply)
        #expect((reply.json["entries"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["notes", "x"])
        reply = try await server.request("GET", "/api/v1/list/dev/notes/")
        OpenAPICheck.check("GET", "/api/v1/list/{branch}/{prefix}", reply)
        #expect((reply.json["entries"] as? [[String: Any]])?.first?["kind"] as? String == "value")
        reply = try await server.request("GET", "/api/v1/list/nope")
        OpenAPICheck.check("GET", "/api/v1/list/{branch}", reply)
        #expect(reply.status == 404)

        reply = try await server.request("GET", "/api/v1/log/dev?limit=1")
        OpenAPICheck.check("GET", "/api/v1/log/{branch}", reply)
        #expect((reply.json["commits"] as? [[String: Any]])?.map { $0["id"] as? String } == [devHead])
        reply = try await server.request("GET", "/api/v1/log/dev?limit=zero")
        OpenAPICheck.check("GET", "/api/v1/log/{branch}", reply)
        #expect(reply.status == 400)
        reply = try await server.request("GET", "/api/v1/diff?from=main&to=dev")
        OpenAPICheck.check("GET", "/api/v1/diff", reply)
        #expect((reply.json["changes"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } == ["removed", "added", "added"])
        reply = try await server.request("GET", "/api/v1/diff?from=main")
        OpenAPICheck.check("GET", "/api/v1/diff", reply)
        #expect(reply.status == 400)
        reply = try await server.request("GET", "/api/v1/diff?from=main&to=nosuchrev")
        OpenAPICheck.check("GET", "/api/v1/diff", reply)
        #expect(reply.status >= 400 && reply.status < 500)

        try server.repository.branch("main").set(try Key("notes/a"), Data("changed on main".utf8))
        reply = try await server.request("POST", "/api/v1/merge", json: ["source": "dev", "target": "main"])
        OpenAPICheck.check("POST", "/api/v1/merge", reply)
        #expect(reply.status == 409 && reply.errorCode == "mergeConflict")
        #expect((reply.json["conflicts"] as? [[String: Any]])?.first?["key"] as? String == "notes/a")
        reply = try await server.request("POST", "/api/v1/merge", json: ["source": "dev", "target": "main", "onConflict": "theirs"])
        OpenAPICheck.check("POST", "/api/v1/merge", reply)
        #expect(reply.status == 200 && reply.json["outcome"] as? String == "merged")
        reply = try await server.request("POST", "/api/v1/merge", json: ["source": "dev", "target": "main", "onConflict": "maybe"])
        #expect(reply.status == 400)

        reply = try await server.request("DELETE", "/api/v1/branches/dev")
        OpenAPICheck.check("DELETE", "/api/v1/branches/{branch}", reply)
        #expect(reply.status == 204)
        reply = try await server.request("DELETE", "/api/v1/branches/dev")
        OpenAPICheck.check("DELETE", "/api/v1/branches/{branch}", reply)
        #expect(reply.status == 404)
        reply = try await server.request("GET", "/api/v1/openapi.json")
        #expect(reply.status == 200 && reply.json["openapi"] as? String == "3.0.3")
        #expect(reply.body == (try Data(contentsOf: OpenAPICheck.documentURL)))
        try await server.expectGitClean()
    }

    @Test func tokenReadOnlyAndBodyLimitRules() async throws {
        let server = try await APIServer.start(token: "s3cret", options: .init(readOnly: true, maxBodyBytes: 8))
        defer { Task { await server.stop() } }
        var reply = try await server.request("GET", "/api/v1/branches")
        #expect(reply.status == 401)
        let auth = ["Authorization": "Bearer s3cret"]
        reply = try await server.request("GET", "/api/v1/branches", headers: auth)
        #expect(reply.status == 200)
        reply = try await server.request("PUT", "/api/v1/kv/main/k", body: Data("v".utf8), headers: auth)
        OpenAPICheck.check("PUT", "/api/v1/kv/{branch}/{key}", reply)
        #expect(reply.status == 403 && reply.errorCode == "readOnly")
        reply = try await server.request("POST", "/api/v1/merge", json: ["source": "main", "target": "main"], headers: auth)
        #expect(reply.status == 403)

        let writable = try await APIServer.start(options: .init(maxBodyBytes: 8))
        defer { Task { await writable.stop() } }
        reply = try await writable.request("PUT", "/api/v1/kv/main/k", body: Data(repeating: 65, count: 100))
        OpenAPICheck.check("PUT", "/api/v1/kv/{branch}/{key}", reply)
        #expect(reply.status == 413 && reply.errorCode == "limitExceeded")
    }
}
