@testable import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// Geometric repacking: which packs roll up (Git's rule, checked against
/// `git repack --geometric=2`), that nothing is lost or unreadable to git,
/// and that a store written one commit at a time keeps a logarithmic
/// number of packs while readers run.
@Suite("Geometric repack")
struct GeometricRepackTests {
    private func packs(_ counts: [Int]) -> [PackGeometry.Pack] {
        counts.enumerated().map { PackGeometry.Pack(name: "p\($0.offset)", objects: $0.element) }
    }

    @Test func theSplitFollowsGitsRule() {
        // Already a progression: nothing moves.
        #expect(!PackGeometry(packs: packs([1, 2, 4, 8]), factor: 2).isNeeded)
        #expect(!PackGeometry(packs: packs([1000]), factor: 2).isNeeded)
        // Two equal small packs under big ones: only the small ones roll up.
        #expect(PackGeometry(packs: packs([3, 3, 100, 1000]), factor: 2).rollUp.map(\.objects) == [3, 3])
        // The new pack (6) would not be twice smaller than 10: 10 joins it.
        #expect(PackGeometry(packs: packs([3, 3, 10, 1000]), factor: 2).rollUp.map(\.objects) == [3, 3, 10])
        // Everything out of progression.
        #expect(PackGeometry(packs: packs([5, 5, 5, 5]), factor: 2).rollUp.count == 4)
        // Loose objects alone make a pack; they count toward the new pack's size.
        let loose = PackGeometry(packs: packs([100]), factor: 2, looseObjects: 60)
        #expect(loose.isNeeded && loose.rollUp.map(\.objects) == [100])
        #expect(PackGeometry(packs: packs([1000]), factor: 2, looseObjects: 10).rollUp.isEmpty)
        #expect(PackGeometry(packs: packs([1000]), factor: 2, looseObjects: 10).isNeeded)
    }

    /// Packs made by real git, repacked by `git repack --geometric=2 -d` on
    /// one copy and by Banyan on another: the same pack sizes remain.
    @Test(arguments: [[1, 1, 1, 1, 1], [1, 2, 3, 20, 1], [6, 1, 1, 12, 40, 2, 2]])
    func keepsThePacksGitKeeps(commitsPerPack: [Int]) throws {
        try withTemporaryDirectory { directory in
            let git = Git(directory + "/a.git")
            try GitRunner.run(["init", "--bare", "-q", directory + "/a.git"], in: directory)
            var counter = 0
            for commits in commitsPerPack {
                for _ in 0..<commits {
                    counter += 1
                    let blob = try git("hash-object", "-w", "--stdin", input: "value \(counter)\n").trimmed
                    let tree = try git("mktree", input: "100644 blob \(blob)\tk\(counter)\n").trimmed
                    let parent = try git.run(["git", "rev-parse", "--verify", "-q", "refs/heads/main"]).stdout.trimmed
                    var arguments = ["git", "commit-tree", tree, "-m", "c\(counter)"]
                    if !parent.isEmpty { arguments += ["-p", parent] }
                    let commit = try git.run(arguments).stdout.trimmed
                    try git("update-ref", "refs/heads/main", commit)
                }
                try git("repack", "-d", "-q")
            }
            try FileManager.default.copyItem(atPath: directory + "/a.git", toPath: directory + "/b.git")
            try git("repack", "--geometric=2", "-d", "-q")
            let repository = try Repository.open(at: directory + "/b.git", configuration: .init(maintenance: .off))
            try repository.repackGeometric()
            #expect(try packSizes(directory + "/a.git") == packSizes(directory + "/b.git"))
            try GitRunner.run(["fsck", "--strict", "--no-dangling"], in: directory + "/b.git")
        }
    }

    /// The object counts of the packs Banyan reads (not those a repack
    /// replaced, left for git until their grace period is over), sorted.
    private func packSizes(_ repository: String) throws -> [Int] {
        let directory = repository + "/objects/pack"
        return try livePacks(repository).map { name in
            let listing = try GitRunner.run(["show-index"], in: repository,
                                            input: try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))).stdout
            return listing.count { $0 == UInt8(ascii: "\n") }
        }.sorted()
    }

    private func livePacks(_ repository: String) throws -> [String] {
        let replaced = ReplacedPacks.read(repository)
        return try FileManager.default.contentsOfDirectory(atPath: repository + "/objects/pack")
            .filter { $0.hasSuffix(".idx") && replaced[String($0.dropLast(4))] == nil }
    }

    private func packCount(_ repository: String) throws -> Int {
        try livePacks(repository).count
    }

    /// One commit per write leaves one pack per write until a repack; after
    /// it the packs form a progression, every object is still there, and
    /// git reads the store.
    @Test(arguments: HashAlgorithm.allCases)
    func aRepackKeepsEveryObjectAndMakesAProgression(_ algorithm: HashAlgorithm) throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/store"
            let repository = try Repository.create(at: path, hashAlgorithm: algorithm, configuration: .init(maintenance: .off))
            let main = try repository.branch("main")
            for n in 0..<120 { try main.set(Key("d\(n % 7)/k\(n)"), Data("value \(n)".utf8)) }
            #expect(try packCount(path) == 120)
            let before = Set(try repository.objects.allObjectIDs())
            let report = try repository.repackGeometric()
            #expect(report.removedPacks >= 2)
            let sizes = try packSizes(path)
            for (smaller, larger) in zip(sizes, sizes.dropFirst()) { #expect(larger >= 2 * smaller) }
            #expect(Set(try Repository.open(at: path, configuration: .init(maintenance: .off)).objects.allObjectIDs()) == before)
            for n in 0..<120 { #expect(try main.get(Key("d\(n % 7)/k\(n)")) == Data("value \(n)".utf8)) }
            try GitRunner.run(["fsck", "--strict", "--no-dangling"], in: path)
            #expect(try repository.fsck().isEmpty)
            // Trees of one directory found each other as delta bases.
            #expect(report.deltaCount > 0)
            // The replaced packs stay for git until their grace period is
            // over, then the next run deletes them.
            let replaced = ReplacedPacks.read(path)
            #expect(replaced.count == report.removedPacks)
            let grace = ReplacedPacks.defaultGrace
            #expect(try ReplacedPacks.removeExpired(repository: path, grace: grace, durable: false) == 0)
            let later = Date().addingTimeInterval(grace + 1)
            #expect(try ReplacedPacks.removeExpired(repository: path, grace: grace, durable: false, now: later) == replaced.count)
            #expect(try FileManager.default.contentsOfDirectory(atPath: path + "/objects/pack").count { $0.hasSuffix(".idx") } == sizes.count)
            try GitRunner.run(["fsck", "--strict", "--no-dangling"], in: path)
        }
    }

    /// The repack's naming walk over a history whose commits share most of
    /// their trees: every tree and blob is named, each tree read once and
    /// each object queued once (a queue slot per tree entry grew to
    /// hundreds of megabytes on the soak's store).
    @Test func theNamingWalkQueuesEachObjectOnce() throws {
        let repository = try Repository.inMemory()
        let main = try repository.branch("main")
        for n in 0..<60 { try main.set(Key("shared/d\(n % 10)/k\(n % 30)"), Data("value \(n)".utf8)) }
        let store = repository.objects
        var sources: [PackWriter.Source] = []
        var position: [ObjectID: Int] = [:]
        var roots: [ObjectID] = []
        var entryCount = 0
        for id in try store.allObjectIDs() {
            let object = try store.get(id)
            position[id] = sources.count
            sources.append(PackWriter.Source(id: id, kind: object.kind, size: object.body.count))
            switch object.kind {
            case .commit: roots.append(try Commit(decoding: object.body, algorithm: store.hashAlgorithm).tree)
            case .tree: entryCount += try Tree(decoding: object.body, algorithm: store.hashAlgorithm).entries.count
            default: break
            }
        }
        var rank = [Int](repeating: Int.max, count: sources.count)
        var reads: [ObjectID: Int] = [:]
        let named = try RepackNaming.name(&sources, rank: &rank, position: position, roots: roots, firstRank: roots.count) { id in
            reads[id, default: 0] += 1
            return try Tree(decoding: try store.get(id).body, algorithm: store.hashAlgorithm).entries
        }
        let contents = sources.filter { $0.kind == .tree || $0.kind == .blob }
        #expect(named == contents.count)
        #expect(entryCount > 2 * named)
        #expect(contents.allSatisfy { $0.nameHint != nil })
        #expect(reads.count == sources.count { $0.kind == .tree } && reads.values.allSatisfy { $0 == 1 })
        #expect(Set(rank.filter { $0 != Int.max }).count == named)
        #expect(sources.first { $0.nameHint == "shared/d3" }?.kind == .tree)
    }

    /// A long-lived writer with background maintenance, and a reader in
    /// another thread reading every key back while repacks replace packs:
    /// the reader never fails, and the pack count stays logarithmic.
    @Test func backgroundMaintenanceKeepsPacksLogarithmicWhileReadersRead() async throws {
        let directory = TemporaryDirectory()
        do {
            let path = directory.appending("store")
            let repository = try Repository.create(at: path)
            let main = try repository.branch("main")
            let writes = 600
            let reader = Task.detached {
                let other = try Repository.open(at: path, configuration: .init(maintenance: .off))
                var reads = 0
                while true {
                    guard let snapshot = try? other.branch("main").snapshot(), snapshot.commit != nil else {
                        try await Task.sleep(for: .milliseconds(1))
                        continue
                    }
                    let walked = try snapshot.walk()
                    for (key, _) in walked { _ = try snapshot.get(key) }
                    reads += walked.count
                    if walked.count == writes { return reads }
                }
            }
            for n in 0..<writes { try main.set(Key("d\(n % 16)/k\(n)"), Data("value \(n)".utf8)) }
            #expect(try await reader.value >= writes)
            let backend = try #require(repository.objects as? FileSystemBackend)
            backend.waitForMaintenance()
            #expect(backend.scheduler.status.runs > 0)
            #expect(backend.scheduler.status.lastError == nil)
            let objects = try repository.objects.allObjectIDs().count
            let bound = Int(log2(Double(objects)).rounded(.up)) + 1
            let count = try packCount(path)
            #expect(count <= bound, "\(count) packs for \(objects) objects")
            try GitRunner.run(["fsck", "--strict", "--no-dangling"], in: path)
        }
        withExtendedLifetime(directory) {}
    }

    /// One-shot writers, as the CLI runs them: each write opens the store,
    /// commits, and runs the maintenance due then (the CLI starts it
    /// detached). The packs Banyan reads stay within log2(objects) + 1.
    @Test func oneShotWritesKeepALogarithmicNumberOfPacks() async throws {
        try await offPool(heavy: true) {
            try withTemporaryDirectory { directory in
                let path = directory + "/store"
                _ = try Repository.create(at: path, configuration: .init(maintenance: .off))
                let writes = Self.oneShotWrites
                var runs = 0
                for n in 0..<writes {
                    let repository = try Repository.open(at: path, configuration: .init(maintenance: .off))
                    try repository.branch("main").set(Key("d\(n % 64)/k\(n)"), Data("value \(n)".utf8))
                    if try !repository.maintenanceDue().isEmpty {
                        runs += try repository.runMaintenance(auto: true).tasks.count
                    }
                }
                let repository = try Repository.open(at: path, configuration: .init(maintenance: .off))
                let objects = try repository.objects.allObjectIDs().count
                let bound = Int(log2(Double(objects)).rounded(.up)) + 1
                let count = try packCount(path)
                #expect(count <= bound, "\(count) packs for \(objects) objects after \(writes) writes")
                #expect(runs > 0 && runs < writes, "\(runs) maintenance runs for \(writes) writes")
                for n in stride(from: 0, to: writes, by: 97) {
                    #expect(try repository.branch("main").get(Key("d\(n % 64)/k\(n)")) == Data("value \(n)".utf8))
                }
                try GitRunner.run(["fsck", "--strict", "--no-dangling"], in: path)
            }
        }
    }

    /// The one-shot writes of the test above: 1,000 in the suite (a debug
    /// build takes about 90 ms a write here), `BANYAN_ONE_SHOT_WRITES=10000`
    /// for the full run issue 15 names (docs/performance.md has its figures).
    static let oneShotWrites = ProcessInfo.processInfo.environment["BANYAN_ONE_SHOT_WRITES"].flatMap(Int.init) ?? 1_000
}
