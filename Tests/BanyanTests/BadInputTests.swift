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
