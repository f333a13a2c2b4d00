import Banyan
import BanyanTestSupport
import Foundation
import Synchronization
import Testing

/// gc running while other writers commit, create and delete refs: nothing
/// acknowledged is lost, nothing deleted comes back.
@Suite("gc with concurrent writers")
struct GCConcurrencyTests {
    /// How writers reach the store: through the repository gc runs on
    /// (sharing its append pack), or through their own (another process's view).
    enum Writers: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case sharedRepository, ownRepositories, looseWriters
        var testDescription: String { rawValue }
    }

    @Test("writers committing during gc lose nothing (append-pack writers even with --prune=now)", arguments: Writers.allCases)
    func writersDuringGCLoseNothing(writers: Writers) throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/store"
            // A writer deleting its branch waits for gc's pack-refs to release
            // packed-refs.lock. Git's default wait of 1 s is too short where the
            // test runs ten times slower (ThreadSanitizer), so it waits up to 30 s.
            try Repository.create(at: path).updateConfig { try $0.set("30000", forKey: "core.packedRefsTimeout") }
            let gcRepository = try Repository.open(at: path)
            try gcRepository.branch("main").set(key("seed"), data("first value"))
            let acknowledged = Mutex<[Int: [ObjectID]]>([:])
            let finished = Atomic<Int>(0)
            let gcRuns = Atomic<Int>(0)
            // Writers go on until gc has run at least three times during their
            // work, so gc and writes overlap however the threads are scheduled;
            // at most 1,500 commits each: on a loaded machine gc is slow, the
            // writers ran on to 5,000 commits each, a pack each, and mapping
            // one more index failed with ENOMEM (the kernel's limit of 65,530
            // mappings a process).
            let writerCount = 3, minimumCommits = 40, minimumGCRuns = 3
            @Sendable func keepGoing(_ done: Int, minimum: Int) -> Bool {
                done < minimum || (gcRuns.load(ordering: .relaxed) < minimumGCRuns && done < 1_500)
            }
            let deleted = Mutex<[String]>([])
            let failures = runOnThreads(writerCount + 2) { thread in
                if thread == writerCount + 1 {
                    // gc, over and over, until every writer is done.
                    repeat {
                        // Loose writers need the grace period: with --prune=now a loose
                        // object written before gc lists the store, whose ref moves only
                        // after gc's second walk, looks unreachable (git has the same race).
                        _ = try gcRepository.gc(pruneOlderThan: writers == .looseWriters ? .seconds(3600) : .zero)
                        gcRuns.add(1, ordering: .relaxed)
                    } while finished.load(ordering: .acquiring) < writerCount + 1
                    return
                }
                defer { finished.add(1, ordering: .releasing) }
                let repository: Repository = switch writers {
                case .sharedRepository: gcRepository
                case .ownRepositories: try Repository.open(at: path)
                case .looseWriters: try Repository.open(at: path, configuration: .init(writeMode: .loose))
                }
                if thread == writerCount {
                    // Creates refs and deletes them again: gc's pack-refs must not bring one back.
                    var n = 0
                    while keepGoing(n, minimum: 30) {
                        defer { n += 1 }
                        let name = "scratch-\(n)"
                        let branch = try repository.createBranch(name, at: try repository.branch("main").head())
                        try branch.set(key("scratch"), data("scratch \(n)"))
                        try repository.deleteBranch(name)
                        deleted.withLock { $0.append(name) }
                    }
                    return
                }
                let branch = try repository.branch("writer-\(thread)")
                var n = 0
                while keepGoing(n, minimum: minimumCommits) {
                    defer { n += 1 }
                    let id = try branch.transaction(message: "commit \(n)") { tx in
                        tx.set(key("values/\(n % 7)"), data("writer \(thread) commit \(n) " + String(repeating: "x", count: n % 50 * 10)))
                        tx.set(key("shared"), data("value \(n % 3)"))
                    }
                    acknowledged.withLock { $0[thread, default: []].append(id!) }
                }
                try repository.flush()
            }
            #expect(failures.isEmpty, "\(failures)")
            _ = try gcRepository.gc(pruneOlderThan: .zero)
            #expect(try Git(path)("fsck", "--strict", "--no-dangling") == "")
            let reopened = try Repository.open(at: path)
            for (thread, ids) in acknowledged.withLock({ $0 }) {
                #expect(ids.count >= minimumCommits)
                #expect(try reopened.branch("writer-\(thread)").head() == ids.last)
                for id in ids { #expect(try reopened.objects.contains(id), "commit \(id) of writer \(thread)") }
            }
            let scratchLeft = try reopened.branches().filter { $0.hasPrefix("scratch-") }
            #expect(scratchLeft.isEmpty, "deleted refs came back: \(scratchLeft)")
            #expect(deleted.withLock { $0.count } >= 30)
            #expect(try reopened.fsck() == [])
        }
    }

    @Test("objects in another writer's open append pack survive gc --prune=now")
    func openAppendPacksSurvive() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/store"
            let gcRepository = try Repository.create(at: path)
            try gcRepository.branch("main").set(key("k"), data("v"))
            let writer = try Repository.open(at: path)
            let head = try writer.branch("other").set(key("unsealed"), data("in an open pack"))
            _ = try gcRepository.gc(pruneOlderThan: .zero)
            #expect(text(try Repository.open(at: path).snapshot(commit: head).get(key("unsealed"))) == "in an open pack")
            try writer.flush()
            #expect(try Git(path)("fsck", "--strict", "--no-dangling") == "")
        }
    }
}
