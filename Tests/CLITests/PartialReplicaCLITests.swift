import BanyanTestSupport
import Foundation
import Testing

/// `banyan clone --prefix` partial replicas as a person runs them.
@Suite("Partial replica CLI", .serialized)
struct PartialReplicaCLITests {
    @Test func clonePrefixReadsOfflineAndFetchesTheRestWhenOnline() throws {
        let dir = TemporaryDirectory()
        let server = dir.appending("server")
        try CLI.ok(server, ["init"])
        try CLI.ok(server, ["set", "notes/today", "buy milk", "-m", "note"])
        try CLI.ok(server, ["set", "photos/cat", "a large picture", "-m", "photo"])
        try CLI.ok(server, ["set", "photos/dog", "another picture", "-m", "photo"])
        let serve = try ServeProcess(repo: server)
        defer { serve.stop(SIGKILL) }

        let phone = dir.appending("phone")
        let cloned = try CLI.run(["clone", serve.url, phone, "--prefix", "notes/"])
        #expect(cloned.status == 0)
        #expect(cloned.text == "Cloned \(serve.url) into \(phone) (branch main, partial: notes/)")
        #expect(try CLI.ok(phone, ["rev-parse", "main"]) == (try CLI.ok(server, ["rev-parse", "main"])))
        try GitRunner.run(["fsck"], in: phone)
        #expect(try CLI.ok(phone, ["fsck"]).isEmpty)
        #expect(try CLI.ok(phone, ["get", "photos/cat"]) == "a large picture")

        // sync keeps the filter and the prefixes: a new note comes, a new photo waits until read.
        try CLI.ok(server, ["set", "notes/tomorrow", "call Ada", "-m", "note"])
        try CLI.ok(server, ["set", "photos/bird", "a third picture", "-m", "photo"])
        try CLI.ok(phone, ["set", "notes/phone", "written offline", "-m", "phone"])
        try CLI.ok(phone, ["sync"])
        #expect(try CLI.ok(server, ["get", "notes/phone"]) == "written offline")
        #expect(try CLI.ok(phone, ["rev-parse", "main"]) == (try CLI.ok(server, ["rev-parse", "main"])))
        let missing = try GitRunner.run(["rev-list", "--objects", "--missing=print", "--all"], in: phone).text
            .split(separator: "\n").filter { $0.hasPrefix("?") }.map { String($0.dropFirst()) }
        let bird = try GitRunner.run(["rev-parse", "main:photos/bird"], in: server).text
        let tomorrow = try GitRunner.run(["rev-parse", "main:notes/tomorrow"], in: server).text
        #expect(missing.contains(bird))
        #expect(!missing.contains(tomorrow))
        try GitRunner.run(["fsck"], in: phone)

        serve.stop()
        #expect(try CLI.ok(phone, ["get", "notes/today"]) == "buy milk")
        #expect(try CLI.ok(phone, ["get", "photos/cat"]) == "a large picture")
        let offline = try CLI.run(["get", "photos/dog", "-C", phone])
        #expect(offline.status != 0)
        #expect(offline.stderr.contains("cannot read 'photos/dog'"))
        #expect(offline.stderr.contains("fetching it from remote origin (\(serve.url))"))
    }

    @Test func badFilterIsRefusedBeforeAnythingIsMade() throws {
        let dir = TemporaryDirectory()
        let result = try CLI.run(["clone", dir.appending("nowhere"), dir.appending("phone"), "--filter", "blob:bogus"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("invalid filter-spec \"blob:bogus\""))
        #expect(!FileManager.default.fileExists(atPath: dir.appending("phone")))
    }
}
