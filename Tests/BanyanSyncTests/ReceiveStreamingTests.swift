import Banyan
import BanyanSync
import BanyanTestSupport
import Foundation
import Testing

/// A push fed to receive-pack in pieces, as HTTP delivers it: the pack is
/// spooled to `objects/pack`, verified, and kept as it came; a cut-off or
/// refused pack leaves no file behind.
@Suite("Sync: streamed receive-pack")
struct ReceiveStreamingTests {
    /// A filesystem server with `main` at one commit, and a client ahead of it by `commits` commits.
    func setup(_ dir: TemporaryDirectory, commits: Int) throws -> (server: Repository, old: ObjectID, client: Repository) {
        let server = try makeStore(dir.appending("server"), commits: 1)
        let old = try #require(try server.branch("main").head())
        let client = try Repository.create(at: dir.appending("client"))
        let main = try client.branch("main")
        try main.reset(to: try copyHistory(from: server, to: client, head: old))
        for i in 0..<commits {
            try main.set(key("notes/n\(i % 7)"), data("changed \(i)\n" + String(repeating: "more \(i % 3)\n", count: 40)),
                         message: "client \(i)", author: signature(1_800_000_000 + Int64(i)))
        }
        return (server, old, client)
    }

    func copyHistory(from source: Repository, to target: Repository, head: ObjectID) throws -> ObjectID {
        let plan = try ObjectWalk(repository: source).plan(wants: [head], haves: [])
        try PackIngest.ingest(try PackWriter.write(items: plan.items, algorithm: .sha1).pack, into: target)
        return head
    }

    /// The request `git push` sends: one command, then the pack.
    func request(old: ObjectID, new: ObjectID, pack: [UInt8]) throws -> [UInt8] {
        var writer = PktLineWriter()
        try writer.data(Array("\(old) \(new) refs/heads/main".utf8) + [0] + Array("report-status ofs-delta".utf8) + [0x0A])
        writer.flush()
        writer.raw(pack)
        return writer.bytes
    }

    /// A thin pack of what `client` has beyond `old`.
    func thinPack(_ client: Repository, new: ObjectID, old: ObjectID) throws -> [UInt8] {
        let plan = try ObjectWalk(repository: client).plan(wants: [new], haves: [old], thin: true)
        return try PackWriter.write(items: plan.items, algorithm: .sha1, bases: plan.bases).pack
    }

    func packFiles(_ repo: String, _ suffix: String) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: repo + "/objects/pack").filter { $0.hasSuffix(suffix) })
    }

    func temporaryFiles(_ repo: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: repo + "/objects/pack").filter { $0.hasPrefix("tmp_pack_") }
    }

    @Test(arguments: [1, 7, 4096])
    func packFedInPiecesIsKeptAsItCame(piece: Int) throws {
        let dir = TemporaryDirectory()
        let (server, old, client) = try setup(dir, commits: 6)
        let new = try #require(try client.branch("main").head())
        let pack = try thinPack(client, new: new, old: old)
        let body = try request(old: old, new: new, pack: pack)
        let before = try packFiles(dir.appending("server"), ".pack")

        let upload = try GitService(repository: server).receivePackUpload()
        var start = 0
        while start < body.count {
            try upload.append(Array(body[start..<min(start + piece, body.count)]))
            start += piece
        }
        let report = String(decoding: try upload.finish().body, as: UTF8.self)
        #expect(report.contains("unpack ok") && report.contains("ok refs/heads/main"), "\(report)")
        #expect(try server.refs.resolve("refs/heads/main") == new)

        // One new pack: the received entries, deltas and all, then the thin pack's bases.
        let added = try packFiles(dir.appending("server"), ".pack").subtracting(before)
        #expect(added.count == 1)
        let kept = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.appending("server/objects/pack/") + added.first!)))
        let hashLength = HashAlgorithm.sha1.digestLength
        #expect(kept[12..<pack.count - hashLength] == pack[12..<pack.count - hashLength])
        #expect(try temporaryFiles(dir.appending("server")).isEmpty)
        try GitRunner.run(["fsck", "--strict", "--no-dangling"], in: dir.appending("server"))
        try GitRunner.run(["verify-pack", dir.appending("server/objects/pack/") + added.first!])
    }

    @Test func packCutOffMidStreamLeavesNothing() throws {
        let dir = TemporaryDirectory()
        let (server, old, client) = try setup(dir, commits: 6)
        let new = try #require(try client.branch("main").head())
        let body = try request(old: old, new: new, pack: try thinPack(client, new: new, old: old))
        let before = try packFiles(dir.appending("server"), "")

        let upload = try GitService(repository: server).receivePackUpload()
        try upload.append(Array(body.prefix(body.count * 2 / 3)))
        #expect(try temporaryFiles(dir.appending("server")).count == 1)
        let report = String(decoding: try upload.finish().body, as: UTF8.self)
        #expect(report.contains("unpack ") && !report.contains("unpack ok"))
        #expect(report.contains("ng refs/heads/main"))
        #expect(try server.refs.resolve("refs/heads/main") == old)
        #expect(try packFiles(dir.appending("server"), "") == before)

        // A client that goes away before the end: the spooled file goes with the upload.
        var dropped: ReceivePackUpload? = try GitService(repository: server).receivePackUpload()
        try dropped?.append(Array(body.prefix(body.count / 2)))
        #expect(try temporaryFiles(dir.appending("server")).count == 1)
        dropped = nil
        #expect(try packFiles(dir.appending("server"), "") == before)
    }

    @Test func packOverTheLimitIsRefusedWithoutSpoolingIt() throws {
        let dir = TemporaryDirectory()
        let (server, old, client) = try setup(dir, commits: 6)
        let new = try #require(try client.branch("main").head())
        let pack = try thinPack(client, new: new, old: old)
        let before = try packFiles(dir.appending("server"), "")
        let upload = try GitService(repository: server, options: .init(maxPackBytes: pack.count / 2)).receivePackUpload()
        try upload.append(try request(old: old, new: new, pack: pack))
        #expect(try temporaryFiles(dir.appending("server")).isEmpty)
        let report = String(decoding: try upload.finish().body, as: UTF8.self)
        #expect(report.contains("unpack the pack is over the \(pack.count / 2)-byte limit"), "\(report)")
        #expect(report.contains("ng refs/heads/main unpacker error"))
        #expect(try server.refs.resolve("refs/heads/main") == old)
        #expect(try packFiles(dir.appending("server"), "") == before)
    }

    @Test(.timeLimit(.minutes(3)))
    func clientThatHangsUpMidPushLeavesNothing() async throws {
        let dir = TemporaryDirectory()
        let (server, old, client) = try setup(dir, commits: 6)
        let new = try #require(try client.branch("main").head())
        let body = try request(old: old, new: new, pack: try thinPack(client, new: new, old: old))
        try Data(body.prefix(body.count / 2)).write(to: URL(fileURLWithPath: dir.appending("half")))
        let before = try packFiles(dir.appending("server"), "")
        let http = try await TestServer.start(server)
        // Announces the whole body, sends half, hangs up.
        let script = """
            import socket, sys
            s = socket.create_connection(("127.0.0.1", \(http.port)))
            s.sendall(b"POST /git-receive-pack HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: \(body.count)\\r\\n"
                      b"Content-Type: application/x-git-receive-pack-request\\r\\n\\r\\n" + open(sys.argv[1], "rb").read())
            s.close()
            """
        let half = dir.appending("half")
        _ = try await offPool { try ProcessRunner.run("/usr/bin/env", ["python3", "-c", script, half]) }
        // The server notices the hang-up asynchronously: wait (bounded) for the spool to go.
        var waited = 0
        while try packFiles(dir.appending("server"), "") != before, waited < 200 {
            try await Task.sleep(for: .milliseconds(50))
            waited += 1
        }
        #expect(try packFiles(dir.appending("server"), "") == before)
        #expect(try server.refs.resolve("refs/heads/main") == old)
        // And it still takes a whole push.
        let push = try await GitClient(transport: HTTPTransport(url: http.url), repository: client)
            .push([RefUpdate(name: "refs/heads/main", new: new)])
        #expect(push.succeeded)
        #expect(try server.refs.resolve("refs/heads/main") == new)
        await http.stop()
    }
}
