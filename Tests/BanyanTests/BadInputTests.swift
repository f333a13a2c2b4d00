import Banyan
import BanyanTestSupport
import Foundation
import Testing

@Suite("Bad input never damages the store")
struct BadInputTests {
    @Test func corruptObjectFileGivesAClearErrorAndFsckNamesIt() throws {
        let dir = TemporaryDirectory()
        let path = dir.appending("store")
        let repo = try Repository.create(at: path, configuration: .init(writeMode: .loose))
        let main = try repo.branch("main")
        try main.set(key("a/b"), data("value"))
        let tree = try main.snapshot().entry(at: key("a"))!.id
        let file = path + "/objects/" + String(tree.hex.prefix(2)) + "/" + String(tree.hex.dropFirst(2))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        try Data("this is not zlib".utf8).write(to: URL(fileURLWithPath: file))

        let reopened = try Repository.open(at: path)
        #expect { try reopened.branch("main").get(key("a/b")) } throws: { error in
            (error as? BanyanError)?.code == .corruptObject || (error as? BanyanError)?.code == .decompression
        }
        let problems = try reopened.fsck()
        #expect(problems.contains { $0.id == tree })
    }

    @Test func damagedPackIndexReadsAsGitReadsItAndFsckNamesIt() throws {
        let dir = TemporaryDirectory()
        let path = dir.appending("store")
        let repo = try Repository.create(at: path)
        let main = try repo.branch("main")
        for n in 0..<20 { try main.set(key("k/\(n)"), data("value \(n)")) }
        _ = try repo.gc(pruneBefore: nil)
        let packDirectory = path + "/objects/pack"
        let indexName = try #require(try FileManager.default.contentsOfDirectory(atPath: packDirectory).first { $0.hasSuffix(".idx") })
        let indexPath = packDirectory + "/" + indexName
        var index = try [UInt8](Data(contentsOf: URL(fileURLWithPath: indexPath)))
        // A bit of the CRC table: lookups never read it, the trailing checksum covers it.
        let count = try PackIndex(bytes: index, algorithm: .sha1).count
        index[8 + 256 * 4 + count * 20] ^= 0x01
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: indexPath)
        try Data(index).write(to: URL(fileURLWithPath: indexPath))

        // Opening a store does not hash its indexes (git does not either): reads go on.
        let reopened = try Repository.open(at: path)
        #expect(try reopened.branch("main").get(key("k/7")) == data("value 7"))
        // fsck hashes them, as `git fsck` does, and names the file.
        let problems = try reopened.fsck()
        #expect(problems.contains { $0.isError && $0.message.contains(indexName) && $0.message.contains("checksum mismatch") })
        // The bytes are as they were: fsck reports, it does not repair or remove.
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: indexPath))) == index)
        let gitFsck = try GitRunner.run(["fsck"], in: path, check: false)
        #expect(gitFsck.status != 0)
    }

    @Test func truncatedRefIsAnErrorAndIsLeftAlone() throws {
        let dir = TemporaryDirectory()
        let path = dir.appending("store")
        let repo = try Repository.create(at: path)
        try repo.branch("main").set(key("k"), data("v"))
        let refFile = path + "/refs/heads/main"
        try Data("abc123\n".utf8).write(to: URL(fileURLWithPath: refFile))
        let reopened = try Repository.open(at: path)
        #expect(throws: BanyanError.self) { try reopened.branch("main").set(key("k"), data("w")) }
        #expect(try String(contentsOfFile: refFile, encoding: .utf8) == "abc123\n")
    }

    @Test(arguments: StoreKind.allCases)
    func missingObjectIsObjectNotFound(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let ghost = ObjectID.hash(kind: .commit, body: Array("nothing".utf8), algorithm: repo.hashAlgorithm)
        #expect { try repo.commit(ghost) } throws: { ($0 as? BanyanError)?.code == .objectNotFound }
        #expect { try repo.snapshot(commit: ghost) } throws: { ($0 as? BanyanError)?.code == .objectNotFound }
    }

    @Test(arguments: ["", "/", "a//b", "a/./b", "../x", "x/..", ".git/config", "a/.GIT", "nul\u{0}byte",
                      String(repeating: "x", count: 256)])
    func invalidKeysAreRejectedBeforeAnythingIsWritten(_ path: String) throws {
        #expect { try Key(path) } throws: { ($0 as? BanyanError)?.code == .invalidKey }
    }

    @Test(arguments: StoreKind.allCases)
    func invalidAuthorIsRejectedAndNothingIsWritten(_ kind: StoreKind) throws {
        let (repo, dir) = try kind.make()
        defer { _ = dir }
        let main = try repo.branch("main")
        let bad = Signature(name: "Eve <evil>", email: "e@x", time: 1, timeZoneMinutes: 0)
        #expect(throws: BanyanError.self) { try main.set(key("k"), data("v"), author: bad) }
        #expect(try main.head() == nil)
    }
}
