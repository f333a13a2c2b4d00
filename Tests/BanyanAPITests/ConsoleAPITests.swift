import Banyan
import BanyanServer
import BanyanTestSupport
import Foundation
import Testing

/// The endpoints the web console needs (issue 22) and its static files.
@Suite("Web console and its API")
struct ConsoleAPITests {
    /// main: notes/a "one" → edits; dev (from the first commit): its own changes.
    static func start(store: APIServer.Store = .filesystem, token: String? = nil, readOnly: Bool = false)
        async throws -> (APIServer, first: String) {
        let server = try await APIServer.start(store: store, token: token, options: .init(readOnly: readOnly, heartbeat: .milliseconds(200),
                                                                            pollInterval: .milliseconds(50)), console: true)
        let repository = server.repository
        let main = try repository.branch("main")
        let first = try #require(try main.head())
        try main.set(try Key(".gitattributes"), Data("*.json merge=json\n".utf8))
        try main.set(try Key("settings.json"), Data(#"{"theme":"light","retries":3}"#.utf8))
        _ = try repository.createBranch("dev")
        try repository.branch("dev").set(try Key("settings.json"), Data(#"{"theme":"dark","retries":3}"#.utf8))
        try repository.branch("dev").set(try Key("notes/b"), Data("from dev".utf8))
        try main.set(try Key("settings.json"), Data(#"{"theme":"light","retries":5}"#.utf8))
        try main.set(try Key("notes/a"), Data("two".utf8))
        return (server, first.hex)
    }

    @Test(arguments: APIServer.Store.allCases)
    func compareCountsCommitsAheadAndBehind(_ store: APIServer.Store) async throws {
        let (server, _) = try await Self.start(store: store)
        defer { Task { await server.stop() } }
        var reply = try await server.request("GET", "/api/v1/compare?base=main&head=dev")
        OpenAPICheck.check("GET", "/api/v1/compare", reply)
        #expect(reply.status == 200 && reply.json["ahead"] as? Int == 2 && reply.json["behind"] as? Int == 2)
        let base = try server.repository.mergeBases(try server.repository.resolve("main"), try server.repository.resolve("dev")).first
        #expect(reply.json["mergeBase"] as? String == base?.hex)
        reply = try await server.request("GET", "/api/v1/compare?base=main&head=main")
        #expect(reply.json["ahead"] as? Int == 0 && reply.json["behind"] as? Int == 0)
        reply = try await server.request("GET", "/api/v1/compare?base=main")
        OpenAPICheck.check("GET", "/api/v1/compare", reply)
        #expect(reply.status == 400 && reply.errorCode == "invalidArgument")
        reply = try await server.request("GET", "/api/v1/compare?base=main&head=nope")
        OpenAPICheck.check("GET", "/api/v1/compare", reply)
        #expect(reply.status == 400 || reply.status == 404)
    }

    @Test(arguments: APIServer.Store.allCases)
    func logOfOneKeyAndFromARevision(_ store: APIServer.Store) async throws {
        let (server, first) = try await Self.start(store: store)
        defer { Task { await server.stop() } }
        var reply = try await server.request("GET", "/api/v1/log/main?key=notes/a")
        OpenAPICheck.check("GET", "/api/v1/log/{branch}", reply)
        let commits = try #require(reply.json["commits"] as? [[String: Any]])
        #expect(commits.map { $0["id"] as? String } == [try server.repository.branch("main").head()?.hex, first])
        reply = try await server.request("GET", "/api/v1/log/main?key=settings.json&limit=1")
        #expect((reply.json["commits"] as? [[String: Any]])?.count == 1)
        reply = try await server.request("GET", "/api/v1/log/main?key=notes")
        #expect((reply.json["commits"] as? [[String: Any]])?.count == 2)
        reply = try await server.request("GET", "/api/v1/log/main?at=\(first)")
        OpenAPICheck.check("GET", "/api/v1/log/{branch}", reply)
        #expect((reply.json["commits"] as? [[String: Any]])?.map { $0["id"] as? String } == [first])
        // A value replaced by a directory of the same name: the history of a key inside it starts there.
        try server.repository.branch("main").set(try Key("x"), Data("a value".utf8))
        let replaced = try #require(try server.repository.branch("main").transaction(message: "x becomes a directory") { tx in
            tx.remove(try Key("x"))
            tx.set(try Key("x/y"), Data("inside".utf8))
        })
        reply = try await server.request("GET", "/api/v1/log/main?key=x/y")
        #expect((reply.json["commits"] as? [[String: Any]])?.map { $0["id"] as? String } == [replaced.hex])
        reply = try await server.request("GET", "/api/v1/log/main?key=notes/..")
        OpenAPICheck.check("GET", "/api/v1/log/{branch}", reply)
        #expect(reply.status == 400 && reply.errorCode == "invalidKey")
    }

    @Test(arguments: APIServer.Store.allCases)
    func listAtACommitAndDiffAgainstTheFirstParent(_ store: APIServer.Store) async throws {
        let (server, first) = try await Self.start(store: store)
        defer { Task { await server.stop() } }
        var reply = try await server.request("GET", "/api/v1/list/main?at=\(first)")
        OpenAPICheck.check("GET", "/api/v1/list/{branch}", reply)
        #expect((reply.json["entries"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["notes"])
        #expect(reply.headers["etag"] == "\"\(first)\"")
        reply = try await server.request("GET", "/api/v1/list/main/notes?at=nope")
        OpenAPICheck.check("GET", "/api/v1/list/{branch}/{prefix}", reply)
        #expect(reply.status == 400 || reply.status == 404)

        reply = try await server.request("GET", "/api/v1/diff?to=main")
        OpenAPICheck.check("GET", "/api/v1/diff", reply)
        #expect(reply.json["from"] as? String == (try server.repository.resolve("main~1")).hex)
        #expect((reply.json["changes"] as? [[String: Any]])?.map { $0["key"] as? String } == ["notes/a"])
        reply = try await server.request("GET", "/api/v1/diff?to=\(first)")
        OpenAPICheck.check("GET", "/api/v1/diff", reply)
        #expect(reply.json["from"] is NSNull)
        #expect((reply.json["changes"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["added"])
    }

    @Test(arguments: APIServer.Store.allCases)
    func mergePreviewSaysWhatEachKeyBecomesAndStoresNothing(_ store: APIServer.Store) async throws {
        let (server, _) = try await Self.start(store: store)
        defer { Task { await server.stop() } }
        let mainBefore = try server.repository.branch("main").head()
        var reply = try await server.request("GET", "/api/v1/merge/preview?source=dev&target=main")
        OpenAPICheck.check("GET", "/api/v1/merge/preview", reply)
        #expect(reply.status == 200 && reply.json["outcome"] as? String == "merged")
        let keys = try #require(reply.json["keys"] as? [[String: Any]])
        let results = Dictionary(uniqueKeysWithValues: keys.map { ($0["key"] as? String ?? "", $0["result"] as? String ?? "") })
        #expect(results == ["notes/a": "ours", "notes/b": "theirs", "settings.json": "merged"])
        let settings = try #require(keys.first { $0["key"] as? String == "settings.json" })
        #expect(settings["strategy"] as? String == "json")
        #expect((settings["merged"] as? String)?.contains(#""theme":"dark""#) == true)
        #expect((settings["merged"] as? String)?.contains(#""retries":5"#) == true)
        #expect(try server.repository.branch("main").head() == mainBefore)
        let mergedID = RawObject.blob(Array((settings["merged"] as? String ?? "").utf8)).id(server.repository.hashAlgorithm)
        #expect(try !server.repository.objects.contains(mergedID), "the preview stored the merged value")

        try server.repository.branch("dev").set(try Key("notes/a"), Data("three".utf8))
        reply = try await server.request("GET", "/api/v1/merge/preview?source=dev&target=main")
        OpenAPICheck.check("GET", "/api/v1/merge/preview", reply)
        #expect(reply.json["outcome"] as? String == "conflicts")
        let conflict = (reply.json["keys"] as? [[String: Any]])?.first { $0["key"] as? String == "notes/a" }
        #expect(conflict?["result"] as? String == "conflict" && conflict?["strategy"] as? String == "text")
        reply = try await server.request("GET", "/api/v1/merge/preview?source=dev&target=main&onConflict=theirs")
        #expect(reply.json["outcome"] as? String == "merged")
        #expect((reply.json["keys"] as? [[String: Any]])?.first { $0["key"] as? String == "notes/a" }?["result"] as? String == "theirs")

        reply = try await server.request("GET", "/api/v1/merge/preview?source=main&target=dev")
        #expect(reply.json["outcome"] as? String == "conflicts")
        reply = try await server.request("GET", "/api/v1/merge/preview?source=main~3&target=main")
        OpenAPICheck.check("GET", "/api/v1/merge/preview", reply)
        #expect(reply.json["outcome"] as? String == "upToDate")
        reply = try await server.request("GET", "/api/v1/merge/preview?source=dev&target=main&onConflict=maybe")
        OpenAPICheck.check("GET", "/api/v1/merge/preview", reply)
        #expect(reply.status == 400)
        reply = try await server.request("GET", "/api/v1/merge/preview?source=dev&target=nope")
        OpenAPICheck.check("GET", "/api/v1/merge/preview", reply)
        #expect(reply.status == 404 && reply.errorCode == "refNotFound")
    }

    @Test func infoSaysWhetherTheServerIsReadOnly() async throws {
        let (server, _) = try await Self.start(readOnly: true)
        defer { Task { await server.stop() } }
        let reply = try await server.request("GET", "/api/v1/info")
        OpenAPICheck.check("GET", "/api/v1/info", reply)
        #expect(reply.json["readOnly"] as? Bool == true && reply.json["defaultBranch"] as? String == "main")
        // A preview is a read: a read-only server answers it.
        let preview = try await server.request("GET", "/api/v1/merge/preview?source=dev&target=main")
        #expect(preview.status == 200)
    }

    @Test func theConsoleLoadsWithoutTheTokenButItsAPICallsNeedIt() async throws {
        let (server, _) = try await Self.start(token: "s3cret")
        defer { Task { await server.stop() } }
        var reply = try await server.request("GET", "/")
        #expect(reply.status == 200 && reply.headers["content-type"] == "text/html; charset=utf-8")
        #expect(reply.text.contains(#"<script type="module" src="/console/app.js">"#))
        #expect(reply.headers["cache-control"] == "no-cache" && reply.headers["content-security-policy"]?.contains("script-src 'self'") == true)
        for (file, type) in [("app.js", "text/javascript; charset=utf-8"), ("style.css", "text/css; charset=utf-8"), ("api.js", "text/javascript; charset=utf-8")] {
            reply = try await server.request("GET", "/console/\(file)")
            #expect(reply.status == 200 && reply.headers["content-type"] == type, "\(file)")
        }
        let etag = try #require(reply.headers["etag"])
        reply = try await server.request("GET", "/console/api.js", headers: ["If-None-Match": etag])
        #expect(reply.status == 304 && reply.body.isEmpty)

        for path in ["/console/nope.js", "/console/%2E%2E%2FPackage.swift", "/console/..%2F..%2FPackage.swift"] {
            reply = try await server.request("GET", path)
            #expect(reply.status == 404 && reply.errorCode == "notFound", "\(path)")
        }
        reply = try await server.request("GET", "/console/../api/v1/branches")
        #expect(reply.status == 401)
        reply = try await server.request("POST", "/console/app.js")
        #expect(reply.status == 401)
        reply = try await server.request("GET", "/api/v1/info")
        #expect(reply.status == 401 && reply.headers["www-authenticate"]?.contains("Basic") == true)
        reply = try await server.request("GET", "/api/v1/info", headers: ["X-Requested-With": "banyan-console"])
        OpenAPICheck.check("GET", "/api/v1/info", reply)
        #expect(reply.status == 401 && reply.headers["www-authenticate"] == "Bearer realm=\"banyan\"")
        reply = try await server.request("GET", "/api/v1/info", headers: ["Authorization": "Bearer s3cret"])
        #expect(reply.status == 200)
    }

    @Test func withoutTheConsoleTheRootIsNotServed() async throws {
        let server = try await APIServer.start(token: "s3cret")
        defer { Task { await server.stop() } }
        let reply = try await server.request("GET", "/")
        #expect(reply.status == 401)
    }
}
