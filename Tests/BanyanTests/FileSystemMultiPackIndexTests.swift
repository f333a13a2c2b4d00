@testable import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// `FileSystemBackend.writeMultiPackIndex()` and lookups through a
/// multi-pack-index, against real `git` and its packs.
@Suite("filesystem backend: multi-pack-index")
struct FileSystemMultiPackIndexTests {
    /// `git cat-file --batch-all-objects --batch-check`: every object's id, type and size, one a line.
    private static func gitListing(_ git: Git) throws -> String {
        try git("cat-file", "--batch-all-objects", "--batch-check")
    }

    /// Reads every object `git` lists through `store` and checks its kind, size and id.
    private static func expectEveryObjectReads(_ store: FileSystemBackend, listing: String,
                                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let lines = listing.split(separator: "\n")
        #expect(lines.count > 50, "the repository has objects to read", sourceLocation: sourceLocation)
        for line in lines {
            let fields = line.split(separator: " ")
            let id = try ObjectID(validating: fields[0])
            let object = try #require(try store.find(id), "object \(id)", sourceLocation: sourceLocation)
            #expect(object.kind.rawValue == fields[1] && String(object.body.count) == fields[2], "\(line)", sourceLocation: sourceLocation)
            #expect(object.id(store.hashAlgorithm) == id, "object \(id) reads back as itself", sourceLocation: sourceLocation)
        }
    }

    /// Writes the multi-pack-index of the repository at `path` with Banyan
    /// and checks it with git: `multi-pack-index verify`, `fsck --strict`,
    /// and `cat-file` listing what it listed before. Returns the store that
    /// wrote it and the listing.
    private static func writeIndexCheckedByGit(_ path: String, packs: Int,
                                               sourceLocation: SourceLocation = #_sourceLocation) throws -> (FileSystemBackend, String) {
        let git = Git(path)
        let listing = try gitListing(git)
        let store = try FileSystemBackend.open(at: path)
        let coverage = try store.writeMultiPackIndex()
        #expect(coverage == .init(packs: packs, objects: listing.split(separator: "\n").count), sourceLocation: sourceLocation)
        try git("multi-pack-index", "verify")
        #expect(try git("fsck", "--strict", "--no-dangling") == "", sourceLocation: sourceLocation)
        #expect(try gitListing(git) == listing, sourceLocation: sourceLocation)
        return (store, listing)
    }

    @Test("Banyan's index over git's packs passes git verify and fsck, and git lists the same objects", arguments: HashAlgorithm.allCases)
    func banyanIndexPassesGit(_ algorithm: HashAlgorithm) throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/repo.git"
            try MultiPackRepository.make(at: path, algorithm: algorithm, packs: 4)
            let (store, before) = try Self.writeIndexCheckedByGit(path, packs: 4)

            let midx = try #require(try store.packs.multiPackIndex())
            #expect(midx.packNames == (try MultiPackRepository.packNames(in: path)).map { $0 + ".idx" })
            try Self.expectEveryObjectReads(store, listing: before)
            try Self.expectEveryObjectReads(FileSystemBackend.open(at: path), listing: before)
        }
    }

    @Test("through git's index every lookup equals the per-pack lookup", arguments: HashAlgorithm.allCases)
    func gitIndexMatchesPerPackLookups(_ algorithm: HashAlgorithm) throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/repo.git"
            try MultiPackRepository.make(at: path, algorithm: algorithm, packs: 4)
            try Git(path)("multi-pack-index", "write")
            let store = try FileSystemBackend.open(at: path)
            let midx = try #require(try store.packs.multiPackIndex())
            #expect(midx.packNames.count == 4)
            for reader in try store.packs.readers() {
                for id in reader.index.ids {
                    let location = try #require(midx.location(of: id))
                    #expect(location.offset == reader.index.offset(of: id))
                    #expect(midx.packNames[location.pack] == "pack-\(reader.checksum).idx")
                    #expect(try store.packs.find(id) == (try reader.get(id)))
                    let stored = try #require(try store.packs.storedEntry(id))
                    let perPack = try #require(try reader.storedEntry(id))
                    #expect(stored.form == perPack.form && stored.size == perPack.size)
                    #expect(stored.compressed == perPack.compressed && stored.pack == perPack.pack)
                    #expect(try store.packs.contains(id))
                }
            }
            #expect(try store.packs.find(RawObject(kind: .blob, body: Array("absent".utf8)).id(algorithm)) == nil)
            #expect(try !store.packs.contains(.zero(algorithm)))
        }
    }

    @Test("an object in two packs is read from the newest; git verify and fsck accept the index", arguments: HashAlgorithm.allCases)
    func objectsInTwoPacks(_ algorithm: HashAlgorithm) throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/repo.git"
            try MultiPackRepository.make(at: path, algorithm: algorithm, packs: 3)
            let overlapping = try MultiPackRepository.addOverlappingPack(to: path)
            let names = try MultiPackRepository.packNames(in: path)
            for (number, name) in names.enumerated() {
                try MultiPackRepository.setModified(1_700_000_000 + (name == overlapping ? 0 : 100 * (number + 1)), pack: name, in: path)
            }
            let (store, listing) = try Self.writeIndexCheckedByGit(path, packs: 4)

            // The overlapping pack is the oldest, so every object comes from one of the three others.
            let midx = try #require(try store.packs.multiPackIndex())
            let overlappingNumber = try #require(midx.packNames.firstIndex(of: overlapping + ".idx"))
            #expect(midx.entries.allSatisfy { $0.location.pack != overlappingNumber })
            try Self.expectEveryObjectReads(store, listing: listing)
        }
    }

    @Test("a damaged, stale or foreign index is ignored and every object still reads", arguments: HashAlgorithm.allCases)
    func unusableIndexesAreIgnored(_ algorithm: HashAlgorithm) throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/repo.git"
            let midxPath = path + "/objects/pack/multi-pack-index"
            try MultiPackRepository.make(at: path, algorithm: algorithm, packs: 3)
            let git = Git(path)
            // Taken first: git trusts a damaged index and would list what it says.
            let listing = try Self.gitListing(git)
            try FileSystemBackend.open(at: path).writeMultiPackIndex()
            let good = try Data(contentsOf: URL(fileURLWithPath: midxPath))

            func expectIgnored(_ bytes: Data, sourceLocation: SourceLocation = #_sourceLocation) throws {
                try bytes.write(to: URL(fileURLWithPath: midxPath))
                let store = try FileSystemBackend.open(at: path)
                try Self.expectEveryObjectReads(store, listing: listing, sourceLocation: sourceLocation)
                #expect(try store.packs.multiPackIndex() == nil, sourceLocation: sourceLocation)
            }
            var damaged = good
            damaged[damaged.count / 2] ^= 0x01
            try expectIgnored(damaged)
            try expectIgnored(good.prefix(good.count - 7))
            let other: HashAlgorithm = algorithm == .sha1 ? .sha256 : .sha1
            try expectIgnored(Data(MultiPackIndexWriter.encode([], algorithm: other)))
            // git repack -a -d replaces the packs and drops the index; put the old one back.
            try git("repack", "-a", "-d", "-q")
            try expectIgnored(good)
        }
    }

    @Test("a pack written after the index is searched on its own", arguments: HashAlgorithm.allCases)
    func packAfterIndex(_ algorithm: HashAlgorithm) throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/repo.git"
            try MultiPackRepository.make(at: path, algorithm: algorithm, packs: 3)
            let store = try FileSystemBackend.open(at: path)
            try store.writeMultiPackIndex()
            try MultiPackRepository.addPack(to: path, round: 3)
            try Self.expectEveryObjectReads(store, listing: try Self.gitListing(Git(path)))
            let midx = try #require(try store.packs.multiPackIndex(), "the index still covers the three packs it names")
            #expect(midx.packNames.count == 3)
            let readers = try store.packs.readers()
            #expect(readers.count == 4)
            let added = try #require(readers.first { !midx.packNames.contains("pack-\($0.checksum).idx") })
            for id in added.index.ids {
                #expect(!midx.contains(id))
                #expect(try store.packs.find(id)?.id(algorithm) == id)
            }
        }
    }

    @Test("with one pack or none the index goes, with git's bitmap of it", arguments: HashAlgorithm.allCases)
    func onePackRemovesIndex(_ algorithm: HashAlgorithm) throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/repo.git"
            let packDirectory = path + "/objects/pack"
            try MultiPackRepository.make(at: path, algorithm: algorithm, packs: 2)
            let git = Git(path)
            try git("multi-pack-index", "write", "--bitmap")
            func indexFiles() throws -> [String] {
                try FileManager.default.contentsOfDirectory(atPath: packDirectory).filter { $0.hasPrefix("multi-pack-index") }
            }
            #expect(try indexFiles().contains { $0.hasSuffix(".bitmap") })
            let store = try FileSystemBackend.open(at: path)
            #expect(try store.writeMultiPackIndex() == .init(packs: 2, objects: try Self.gitListing(git).split(separator: "\n").count))
            #expect(try indexFiles() == ["multi-pack-index"], "git's bitmap describes the index it replaced")
            try git("multi-pack-index", "verify")

            try git("repack", "-a", "-d", "-q")
            try git("multi-pack-index", "write")
            #expect(try store.writeMultiPackIndex() == .init(packs: 0, objects: 0))
            #expect(try indexFiles().isEmpty)
            #expect(try store.packs.multiPackIndex() == nil)
            try Self.expectEveryObjectReads(store, listing: try Self.gitListing(git))

            let empty = try FileSystemBackend.create(at: directory + "/empty.git", hashAlgorithm: algorithm)
            #expect(try empty.writeMultiPackIndex() == .init(packs: 0, objects: 0))
        }
    }

    @Test("a lock held by another writer stops the write and stays")
    func heldLock() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/repo.git"
            try MultiPackRepository.make(at: path, algorithm: .sha1, packs: 2)
            let lock = path + "/objects/pack/multi-pack-index.lock"
            #expect(FileManager.default.createFile(atPath: lock, contents: Data()))
            let store = try FileSystemBackend.open(at: path)
            #expect {
                try store.writeMultiPackIndex()
            } throws: { error in
                (error as? BanyanError)?.code == .refLocked
            }
            #expect(FileManager.default.fileExists(atPath: lock))
            #expect(!FileManager.default.fileExists(atPath: path + "/objects/pack/multi-pack-index"))
        }
    }

    @Test("lookups on other threads never fail while the index is written and removed")
    func lookupsDuringRewrites() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/repo.git"
            try MultiPackRepository.make(at: path, algorithm: .sha1, packs: 3)
            let ids = try Self.gitListing(Git(path)).split(separator: "\n").map { try ObjectID(validating: $0.prefix(40)) }
            let store = try FileSystemBackend.open(at: path)
            let midxPath = path + "/objects/pack/multi-pack-index"
            let failures = runOnThreads(3) { thread in
                for round in 0..<20 {
                    if thread == 0 {
                        if round % 2 == 0 { try store.writeMultiPackIndex() } else { try Posix.removeFile(midxPath) }
                        try store.packs.refresh()
                    } else {
                        for id in ids where try store.find(id) == nil { throw BanyanError(.objectNotFound, "\(id) in round \(round)") }
                    }
                }
            }
            #expect(failures.isEmpty, "\(failures)")
        }
    }
}
