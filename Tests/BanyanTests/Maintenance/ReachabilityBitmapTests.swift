@testable import Banyan
import BanyanTestSupport
import Foundation
import Testing

@Suite("gc's reachability bitmaps")
struct ReachabilityBitmapTests {
    /// A store of `commits` commits on `main`, a branch off its middle with
    /// commits of its own, a merge of it, and an annotated tag.
    private func makeStore(at path: String, algorithm: HashAlgorithm, commits: Int = 240) throws -> Repository {
        let repository = try Repository.create(at: path, hashAlgorithm: algorithm, configuration: .init(maintenance: .off))
        let main = try repository.branch("main")
        for number in 0..<commits {
            try main.transaction(message: "c\(number)", author: signature(1_700_000_000 + Int64(number))) { tx in
                tx.set(key("d\(number % 7)/k\(number % 50)"), data("value \(number)"))
                tx.set(key("counter"), data("\(number)"))
            }
            if number == commits / 2 {
                let side = try repository.createBranch("side", at: try main.head())
                for step in 0..<15 { try side.set(key("side/s\(step)"), data("side \(step)")) }
            }
        }
        try Git(path)("tag", "-a", "v1", "-m", "release", "main~3")
        return repository
    }

    private func bitmapFiles(_ path: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path + "/objects/pack").filter { $0.hasSuffix(".bitmap") }.sorted()
    }

    private func bitmaps(_ path: String, pack: String, _ algorithm: HashAlgorithm) throws -> PackBitmapIndex {
        let index = try PackIndex(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: pack + ".idx"))), algorithm: algorithm)
        return try PackBitmapIndex(ByteStorage(Array(try Data(contentsOf: URL(fileURLWithPath: pack + ".bitmap")))), index: index)
    }

    @Test("gc gives its pack bitmaps git verifies commit by commit, every ref tip among them, and git clones through them",
          arguments: HashAlgorithm.allCases)
    func gcWritesBitmapsGitVerifies(_ algorithm: HashAlgorithm) throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/store"
            let repository = try makeStore(at: path, algorithm: algorithm)
            let report = try repository.gc()
            let pack = try #require(report.pack)
            #expect(try bitmapFiles(path) == [(pack as NSString).lastPathComponent + ".bitmap"])
            let bitmaps = try bitmaps(path, pack: pack, algorithm)
            #expect(report.bitmappedCommits == bitmaps.commitIDs.count)
            // 256 commits: the newest 200 one in ten, then sparser, plus the tips.
            #expect((20...40).contains(bitmaps.commitIDs.count), "\(bitmaps.commitIDs.count) bitmaps")
            let git = Git(path)
            for tip in ["main", "side", "v1^{commit}"] {
                let id = try #require(ObjectID(hex: try git("rev-parse", tip).trimmingCharacters(in: .newlines)))
                #expect(bitmaps.commitIDs.contains(id), "\(tip) has no bitmap")
            }
            for commit in bitmaps.commitIDs {
                let result = try GitRunner.run(["rev-list", "--test-bitmap", commit.hex], in: path, check: false)
                #expect(result.status == 0 && result.stderr.contains("OK!"), "\(commit): \(result.stderr)")
            }
            #expect(try git("fsck", "--strict", "--no-dangling") == "")
            // git's pack-objects answers from the bitmaps: it sends the pack's
            // objects as they are stored ("pack-reused"), which only a bitmap walk does.
            let packed = try GitRunner.run(["pack-objects", "--revs", "--all", "--stdout", "--progress"], in: path,
                                           input: Data())
            let reused = packed.stderr.split(separator: "pack-reused ").last.map { Int($0.prefix { $0.isNumber }) ?? 0 } ?? 0
            #expect(reused > 0, "\(packed.stderr)")
            let clone = directory + "/clone.git"
            try GitRunner.run(["clone", "-q", "--bare", "--no-local", path, clone], in: directory)
            #expect(try Git(clone)("fsck", "--strict", "--no-dangling") == "")
            #expect(try Git(clone)("rev-parse", "main", "side") == (try git("rev-parse", "main", "side")))
        }
    }

    /// Found by the test above once: a tree read in one bitmap's fill and
    /// again in a later one (on another branch) was compared with itself,
    /// and its entries were taken as set. Branches whose commits interleave
    /// by generation, with side-branch times that vary the order of ties.
    @Test("every bitmap is exactly what rev-list --objects reaches, on branches computed interleaved", arguments: 0..<4)
    func bitmapsOfInterleavedBranchesAreExact(_ round: Int) throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/store"
            let repository = try Repository.create(at: path, hashAlgorithm: .sha256, configuration: .init(maintenance: .off))
            let main = try repository.branch("main")
            for number in 0..<160 {
                try main.transaction(message: "c\(number)", author: signature(1_700_000_000 + Int64(number))) { tx in
                    tx.set(key("d\(number % 7)/k\(number % 50)"), data("value \(number)"))
                }
                if number == 80 {
                    let side = try repository.createBranch("side", at: try main.head())
                    for step in 0..<15 {
                        try side.transaction(message: "s\(step)", author: signature(1_800_000_000 + Int64(round * 100 + step))) { tx in
                            tx.set(key("side/s\(step)"), data("side \(step)"))
                        }
                    }
                }
            }
            let pack = try #require(try repository.gc().pack)
            let bitmaps = try bitmaps(path, pack: pack, .sha256)
            for commit in bitmaps.commitIDs {
                let reached = try #require(try bitmaps.reachable(from: commit))
                var ours = Set<ObjectID>()
                reached.forEach { ours.insert(bitmaps.id(ofBit: $0)) }
                let listed = try Git(path)("rev-list", "--objects", commit.hex).split(separator: "\n")
                #expect(ours == Set(listed.compactMap { ObjectID(hex: $0.prefix(64)) }), "commit \(commit)")
            }
        }
    }

    @Test("a second gc leaves one bitmap, for its own pack, and git warns about none")
    func aSecondGCReplacesTheBitmap() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/store"
            let repository = try makeStore(at: path, algorithm: .sha1, commits: 60)
            let first = try #require(try repository.gc().pack)
            try repository.branch("main").set(key("after"), data("first gc"))
            let second = try #require(try repository.gc().pack)
            #expect(first != second)
            #expect(try bitmapFiles(path) == [(second as NSString).lastPathComponent + ".bitmap"])
            let head = try Git(path)("rev-parse", "main").trimmingCharacters(in: .newlines)
            let result = try GitRunner.run(["rev-list", "--test-bitmap", head], in: path, check: false)
            #expect(result.status == 0 && result.stderr.contains("OK!") && !result.stderr.contains("warning"), "\(result.stderr)")
        }
    }

    @Test("no bitmap where the pack is not whole (a .keep pack) or repack.writeBitmaps is false")
    func noBitmapWithoutClosureOrWhenTurnedOff() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/store"
            let repository = try makeStore(at: path, algorithm: .sha1, commits: 40)
            try Git(path)("config", "repack.writeBitmaps", "false")
            #expect(try repository.gc().bitmappedCommits == 0)
            #expect(try bitmapFiles(path).isEmpty)

            try Git(path)("config", "--unset", "repack.writeBitmaps")
            let kept = try #require(try repository.gc().pack)
            #expect(try bitmapFiles(path).count == 1)
            FileManager.default.createFile(atPath: kept + ".keep", contents: nil)
            try repository.branch("main").set(key("after"), data("keep"))
            let report = try repository.gc()
            #expect(report.bitmappedCommits == 0, "the new pack lacks what the kept one holds")
            #expect(try bitmapFiles(path) == [(kept as NSString).lastPathComponent + ".bitmap"], "the kept pack keeps its own")
            #expect(try Git(path)("fsck", "--strict", "--no-dangling") == "")
        }
    }

    @Test("selection: one commit in ten among the newest 200, then sparser, at most one in 1,000, and every tip")
    func selectionSpacing() {
        let commits = (0..<30_000).map { RawObject(kind: .blob, body: Array("\($0)".utf8)).id(.sha1) }
        let tips: Set<ObjectID> = [commits[5], commits[25_000]]
        let selected = ReachabilityBitmapBuilder.select(newestFirst: commits, tips: tips)
        let positions = selected.map { commits.firstIndex(of: $0)! }
        #expect(positions.prefix(2) == [0, 5])
        #expect(positions.contains(25_000))
        #expect(positions.filter { $0 < 200 }.count == 21)
        let gaps = zip(positions, positions.dropFirst()).map { $1 - $0 }
        #expect(gaps.allSatisfy { $0 <= 1_000 })
        #expect((100...200).contains(selected.count), "\(selected.count)")
    }
}
