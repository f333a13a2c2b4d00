@testable import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// The list of replaced packs awaiting deletion: parsed leniently, and
/// read again whenever the file changes, however often it is asked for.
@Suite("Replaced packs list")
struct ReplacedPacksTests {
    @Test func linesThatDoNotParseAreSkipped() {
        let text = "1700000000 pack-aa\nnot a line\n-5 pack-bb\n1700000001 other\n\n1700000002 pack-cc"
        let packs = ReplacedPacks.parse(Array(text.utf8))
        #expect(packs == ["pack-aa": Date(timeIntervalSince1970: 1_700_000_000),
                          "pack-cc": Date(timeIntervalSince1970: 1_700_000_002)])
    }

    @Test func everyChangeOfTheFileIsSeen() throws {
        try withTemporaryDirectory { directory in
            let repository = directory + "/store"
            _ = try Repository.create(at: repository, configuration: .init(maintenance: .off))
            #expect(ReplacedPacks.read(repository).isEmpty)
            // Many rewrites in a row, each read at once: none may be missed
            // by the cache, even when the file keeps its size.
            for n in 0..<200 {
                let name = String(format: "pack-%040x", n)
                try ReplacedPacks.add([name], repository: repository, durable: false)
                #expect(ReplacedPacks.read(repository)[name] != nil)
                try ReplacedPacks.revive(name, repository: repository, durable: false)
                #expect(ReplacedPacks.read(repository)[name] == nil)
            }
            // A list written by another process (another writer's rename).
            let file = ReplacedPacks.listFile(repository)
            try Data("1700000000 pack-zz\n".utf8).write(to: URL(fileURLWithPath: file + ".tmp"))
            #expect(rename(file + ".tmp", file) == 0)
            #expect(ReplacedPacks.read(repository) == ["pack-zz": Date(timeIntervalSince1970: 1_700_000_000)])
        }
    }

    /// A replaced pack past its grace waits while a git process reads the
    /// store (it may have listed the pack, as `git fsck` does), and goes once
    /// that process has exited.
    @Test func aReplacedPackWaitsForAGitReader() throws {
        try withTemporaryDirectory { directory in
            let repository = directory + "/store"
            let repo = try Repository.create(at: repository, configuration: .init(maintenance: .off))
            try repo.branch("main").set(Key("a"), Data("1".utf8))
            try repo.flush()
            let pack = try #require(try FileManager.default.contentsOfDirectory(atPath: repository + "/objects/pack")
                .first { $0.hasPrefix("pack-") && $0.hasSuffix(".pack") })
            let name = String(pack.dropLast(".pack".count))
            try ReplacedPacks.add([name], repository: repository, durable: false)

            // A git process that has read an object, so maps the pack's index.
            let git = Process()
            git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            git.arguments = ["git", "--git-dir", repository, "cat-file", "--batch-check"]
            let input = Pipe(), output = Pipe()
            git.standardInput = input
            git.standardOutput = output
            try git.run()
            input.fileHandleForWriting.write(Data("main:a\n".utf8))
            let answer = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
            #expect(answer.hasSuffix(" blob 1\n"))
            #expect(GitReaders.areReading(repository + "/objects/pack"))
            #expect(try ReplacedPacks.removeExpired(repository: repository, grace: 0, durable: false) == 0)
            #expect(FileManager.default.fileExists(atPath: repository + "/objects/pack/" + pack))
            #expect(ReplacedPacks.read(repository)[name] != nil)
            // Maintenance asks again a few seconds on, not at once.
            #expect(try #require(ReplacedPacks.nextExpiry(repository, grace: 0)) > Date().addingTimeInterval(2))

            try input.fileHandleForWriting.close()
            git.waitUntilExit()
            #expect(!GitReaders.areReading(repository + "/objects/pack"))
            #expect(try ReplacedPacks.removeExpired(repository: repository, grace: 0, durable: false) == 1)
            #expect(!FileManager.default.fileExists(atPath: repository + "/objects/pack/" + pack))
            #expect(ReplacedPacks.read(repository).isEmpty)
        }
    }
}
