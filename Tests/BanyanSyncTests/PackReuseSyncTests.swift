import Banyan
import BanyanSync
import BanyanTestSupport
import Foundation
import Testing

/// Clones and fetches from a store that `git gc` packed: the stored deltas
/// go out as they are, and real `git` accepts the result.
@Suite("Sync: serving stored deltas", .serialized)
struct PackReuseSyncTests {
    /// The delta entries and the size of each pack in `repository`, from `git verify-pack -v`.
    static func packs(in repository: String) async throws -> [(deltas: Int, bytes: Int)] {
        let directory = repository + "/objects/pack"
        var result: [(deltas: Int, bytes: Int)] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasSuffix(".idx") {
            let verbose = try await git(["verify-pack", "-v", directory + "/" + name], in: repository).text
            let deltas = verbose.split(separator: "\n").filter { $0.split(separator: " ").count == 7 }.count
            let pack = directory + "/" + name.dropLast(4) + ".pack"
            let bytes = try FileManager.default.attributesOfItem(atPath: pack)[.size] as! Int
            result.append((deltas, bytes))
        }
        return result
    }

    static func objectList(_ repository: String) async throws -> [Substring] {
        try await git(["rev-list", "--objects", "--all"], in: repository).text.split(separator: "\n").sorted()
    }

    @Test(arguments: ["2", "0"])
    func cloneOfAGitPackedStoreSendsItsDeltas(_ version: String) async throws {
        let dir = TemporaryDirectory()
        let path = dir.appending("server")
        _ = try makeStore(path, commits: 40)
        try await git(["gc", "-q"], in: path)
        let source = try await Self.packs(in: path)
        try #require(source.count == 1 && source[0].deltas > 0)
        let repo = try Repository.open(at: path, configuration: .init(maintenance: .off))
        let server = try await TestServer.start(repo)
        let clone = dir.appending("clone")
        try await git(["-c", "protocol.version=\(version)", "clone", "-q", "--bare", server.url, clone])
        await server.stop()
        try await git(["fsck", "--strict"], in: clone)
        #expect(try await Self.objectList(clone) == Self.objectList(path))
        let received = try await Self.packs(in: clone)
        try #require(received.count == 1)
        // Every stored delta goes out as is; objects stored whole may still
        // find a base. Such a new delta of a tiny, very compressible blob can
        // take a few bytes more than the blob did (the choice is made on
        // uncompressed sizes, as git makes it), hence 8 bytes for each.
        #expect(received[0].deltas >= source[0].deltas)
        #expect(received[0].bytes <= source[0].bytes + 64 + 8 * (received[0].deltas - source[0].deltas))
    }

    @Test func thinFetchFromAGitPackedStore() async throws {
        let dir = TemporaryDirectory()
        let path = dir.appending("server")
        let repo = try makeStore(path, commits: 20)
        let server = try await TestServer.start(repo)
        let clone = dir.appending("clone")
        try await git(["clone", "-q", server.url, clone])
        for i in 20..<30 {
            try repo.branch("main").set(key("notes/n\(i % 7)"), data("note \(i)\n" + String(repeating: "line \(i % 5)\n", count: 40)),
                                        message: "commit \(i)", author: signature(1_700_000_000 + Int64(i)))
        }
        try repo.flush()
        await server.stop()
        try await git(["gc", "-q"], in: path)
        let reopened = try await TestServer.start(Repository.open(at: path, configuration: .init(maintenance: .off)))
        try await git(["remote", "set-url", "origin", reopened.url], in: clone)
        try await git(["fetch", "-q"], in: clone)
        await reopened.stop()
        #expect(try await git(["rev-parse", "origin/main"], in: clone).text == (try repo.branch("main").head())?.hex)
        try await git(["fsck", "--strict"], in: clone)
        #expect(try await Self.objectList(clone) == Self.objectList(path))
    }

    @Test func pushFromAGitPackedStoreSendsItsDeltas() async throws {
        let dir = TemporaryDirectory()
        let path = dir.appending("client")
        _ = try makeStore(path, commits: 40)
        try await git(["gc", "-q"], in: path)
        let source = try await Self.packs(in: path)
        let serverPath = dir.appending("server.git")
        try await git(["init", "-q", "--bare", serverPath])
        try await git(["remote", "add", "origin", serverPath], in: path)
        let pushed = try await Sync(repository: Repository.open(at: path)).push(branch: "main")
        #expect(pushed.succeeded)
        try await git(["fsck", "--strict"], in: serverPath)
        #expect(try await Self.objectList(serverPath) == Self.objectList(path))
        let received = try await Self.packs(in: serverPath)
        try #require(received.count == 1)
        #expect(received[0].deltas >= source[0].deltas)
    }
}
