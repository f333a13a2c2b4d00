import AsyncHTTPClient
import Banyan
import BanyanServer
import BanyanSync
import BanyanTestSupport
import Foundation
import NIOCore
import Testing

/// Damaged, hostile and refused input: clear errors, nothing changes, the server keeps serving.
@Suite("Sync: failures", .serialized)
struct FailureTests {
    /// A receive-pack request that moves `ref` from `old` to `new`, with `pack`.
    func pushRequest(old: ObjectID, new: ObjectID, ref: String, pack: [UInt8]) throws -> [UInt8] {
        var writer = PktLineWriter()
        try writer.data(Array("\(old) \(new) \(ref)".utf8) + [0] + Array("report-status".utf8) + [0x0A])
        writer.flush()
        writer.raw(pack)
        return writer.bytes
    }

    @Test func truncatedPushPackChangesNothing() throws {
        let source = try Repository.inMemory()
        let main = try source.branch("main")
        try main.set(key("a"), data("one"), message: "one", author: signature(1))
        let server = try Repository.inMemory()
        let head = try #require(try main.head())
        let plan = try ObjectWalk(repository: source).plan(wants: [head], haves: [])
        let pack = try PackWriter.write(items: plan.items, algorithm: .sha1).pack
        let service = GitService(repository: server)
        for cut in [pack.count - 1, pack.count / 2, 12] {
            let body = try pushRequest(old: .zero(.sha1), new: head, ref: "refs/heads/main", pack: Array(pack.prefix(cut)))
            let report = String(decoding: try service.receivePack(body: body).body, as: UTF8.self)
            #expect(report.contains("unpack ") && !report.contains("unpack ok"))
            #expect(report.contains("ng refs/heads/main"))
            #expect(try server.refs.find("refs/heads/main") == nil)
            #expect(try server.objects.allObjectIDs().isEmpty)
        }
        let body = try pushRequest(old: .zero(.sha1), new: head, ref: "refs/heads/main", pack: pack)
        #expect(String(decoding: try service.receivePack(body: body).body, as: UTF8.self).contains("ok refs/heads/main"))
        #expect(try server.refs.resolve("refs/heads/main") == head)
    }

    @Test func pushWithMissingObjectsIsRefused() throws {
        let source = try Repository.inMemory()
        let main = try source.branch("main")
        try main.set(key("a"), data("one"), message: "one", author: signature(1))
        let head = try #require(try main.head())
        let commitOnly = try PackWriter.write([try source.objects.get(head)], algorithm: .sha1).pack
        let server = try Repository.inMemory()
        let body = try pushRequest(old: .zero(.sha1), new: head, ref: "refs/heads/main", pack: commitOnly)
        let report = String(decoding: try GitService(repository: server).receivePack(body: body).body, as: UTF8.self)
        #expect(report.contains("ng refs/heads/main missing necessary objects"))
        #expect(try server.refs.find("refs/heads/main") == nil)
    }

    /// A transport that cuts every upload-pack response in half.
    struct CuttingTransport: Transport {
        let inner: LocalTransport
        func advertisement(service: GitService.Service, version2: Bool) async throws -> [UInt8] {
            try await inner.advertisement(service: service, version2: version2)
        }
        func exchange(service: GitService.Service, body: [UInt8], version2: Bool) async throws -> [UInt8] {
            let response = try await inner.exchange(service: service, body: body, version2: version2)
            return body.starts(with: Array("0012command=fetch".utf8)) ? Array(response.prefix(response.count / 2)) : response
        }
    }

    @Test func fetchOfACutOffPackChangesNothing() async throws {
        let dir = TemporaryDirectory()
        let origin = try makeStore(dir.appending("origin"), commits: 5)
        let local = try Repository.create(at: dir.appending("local"))
        let client = GitClient(transport: CuttingTransport(inner: LocalTransport(repository: origin)), repository: local)
        let refs = try await client.listRefs()
        await #expect(throws: BanyanError.self) { try await client.fetch(wants: refs.refs.map(\.id)) }
        #expect(try local.objects.allObjectIDs().isEmpty)
        #expect(try local.refs.list(prefix: "refs/").isEmpty)
        // The spooled pack went with the failed fetch.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appending("local/objects/pack")).isEmpty)
    }

    func post(_ url: String, _ path: String, body: [UInt8], headers: [(String, String)] = []) async throws -> (status: UInt, body: String) {
        var request = HTTPClientRequest(url: url + path)
        request.method = .POST
        request.headers.add(name: "Git-Protocol", value: "version=2")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, String(buffer: bytes))
    }

    func lsRefsRequest() throws -> [UInt8] {
        var writer = PktLineWriter()
        try writer.line("command=ls-refs")
        writer.delim()
        try writer.line("ref-prefix refs/heads/")
        writer.flush()
        return writer.bytes
    }

    @Test func badRequestsGetClearErrorsAndTheServerKeepsServing() async throws {
        let dir = TemporaryDirectory()
        let repo = try makeStore(dir.appending("server"), commits: 2)
        let head = try #require(try repo.branch("main").head())
        let server = try await TestServer.start(repo, options: .init(maxRequestBytes: 4096))

        let garbage = try await post(server.url, "git-upload-pack", body: Array("zzzzcommand=ls-refs".utf8))
        #expect(garbage.body.contains("ERR pkt-line at offset 0 has a bad length"))
        let cut = try await post(server.url, "git-upload-pack", body: Array("0040command=ls-refs\n".utf8))
        #expect(cut.body.contains("ERR pkt-line at offset 0 is cut off"))
        let huge = try await post(server.url, "git-upload-pack", body: [UInt8](repeating: 0x30, count: 10_000))
        #expect(huge.status == 413)
        var unknown = PktLineWriter()
        try unknown.line("command=fetch")
        unknown.delim()
        try unknown.line("want \(String(repeating: "1", count: 40))")
        try unknown.line("done")
        unknown.flush()
        let notOurs = try await post(server.url, "git-upload-pack", body: unknown.bytes)
        #expect(notOurs.body.contains("ERR upload-pack: not our ref"))

        let plain = try await post(server.url, "git-upload-pack", body: try lsRefsRequest())
        #expect(plain.status == 200 && plain.body.contains("\(head) refs/heads/main"))
        let gzipped = try ProcessRunner.run("/usr/bin/env", ["gzip", "-c"], input: Data(try lsRefsRequest())).stdout
        let viaGzip = try await post(server.url, "git-upload-pack", body: Array(gzipped), headers: [("Content-Encoding", "gzip")])
        #expect(viaGzip.status == 200 && viaGzip.body.contains("\(head) refs/heads/main"))
        await server.stop()
    }

    @Test func banyanClientWithWrongTokenGets401AndNothingChanges() async throws {
        let dir = TemporaryDirectory()
        let repo = try makeStore(dir.appending("server"), commits: 2)
        let before = try repo.branch("main").head()
        let server = try await TestServer.start(repo, token: "right")
        let error = await #expect(throws: BanyanError.self) {
            _ = try await Sync.clone(url: server.url, to: dir.appending("clone"), token: "wrong")
        }
        #expect(error?.message.contains("401") == true)
        #expect(!FileManager.default.fileExists(atPath: dir.appending("clone")))
        let clone = try await Sync.clone(url: server.url, to: dir.appending("clone"), token: "right")
        try clone.branch("main").set(key("new"), data("x"), message: "x", author: signature(5))
        let denied = Sync(repository: clone, token: "wrong")
        await #expect(throws: BanyanError.self) { _ = try await denied.push(branch: "main") }
        #expect(try repo.branch("main").head() == before)
        await server.stop()
    }
}
