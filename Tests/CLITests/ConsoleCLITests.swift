import BanyanTestSupport
import Foundation
import Testing

/// `banyan serve` serves the web console from the resource bundle beside the
/// executable, whatever the working directory; the browser test
/// (scripts/console-test.sh) drives the page itself.
@Suite("Web console of banyan serve")
struct ConsoleCLITests {
    /// `code content-type` of a GET, through curl.
    static func get(_ url: String, headers: [String] = []) throws -> String {
        try ProcessRunner.run("/usr/bin/env", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{content_type}"]
                                  + headers.flatMap { ["-H", $0] } + [url]).text
    }

    @Test func theConsoleLoadsWithoutTheTokenFromAnyWorkingDirectory() throws {
        let dir = TemporaryDirectory("banyan-console-cli")
        let store = dir.appending("store")
        _ = try CLI.ok(store, ["init"])
        _ = try CLI.ok(store, ["set", "notes/a", "one"])
        let server = try ServeProcess(repo: store, arguments: ["--token", "s3cret"], directory: "/")
        defer { server.stop() }
        #expect(try Self.get(server.url) == "200 text/html; charset=utf-8")
        #expect(try Self.get(server.url + "console/app.js") == "200 text/javascript; charset=utf-8")
        #expect(try Self.get(server.url + "console/nope.js") == "404 application/json")
        #expect(try Self.get(server.url + "api/v1/info") == "401 application/json")
        #expect(try Self.get(server.url + "api/v1/info", headers: ["Authorization: Bearer s3cret"]) == "200 application/json")
    }

    @Test func noConsoleLeavesTheRootToTheToken() throws {
        let dir = TemporaryDirectory("banyan-console-cli")
        let store = dir.appending("store")
        _ = try CLI.ok(store, ["init"])
        let server = try ServeProcess(repo: store, arguments: ["--token", "s3cret", "--no-console"])
        defer { server.stop() }
        #expect(try Self.get(server.url) == "401 application/json")
        #expect(try Self.get(server.url + "console/app.js") == "401 application/json")
    }
}
