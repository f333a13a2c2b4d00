import Banyan
@testable import BanyanServer
import Foundation
import Hummingbird
import Testing

/// What a browser may do with the server: pages of other sites cannot write
/// through it (CSRF), and stored values never run as pages of its origin (XSS).
@Suite("Browser security")
struct BrowserSecurityTests {
    /// A write a browser sends from another site's page is refused with
    /// `crossOrigin` before it lands, over REST and Git alike; the console's
    /// own (same-origin) writes and clients that send no `Origin` (git, the
    /// CLI, the library) pass, and so do cross-site reads.
    @Test func crossSiteWritesAreRefused() async throws {
        let server = try await APIServer.start()
        defer { Task { await server.stop() } }
        let own = "http://127.0.0.1:\(server.port)"
        for headers in [["Origin": "https://evil.example"], ["Origin": "null"], ["Origin": "http://127.0.0.1:1"],
                        ["Sec-Fetch-Site": "cross-site"], ["Origin": own, "Sec-Fetch-Site": "cross-site"]] {
            var reply = try await server.request("PUT", "/api/v1/kv/main/notes/csrf", body: Data("x".utf8), headers: headers)
            #expect(reply.status == 403 && reply.errorCode == "crossOrigin", "\(headers)")
            reply = try await server.request("POST", "/api/v1/commit/main", json: ["set": ["notes/csrf": "x"]], headers: headers)
            #expect(reply.status == 403 && reply.errorCode == "crossOrigin", "\(headers)")
            reply = try await server.request("POST", "/git-receive-pack", body: Data(), headers: headers)
            #expect(reply.status == 403 && reply.errorCode == "crossOrigin", "\(headers)")
        }
        #expect(try server.repository.branch("main").find(try Key("notes/csrf")) == nil)
        // Reads from anywhere pass: a browser keeps their replies from other sites' pages.
        #expect(try await server.request("GET", "/api/v1/kv/main/notes/a", headers: ["Origin": "https://evil.example"]).status == 200)
        // The console, from the server's own origin, with or without the default port written.
        for headers in [["Origin": own, "Sec-Fetch-Site": "same-origin"], ["Origin": own.uppercased()], [:]] {
            let reply = try await server.request("PUT", "/api/v1/kv/main/notes/ok", body: Data("y".utf8), headers: headers)
            #expect(reply.status == 200, "\(headers)")
        }
        #expect(CrossOriginMiddleware<BasicRequestContext>.sameAuthority(origin: "https://example.com", host: "example.com:443"))
        #expect(!CrossOriginMiddleware<BasicRequestContext>.sameAuthority(origin: "http://example.com", host: "example.com:443"))
    }

    /// Behind a reverse proxy that rewrites `Host`, the console's writes
    /// carry the proxy's public origin: refused unless that origin is
    /// trusted, and then accepted while every other origin stays refused.
    @Test func aTrustedOriginBehindAProxyMayWrite() async throws {
        let proxied = ["Origin": "https://notes.example.com", "Sec-Fetch-Site": "same-origin"]
        let plain = try await APIServer.start()
        var reply = try await plain.request("PUT", "/api/v1/kv/main/notes/proxied", body: Data("x".utf8), headers: proxied)
        #expect(reply.status == 403 && reply.errorCode == "crossOrigin")
        await plain.stop()

        let server = try await APIServer.start(trustedOrigins: ["HTTPS://Notes.Example.com:443/", "http://10.0.0.5:8080"])
        defer { Task { await server.stop() } }
        for headers in [proxied, ["Origin": "https://notes.example.com", "Sec-Fetch-Site": "cross-site"], ["Origin": "http://10.0.0.5:8080"]] {
            reply = try await server.request("PUT", "/api/v1/kv/main/notes/proxied", body: Data("x".utf8), headers: headers)
            #expect(reply.status == 200, "\(headers)")
            reply = try await server.request("POST", "/api/v1/commit/main", json: ["set": ["notes/proxied": "y"]], headers: headers)
            #expect(reply.status == 200, "\(headers)")
        }
        for headers in [["Origin": "http://notes.example.com"], ["Origin": "https://notes.example.com:8443"],
                        ["Origin": "https://evil.example"], ["Sec-Fetch-Site": "cross-site"]] {
            reply = try await server.request("PUT", "/api/v1/kv/main/notes/evil", body: Data("x".utf8), headers: headers)
            #expect(reply.status == 403 && reply.errorCode == "crossOrigin", "\(headers)")
        }
        #expect(try server.repository.branch("main").find(try Key("notes/evil")) == nil)

        #expect(try BanyanServerBuilder.origin("https://notes.example.com:443") == "https://notes.example.com")
        #expect(try BanyanServerBuilder.origin("http://[::1]:8080") == "http://[::1]:8080")
        for bad in ["notes.example.com", "ftp://notes.example.com", "https://notes.example.com/app", "https://", "https://a@b.example",
                    "https://notes.example.com?x=1"] {
            #expect(throws: BanyanError.self, "\(bad)") { try BanyanServerBuilder.origin(bad) }
        }
        var configuration = BanyanServerBuilder.Configuration(port: 0)
        configuration.trustedOrigins = ["https://notes.example.com/app"]
        let repository = try Repository.inMemory()
        #expect(throws: BanyanError.self) { try BanyanServerBuilder(repository: repository, configuration: configuration).application() }
    }

    /// A value holding HTML and script, opened in a browser, is served as
    /// bytes the browser must not sniff, under a sandbox that gives it no
    /// origin: it cannot run as a page of the server and read the console's token.
    @Test func aStoredValueIsNeverServedAsAPage() async throws {
        let server = try await APIServer.start()
        defer { Task { await server.stop() } }
        let page = Data("<html><script>fetch('/api/v1/branches')</script></html>".utf8)
        #expect(try await server.request("PUT", "/api/v1/kv/main/notes/page.html", body: page).status == 200)
        let reply = try await server.request("GET", "/api/v1/kv/main/notes/page.html")
        #expect(reply.status == 200 && reply.body == page)
        #expect(reply.headers["content-type"] == "application/octet-stream")
        #expect(reply.headers["x-content-type-options"] == "nosniff")
        #expect(reply.headers["content-security-policy"] == "sandbox")
    }

    /// The console shows values and names as text, never as markup: no
    /// script of it parses HTML built from strings.
    @Test func theConsoleScriptsNeverInjectHTML() throws {
        let console = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/BanyanServer/Console").standardized
        let scripts = try FileManager.default.contentsOfDirectory(atPath: console.path).filter { $0.hasSuffix(".js") }
        #expect(scripts.count >= 5)
        for script in scripts {
            let text = try String(contentsOf: console.appendingPathComponent(script), encoding: .utf8)
            for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "createContextualFragment", "eval(", "new Function"] {
                #expect(!text.contains(sink), "\(script) uses \(sink)")
            }
        }
    }
}
