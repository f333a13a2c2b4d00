@testable import Banyan
import BanyanTestSupport
import Foundation
import Synchronization
import Testing

@Suite("gc")
struct GCTests {
    /// A store with two branches of edits that delta well, a loose-mode
    /// branch and an annotated tag made by git.
    private func makeHistory(at path: String, algorithm: HashAlgorithm) throws -> Repository {
        let repository = try makeEditedHistory(at: path, algorithm: algorithm)
        let feature = try repository.createBranch("feature", at: try repository.branch("main").head())
        try feature.set(key("feature/x"), data("feature work"))
        try repository.flush()
        let loose = try Repository.open(at: path, configuration: .init(writeMode: .loose, maintenance: .off))
        try loose.branch("loose").set(key("k"), data("written as loose objects"))
        try Git(path)("tag", "-a", "v1", "-m", "release", "main~2")
        return repository
    }

    private func files(_ directory: String) throws -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory))?.sorted() ?? []
    }

    @Test("gc packs everything into one pack git accepts, packs refs, and the store reads on", arguments: HashAlgorithm.allCases)
    func packsEverythingIntoOnePack(algorithm: HashAlgorithm) throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/store"
            let repository = try makeHistory(at: path, algorithm: algorithm)
            let git = Git(path)
            let refsBefore = try git("for-each-ref")
            let objectsBefore = try git("cat-file", "--batch-all-objects", "--batch-check")

            let report = try repository.gc()

            let packFiles = try files(path + "/objects/pack")
            #expect(Set(packFiles.map { ($0 as NSString).pathExtension }) == ["pack", "idx", "bitmap"], "\(packFiles)")
            #expect(packFiles.count == 3 && packFiles.allSatisfy { $0.hasPrefix("pack-") }, "\(packFiles)")
            #expect(report.pack.map { packFiles.contains(($0 as NSString).lastPathComponent + ".pack") } == true)
            #expect(try git("count-objects").hasPrefix("0 objects"))
            #expect(try git("for-each-ref") == refsBefore)
            #expect(try git("cat-file", "--batch-all-objects", "--batch-check") == objectsBefore)
            #expect(try git("fsck", "--strict", "--no-dangling") == "")
            try git("verify-pack", report.pack! + ".idx")
            #expect(report.deltaCount > 10)
            #expect(report.packedRefs == 4)
            #expect(report.removedLooseObjects > 0 && report.removedPacks > 0)
            let packed = try String(contentsOfFile: path + "/packed-refs", encoding: .utf8)
            let peeled = try git("rev-parse", "main~2").trimmingCharacters(in: .newlines)
            #expect(packed.hasPrefix("# pack-refs with: peeled fully-peeled sorted \n"))
            #expect(packed.contains("refs/tags/v1\n^\(peeled)\n"))
            #expect(try files(path + "/refs/heads").isEmpty && files(path + "/refs/tags").isEmpty)
            #expect(try git("pack-refs", "--all") == "")
            #expect(try String(contentsOfFile: path + "/packed-refs", encoding: .utf8) == packed, "git writes the same packed-refs")

            // The same repository object, whose old packs are gone, reads and writes on.
            let main = try repository.branch("main")
            #expect(text(try main.get(key("counter"))) == "11")
            try main.set(key("after"), data("gc"))
            try repository.flush()
            #expect(try Repository.open(at: path).fsck() == [])
            #expect(try git("fsck", "--strict", "--no-dangling") == "")
        }
    }

    @Test("packing refs takes a loose value over a stale packed one and leaves symbolic refs loose")
    func packRefsPrefersLooseValues() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/store"
            let repository = try Repository.create(at: path, configuration: .init(maintenance: .off))
            let main = try repository.branch("main")
            let first = try main.set(key("k"), data("one"))
            let second = try main.set(key("k"), data("two"))
            try repository.flush()
            let git = Git(path)
            try git("update-ref", "refs/remotes/origin/main", first.hex)
            try git("pack-refs", "--all")
            try git("update-ref", "refs/remotes/origin/main", second.hex)
            try git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
            let before = try git("for-each-ref")

            let report = try repository.gc()

            #expect(report.packedRefs == 2)
            #expect(try git("for-each-ref") == before)
            #expect(try String(contentsOfFile: path + "/packed-refs", encoding: .utf8).contains("\(second) refs/remotes/origin/main\n"))
            #expect(try files(path + "/refs/remotes/origin") == ["HEAD"])
        }
    }

    @Test("--prune=now drops unreachable objects but keeps what reflogs reach")
    func pruneNowKeepsReflogHistory() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/store"
            let repository = try Repository.create(at: path, configuration: .init(maintenance: .off))
            let main = try repository.branch("main")
            let first = try main.set(key("k"), data("one"))
            let dropped = try main.set(key("k"), data("two"))
            try main.reset(to: first)
            let scratch = try repository.branch("scratch")
            let scratchHead = try scratch.set(key("only/here"), data("scratch value"))
            try repository.deleteBranch("scratch")
            let dangling = try repository.objects.put(RawObject(kind: .blob, body: Array("dangling".utf8)))
            try repository.flush()
            // Written an hour ago or more: past gc's write horizon, no write in progress can name them.
            let twoHoursAgo = Date().addingTimeInterval(-7_200)
            for pack in try files(path + "/objects/pack") {
                try FileManager.default.setAttributes([.modificationDate: twoHoursAgo], ofItemAtPath: path + "/objects/pack/" + pack)
            }

            let report = try repository.gc(pruneOlderThan: .zero)

            let git = Git(path)
            func exists(_ id: ObjectID) throws -> Bool { try git.run(["git", "cat-file", "-e", id.hex]).status == 0 }
            #expect(try exists(dropped), "reachable from main's reflog")
            #expect(try !exists(scratchHead))
            #expect(try !exists(dangling))
            #expect(report.prunedObjects == 5, "the scratch commit, its root tree, tree only/, its blob, and the dangling blob")
            #expect(try git("fsck", "--strict") == "")
            #expect(try git("rev-parse", "main@{1}") == "\(dropped)\n")
        }
    }

    /// Every commit seals its objects before its ref moves, so a write in
    /// progress may name objects that are sealed and unreachable yet: gc
    /// keeps what was written within its write horizon even with --prune=now.
    @Test("--prune=now keeps unreachable objects written within the last hour")
    func pruneNowKeepsWhatAWriteInProgressMayName() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/store"
            let repository = try Repository.create(at: path, configuration: .init(maintenance: .off))
            try repository.branch("main").set(key("k"), data("reachable"))
            let pending = try repository.objects.put(RawObject(kind: .blob, body: Array("about to be named".utf8)))
            try repository.flush()
            let report = try repository.gc(pruneOlderThan: .zero)
            #expect(report.prunedObjects == 0)
            #expect(try Repository.open(at: path).objects.contains(pending))
            // A commit naming it now finds it.
            try repository.branch("main").transaction(message: "name it") { $0.set(key("p"), data("about to be named")) }
            #expect(try repository.fsck().isEmpty)
            #expect(try Git(path)("fsck", "--strict") == "")
        }
    }

    @Test("the grace period keeps recent unreachable objects and what they reach")
    func gracePeriodKeepsRecentObjects() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/store"
            let repository = try Repository.create(at: path, configuration: .init(writeMode: .loose, maintenance: .off))
            try repository.branch("main").set(key("k"), data("reachable"))
            let old = try repository.objects.put(RawObject(kind: .blob, body: Array("old and unreachable".utf8)))
            let recent = try repository.objects.put(RawObject(kind: .blob, body: Array("recent and unreachable".utf8)))
            // A recent dangling commit whose tree and blob are old: they stay with it.
            let oldBlob = try repository.objects.put(RawObject(kind: .blob, body: Array("old, reached by a recent commit".utf8)))
            let oldTree = try repository.objects.put(Tree(entries: [TreeEntry(name: "f", mode: .regular, id: oldBlob)]).rawObject)
            let commitText = "tree \(oldTree)\nauthor A <a@x> 1700000000 +0000\ncommitter A <a@x> 1700000000 +0000\n\nrecent\n"
            let recentCommit = try repository.objects.put(RawObject(kind: .commit, body: Array(commitText.utf8)))
            let threeWeeksAgo = Date().addingTimeInterval(-21 * 86_400)
            for id in [old, oldBlob, oldTree] { try age(path, id, to: threeWeeksAgo) }

            let report = try repository.gc()

            let store = try Repository.open(at: path).objects
            #expect(try !store.contains(old))
            #expect(try store.contains(recent))
            #expect(try store.contains(recentCommit) && store.contains(oldTree) && store.contains(oldBlob))
            #expect(report.keptRecentObjects == 4)
            #expect(report.prunedObjects == 1)

            // Packed objects age with their pack.
            for pack in try files(path + "/objects/pack") where pack.hasSuffix(".pack") {
                try FileManager.default.setAttributes([.modificationDate: threeWeeksAgo], ofItemAtPath: path + "/objects/pack/" + pack)
            }
            let second = try repository.gc()
            #expect(second.prunedObjects == 4)
            #expect(try !Repository.open(at: path).objects.contains(recent))
            #expect(try Git(path)("fsck", "--strict") == "")
        }
    }

    @Test("temporary files an hour old go; fresh ones may be writes in progress and stay")
    func staleTemporaryFilesGo() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/store"
            let repository = try Repository.create(at: path, configuration: .init(maintenance: .off))
            try repository.branch("main").set(key("k"), data("v"))
            let stale = [path + "/objects/pack/tmp_pack_abc123", path + "/objects/ab/tmp_obj_xyz"]
            let fresh = path + "/objects/pack/tmp_idx_def456"
            try FileManager.default.createDirectory(atPath: path + "/objects/ab", withIntermediateDirectories: true)
            for file in stale + [fresh] { #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8))) }
            for file in stale {
                try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-7_200)], ofItemAtPath: file)
            }
            try repository.gc()
            #expect(stale.allSatisfy { !FileManager.default.fileExists(atPath: $0) })
            #expect(FileManager.default.fileExists(atPath: fresh))
        }
    }

    @Test("a second gc keeps the pack the first one wrote")
    func gcTwiceKeepsTheSamePack() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/store"
            let repository = try makeHistory(at: path, algorithm: .sha1)
            let first = try repository.gc()
            let second = try repository.gc()
            #expect(second.pack == first.pack)
            #expect(second.removedPacks == 0)
            #expect(try files(path + "/objects/pack").filter { $0.hasSuffix(".pack") }.count == 1)
            #expect(try Git(path)("fsck", "--strict", "--no-dangling") == "")
        }
    }

    @Test("gc stops before deleting anything when a reachable object is missing")
    func missingReachableObjectStopsGC() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/store"
            let repository = try Repository.create(at: path, configuration: .init(writeMode: .loose, maintenance: .off))
            let main = try repository.branch("main")
            try main.set(key("a"), data("value a"))
            try main.set(key("b"), data("value b"))
            let blob = try main.snapshot().entry(at: key("a"))!.id
            try FileManager.default.removeItem(atPath: "\(path)/objects/\(blob.hex.prefix(2))/\(blob.hex.dropFirst(2))")
            let before = try Git(path)("count-objects")
            #expect {
                try repository.gc(pruneOlderThan: .zero)
            } throws: { error in
                (error as? BanyanError)?.code == .objectNotFound && "\(error)".contains(blob.hex)
            }
            #expect(try Git(path)("count-objects") == before)
            #expect(try files(path + "/objects/pack").isEmpty)
        }
    }

    /// An explicit gc waits for a running one (here a lock held by hand)
    /// and runs once it is released; the lock itself refuses once its
    /// patience is over, and at once for automatic maintenance.
    @Test("a second gc on the same repository waits for the running one, and is refused when that outlasts its patience")
    func concurrentGCWaitsItsTurn() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/store"
            let repository = try Repository.create(at: path, configuration: .init(maintenance: .off))
            try repository.branch("main").set(key("a"), data("value a"))
            let fd = open(path + "/gc.pid", O_RDWR | O_CREAT, 0o644)
            defer { close(fd) }
            #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
            #expect { try GCLock.withLock(repository: path, wait: false) {} } throws: {
                ($0 as? BanyanError)?.code == .refLocked && "\($0)".contains("another gc is running")
            }
            let start = ContinuousClock.now
            #expect { try GCLock.withLock(repository: path, wait: true, patience: .milliseconds(300)) {} } throws: {
                ($0 as? BanyanError)?.code == .refLocked
            }
            #expect(ContinuousClock.now - start >= .milliseconds(300))

            // Released while the gc waits: the gc then runs.
            let released = Atomic<Bool>(false)
            Thread.detachNewThread {
                usleep(300_000)
                released.store(true, ordering: .sequentiallyConsistent)
                flock(fd, LOCK_UN)
            }
            let report = try repository.gc()
            let waited = released.load(ordering: .sequentiallyConsistent)
            #expect(waited)
            #expect(report.pack != nil)
            #expect(!FileManager.default.fileExists(atPath: path + "/gc.pid"))
        }
    }

    @Test("gc needs one maintainable store holding objects and refs")
    func splitStoresAreUnsupported() throws {
        let split = Repository(objects: try MemoryBackend(), refs: try MemoryBackend())
        #expect { try split.gc() } throws: { ($0 as? BanyanError)?.code == .unsupported }
        #expect(try Repository.inMemory().gc().prunedObjects == 0)
    }

    @Test("expiry dates parse as git gc --prune takes them")
    func pruneExpiryParses() throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(try PruneExpiry.cutoff(parsing: "now", now: now) == now)
        #expect(try PruneExpiry.cutoff(parsing: "never", now: now) == nil)
        #expect(try PruneExpiry.cutoff(parsing: "2.weeks.ago", now: now) == now.addingTimeInterval(-14 * 86_400))
        #expect(try PruneExpiry.cutoff(parsing: "3 days ago", now: now) == now.addingTimeInterval(-3 * 86_400))
        #expect(try PruneExpiry.cutoff(parsing: "1.hour", now: now) == now.addingTimeInterval(-3_600))
        #expect(try PruneExpiry.cutoff(parsing: "@1600000000", now: now) == Date(timeIntervalSince1970: 1_600_000_000))
        #expect(try PruneExpiry.cutoff(parsing: "2024-05-01", now: now) != nil)
        #expect { try PruneExpiry.cutoff(parsing: "soonish", now: now) } throws: { ($0 as? BanyanError)?.code == .invalidArgument }
    }

    /// Sets the modification time of loose object `id`'s file.
    private func age(_ path: String, _ id: ObjectID, to date: Date) throws {
        try FileManager.default.setAttributes([.modificationDate: date],
                                              ofItemAtPath: "\(path)/objects/\(id.hex.prefix(2))/\(id.hex.dropFirst(2))")
    }
}
