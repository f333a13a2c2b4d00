@testable import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// The append-pack write path of the filesystem backend.
@Suite("Append pack")
struct AppendPackTests {
    private func blobs(_ range: Range<Int>, tag: String = "v") -> [RawObject] {
        range.map { RawObject.blob(Array("\(tag) \($0) \(String(repeating: "x", count: $0 % 50))".utf8)) }
    }

    private func packFiles(_ repository: String, suffix: String = ".pack") throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: repository + "/objects/pack").filter { $0.hasSuffix(suffix) }.sorted()
    }

    @Test(arguments: HashAlgorithm.allCases)
    func objectsBecomeAGitPackOnFlush(_ algorithm: HashAlgorithm) throws {
        let dir = TemporaryDirectory()
        let path = dir.appending("store")
        let store = try FileSystemBackend.create(at: path, hashAlgorithm: algorithm)
        let ids = try store.putBatch(blobs(0..<200))
        #expect(try packFiles(path).allSatisfy { $0.hasPrefix("tmp_banyan_") })
        for (id, object) in zip(ids, blobs(0..<200)) { #expect(try store.find(id) == object) }
        // Before the flush git does not see the objects.
        #expect(try GitRunner.run(["cat-file", "-e", ids[0].hex], in: path, check: false).status != 0)
        try store.flush()
        let sealed = try packFiles(path)
        #expect(sealed.count == 1 && sealed[0].hasPrefix("pack-"))
        try GitRunner.run(["verify-pack", "-v", "objects/pack/" + sealed[0]], in: path)
        #expect(try GitRunner.run(["cat-file", "-p", ids[7].hex], in: path).stdout == Data(blobs(7..<8)[0].body))
        try GitRunner.run(["fsck", "--strict"], in: path)
        for (id, object) in zip(ids, blobs(0..<200)) { #expect(try store.find(id) == object) }
        #expect(Set(try store.allObjectIDs()) == Set(ids))
    }

    /// Objects before refs: another process (or backend) and `git` see a
    /// writer's objects from the moment a ref names them, and not before.
    @Test func anotherWriterAndGitSeeObjectsOnceARefNamesThem() throws {
        let dir = TemporaryDirectory()
        let path = dir.appending("store")
        let writer = try FileSystemBackend.create(at: path)
        let reader = try FileSystemBackend.open(at: path)
        let ids = try writer.putBatch(blobs(0..<50))
        #expect(try reader.find(ids[10]) == nil)
        #expect(try !reader.contains(ids[49]))
        try Repository(objects: writer, refs: writer).branch("main").set(Key("a"), Data(blobs(10..<11)[0].body))
        #expect(try reader.find(ids[10]) == blobs(10..<11)[0])
        #expect(try reader.contains(ids[49]))
        try GitRunner.run(["fsck", "--strict", "--no-dangling"], in: path)
        #expect(try GitRunner.run(["cat-file", "-p", "main:a"], in: path).stdout == Data(blobs(10..<11)[0].body))
        #expect(try packFiles(path).allSatisfy { $0.hasPrefix("pack-") })
    }

    /// Whole trees go into an append pack without compression (a commit
    /// made alone writes its trees whole); git reads them, and a repack
    /// compresses them rather than copying them as they are.
    @Test func wholeTreesAreStoredUncompressedUntilARepack() throws {
        let dir = TemporaryDirectory()
        let path = dir.appending("store")
        let repo = try Repository.create(at: path)
        let main = try repo.branch("main")
        let names = (0..<300).map { "notes/entry-\($0)" }
        try main.transaction(message: "notes") { tx in
            for name in names { tx.set(try Key(name), Data(name.utf8)) }
        }
        let store = try FileSystemBackend.open(at: path)
        let id = try ObjectID(validating: try GitRunner.run(["rev-parse", "main:notes"], in: path).text)
        let stored = try #require(try store.storedEntry(id))
        #expect(stored.isUncompressed && stored.compressed.count > stored.size)
        let blobID = try ObjectID(validating: try GitRunner.run(["rev-parse", "main:notes/entry-7"], in: path).text)
        let blob = try #require(try store.storedEntry(blobID))
        #expect(!blob.isUncompressed)
        try GitRunner.run(["fsck", "--strict"], in: path)
        #expect(try GitRunner.run(["ls-tree", "main:notes"], in: path).text.split(separator: "\n").count == 300)

        try repo.gc()
        let repacked = try #require(try FileSystemBackend.open(at: path).storedEntry(id))
        #expect(!repacked.isUncompressed && repacked.compressed.count < stored.size)
        try GitRunner.run(["fsck", "--strict"], in: path)
        #expect(try repo.branch("main").get(Key("notes/entry-299")) == Data("notes/entry-299".utf8))
    }

    @Test func passingTheSizeLimitSealsAPack() throws {
        let dir = TemporaryDirectory()
        let path = dir.appending("store")
        let store = try FileSystemBackend.create(at: path, configuration: .init(packSizeLimit: 2_048))
        var all: [ObjectID] = []
        for round in 0..<10 { all += try store.putBatch(blobs(0..<40, tag: "r\(round)")) }
        #expect(try packFiles(path, suffix: ".idx").count >= 3)
        for id in all { #expect(try store.contains(id)) }
        try store.flush()
        try GitRunner.run(["fsck", "--strict"], in: path)
    }

    /// A pack abandoned mid-write (its writer crashed) is sealed by the next
    /// open: every whole entry is kept, the torn one dropped.
    @Test func anAbandonedPackWithATornTailIsRecoveredOnOpen() throws {
        let dir = TemporaryDirectory()
        let path = dir.appending("store")
        let store = try FileSystemBackend.create(at: path)
        let ids = try store.putBatch(blobs(0..<30))
        let open = try packFiles(path)[0]
        // A copy, cut inside its last entry and not locked by anyone: what a killed writer leaves.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path + "/objects/pack/" + open))
        let abandoned = path + "/objects/pack/tmp_banyan_crashed.pack"
        try bytes.prefix(bytes.count - 5).write(to: URL(fileURLWithPath: abandoned))
        try store.flush()
        try FileManager.default.removeItem(atPath: path + "/objects/pack/" + (try packFiles(path)[0]))
        try FileManager.default.removeItem(atPath: path + "/objects/pack/" + (try packFiles(path, suffix: ".idx")[0]))

        let reopened = try FileSystemBackend.open(at: path)
        #expect(!FileManager.default.fileExists(atPath: abandoned))
        for (id, object) in zip(ids.dropLast(), blobs(0..<29)) { #expect(try reopened.find(id) == object) }
        #expect(try reopened.find(ids[29]) == nil)
        try GitRunner.run(["fsck", "--strict"], in: path)
    }

    /// Edits stored as deltas against their previous version, past the depth
    /// cap and across a seal, all read back by this writer, by a new one and by git.
    @Test(arguments: HashAlgorithm.allCases)
    func editChainsStayReadableAcrossASeal(_ algorithm: HashAlgorithm) throws {
        let dir = TemporaryDirectory()
        let path = dir.appending("store")
        let store = try FileSystemBackend.create(at: path, hashAlgorithm: algorithm)
        let versions = (0..<130).map { version in
            RawObject.blob(Array((0..<100).map { line in "line \(line) \(line == version % 100 ? "v\(version)" : "-")\n" }.joined().utf8))
        }
        var ids: [ObjectID] = []
        for (version, object) in versions.enumerated() {
            var batch = ObjectBatch(algorithm: algorithm)
            ids.append(ids.last.map { batch.add(object, editOf: $0) } ?? batch.add(object))
            try store.write(batch)
            // The next edit's base is in a sealed pack then, not in the open one.
            if version == 70 { try store.flush() }
        }
        for (id, object) in zip(ids, versions) { #expect(try store.find(id) == object) }
        try store.flush()
        let other = try FileSystemBackend.open(at: path)
        for (id, object) in zip(ids, versions) { #expect(try other.find(id) == object) }
        for pack in try packFiles(path) {
            let listing = try GitRunner.run(["verify-pack", "-v", "objects/pack/" + pack], in: path).stdout
            let text = String(decoding: listing, as: UTF8.self)
            #expect(text.contains("chain length = 1:"))
            #expect(!text.contains("chain length = \(AppendPackFile.maxDepth + 1):"))
        }
        try GitRunner.run(["fsck", "--strict"], in: path)
    }

    @Test func durableCommitsFromManyThreadsAllLand() throws {
        let dir = TemporaryDirectory()
        let repo = try Repository.create(at: dir.appending("store"), configuration: .init(durability: .commit))
        let failures = FailureLog()
        DispatchQueue.concurrentPerform(iterations: 4) { writer in
            do {
                let branch = try repo.branch("w\(writer)")
                for n in 0..<25 { try branch.set(key("k"), data("\(writer)-\(n)")) }
            } catch {
                failures.record(error)
            }
        }
        #expect(failures.errors.isEmpty)
        try repo.flush()
        for writer in 0..<4 { #expect(try repo.branch("w\(writer)").log().count == 25) }
        try GitRunner.run(["fsck", "--strict"], in: dir.appending("store"))
    }
}
