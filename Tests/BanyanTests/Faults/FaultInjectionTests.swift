import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// Every write path of the filesystem backend under every fault a disk can
/// report: the call throws an `io` error naming what failed and where,
/// nothing acknowledged before is lost, the store stays readable, and once
/// the fault is gone the same write succeeds and both fscks pass.
@Suite("Fault injection")
struct FaultInjectionTests {
    /// A write path, with the files its faults aim at.
    enum WritePath: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case looseObject, packAppend, packSeal, refSeal, looseRef, reflog, packedRefsRewrite, gcRepack, gcPackRefs
        var testDescription: String { rawValue }

        /// The part of the paths the faults hit after the store's path
        /// (which keeps parallel tests' faults apart).
        var target: String {
            switch self {
            case .looseObject: "/objects/"
            case .packAppend: "/objects/pack/tmp_banyan_"
            case .packSeal, .refSeal, .gcRepack: "/objects/pack/"
            case .looseRef: "/refs/heads/main.lock"
            case .reflog: "/logs/refs/heads/main"
            case .packedRefsRewrite, .gcPackRefs: "/packed-refs"
            }
        }

        var writeMode: FileSystemBackend.WriteMode { self == .looseObject ? .loose : .pack }

        /// Durable writes seal their pack as they write it, so the seals under
        /// test run on stores whose writes wait for a flush or a ref update.
        var durability: FileSystemBackend.Durability { [.packSeal, .refSeal].contains(self) ? .none : .commit }

        /// The faults that can happen on this path: reflogs are appended,
        /// never flushed or renamed; a ref update's seal fails where it links
        /// the pack into place (the append before it writes in the same directory).
        var failures: [Failure] {
            switch self {
            case .reflog: [.noSpace, .ioError, .tornWrite]
            case .refSeal: [.renameFails]
            // Not durable, so not flushed: a durable write seals as it writes,
            // and `packAppend` takes its fsync faults.
            case .packSeal: Failure.allCases.filter { $0 != .fsyncError }
            default: Failure.allCases
            }
        }

        /// Readies the store so the write under test takes the path.
        func prepare(_ repository: Repository) throws {
            switch self {
            // A fresh append pack to open; nothing for gc's own seal to do.
            case .packAppend, .gcRepack: try repository.flush()
            case .packSeal: _ = try repository.objects.put(.blob(Array("waits for the seal".utf8)))
            default: break
            }
        }

        /// The write under test.
        func perform(_ repository: Repository, attempt: Int) throws {
            switch self {
            case .looseObject, .packAppend, .refSeal, .looseRef, .reflog:
                try repository.branch("main").set(key("attempt"), data("attempt \(attempt)"))
            case .packSeal:
                try repository.flush()
            case .packedRefsRewrite:
                try repository.deleteBranch("packed")
            case .gcRepack, .gcPackRefs:
                _ = try repository.gc(pruneOlderThan: .zero)
            }
        }
    }

    /// A fault, as the system calls on the path report it.
    enum Failure: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case noSpace, ioError, fsyncError, tornWrite, renameFails
        var testDescription: String { rawValue }

        func faults(at target: String) -> [Fault] {
            switch self {
            case .noSpace: [Fault(.write, path: target, .error(ENOSPC))]
            case .ioError: [Fault(.write, path: target, .error(EIO))]
            case .fsyncError: [Fault(.fsync, path: target, .error(EIO))]
            // Half the bytes land, then the disk is full.
            case .tornWrite: [Fault(.write, path: target, .shortWrite, times: 1), Fault(.write, path: target, .error(ENOSPC), skip: 1)]
            // Objects and packs are moved into place with link, refs with rename.
            case .renameFails: [Fault(.rename, path: target, .error(EIO)), Fault(.link, path: target, .error(EIO))]
            }
        }

        /// The errno text the error must carry.
        var reason: String { String(cString: strerror(self == .noSpace || self == .tornWrite ? ENOSPC : EIO)) }
    }

    static let cases = WritePath.allCases.flatMap { path in path.failures.map { (path, $0) } }

    @Test(arguments: cases)
    func writeUnderFaultFailsCleanlyAndRecovers(path: WritePath, failure: Failure) throws {
        try withTemporaryDirectory { directory in
            let store = directory + "/store"
            let repository = try Repository.create(at: store, configuration: .init(durability: path.durability, writeMode: path.writeMode, maintenance: .off))
            let acknowledged = try commitHistory(repository)
            try path.prepare(repository)
            let heads = try branchHeads(repository)

            let (error, hits) = FaultInjector.run(failure.faults(at: store + path.target)) {
                try path.perform(repository, attempt: 1)
            }
            #expect(hits.reduce(0, +) > 0, "the fault never fired")
            let thrown = try #require(error as? BanyanError, "expected a BanyanError, got \(String(describing: error))")
            #expect(thrown.code == .io)
            #expect(thrown.message.hasPrefix("could not"), "the message names the operation: \(thrown)")
            #expect(thrown.message.contains(store), "the message names the file: \(thrown)")
            #expect(thrown.cause?.contains(failure.reason) == true, "\(thrown)")

            // Still readable, nothing moved.
            #expect(try branchHeads(repository) == heads)
            #expect(text(try repository.branch("main").get(key("history/4"))) == "value 4")
            if path == .looseRef || path == .reflog {
                #expect(try repository.branch("main").reflog().count == acknowledged.count)
            }

            // The fault is gone: the same write works.
            try path.perform(repository, attempt: 2)
            try repository.flush()
            try expectClean(store, acknowledged: acknowledged)
        }
    }

    /// A write the system cuts short is finished by the next one: nothing fails.
    @Test(arguments: [WritePath.looseObject, .packAppend, .reflog])
    func shortWritesAreCompleted(path: WritePath) throws {
        try withTemporaryDirectory { directory in
            let store = directory + "/store"
            let repository = try Repository.create(at: store, configuration: .init(durability: .commit, writeMode: path.writeMode, maintenance: .off))
            let acknowledged = try commitHistory(repository)
            let (error, hits) = FaultInjector.run([Fault(.write, path: store + path.target, .shortWrite)]) {
                try path.perform(repository, attempt: 1)
            }
            #expect(error == nil)
            #expect(hits[0] > 0)
            #expect(text(try repository.branch("main").get(key("attempt"))) == "attempt 1")
            try repository.flush()
            try expectClean(store, acknowledged: acknowledged)
        }
    }

    /// A full disk in the middle of a batch leaves no torn entry behind: the
    /// objects written after it in the same append pack read back.
    @Test func appendPackStaysUsableAfterATornWrite() throws {
        try withTemporaryDirectory { directory in
            let store = directory + "/store"
            let repository = try Repository.create(at: store, configuration: .init(maintenance: .off))
            let main = try repository.branch("main")
            try main.set(key("before"), data("before the fault"))
            let faults = Failure.tornWrite.faults(at: store + WritePath.packAppend.target)
            #expect(FaultInjector.run(faults) { try main.set(key("lost"), data(String(repeating: "x", count: 4096))) }.error != nil)
            // Same process, same open pack: new entries must start where the torn one did.
            for n in 0..<20 { try main.set(key("after/\(n)"), data("after \(n)")) }
            let reopened = try Repository.open(at: store)
            for n in 0..<20 { #expect(text(try reopened.branch("main").get(key("after/\(n)"))) == "after \(n)") }
            try repository.flush()
            #expect(try Repository.open(at: store).fsck() == [])
            #expect(try Git(store)("fsck", "--strict", "--no-dangling") == "")
        }
    }

    /// gc whose new index cannot be written removes the pack it linked:
    /// without an index Git calls it garbage and gc would never list it.
    @Test func gcLeavesNoPackWithoutIndex() throws {
        try withTemporaryDirectory { directory in
            let store = directory + "/store"
            let repository = try Repository.create(at: store, configuration: .init(durability: .commit, maintenance: .off))
            let acknowledged = try commitHistory(repository)
            try repository.flush()
            let (error, hits) = FaultInjector.run([Fault(.write, path: store + "/objects/pack/tmp_idx_", .error(ENOSPC))]) {
                _ = try repository.gc(pruneOlderThan: .zero)
            }
            #expect(hits[0] > 0)
            #expect((error as? BanyanError)?.code == .io)
            try expectClean(store, acknowledged: acknowledged)
        }
    }

    /// With the disk still full, a store whose last seal failed opens and
    /// reads; the abandoned pack is sealed once writing works again.
    @Test func storeOpensWhileRecoveryCannotWrite() throws {
        try withTemporaryDirectory { directory in
            let store = directory + "/store"
            let repository = try Repository.create(at: store, configuration: .init(maintenance: .off))
            let acknowledged = try commitHistory(repository)
            _ = try repository.objects.put(.blob(Array("waits for the seal".utf8)))
            let full = [Fault(.write, path: store + "/objects/pack/", .error(ENOSPC))]
            let (error, hits) = FaultInjector.run(full) {
                #expect(throws: BanyanError.self) { try repository.flush() }
                let reopened = try Repository.open(at: store)
                #expect(text(try reopened.branch("main").get(key("history/4"))) == "value 4")
                #expect(try reopened.branch("main").head() == acknowledged.last)
            }
            #expect(error == nil)
            #expect(hits[0] >= 2, "both the seal and the recovery tried to write")
            try expectClean(store, acknowledged: acknowledged)
        }
    }

    /// Five commits on `main` and one on `packed`, gc'd so `packed` lives in
    /// `packed-refs`, then one more loose commit; returns every `main` head.
    private func commitHistory(_ repository: Repository) throws -> [ObjectID] {
        let main = try repository.branch("main")
        var heads: [ObjectID] = []
        for n in 0..<5 { heads.append(try main.set(key("history/\(n)"), data("value \(n)"))) }
        try repository.createBranch("packed", at: heads[2]).set(key("side"), data("side value"))
        _ = try repository.gc(pruneOlderThan: .zero)
        heads.append(try main.set(key("history/4"), data("value 4, again")))
        heads.append(try main.set(key("history/4"), data("value 4")))
        return heads
    }

    private func branchHeads(_ repository: Repository) throws -> [String: ObjectID] {
        var heads: [String: ObjectID] = [:]
        for name in try repository.branches() { heads[name] = try repository.branch(name).head() }
        return heads
    }

    /// Reopened (which seals packs abandoned by a failed seal), the store
    /// holds every acknowledged commit, passes both fscks, and keeps no
    /// temporary or lock file.
    private func expectClean(_ store: String, acknowledged: [ObjectID], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let reopened = try Repository.open(at: store)
        for id in acknowledged {
            #expect(try reopened.objects.contains(id), "acknowledged commit \(id) is gone", sourceLocation: sourceLocation)
        }
        #expect(try reopened.isAncestor(acknowledged.last!, of: reopened.branch("main").head()!), sourceLocation: sourceLocation)
        #expect(try reopened.fsck() == [], sourceLocation: sourceLocation)
        #expect(try Git(store)("fsck", "--strict", "--no-dangling") == "", sourceLocation: sourceLocation)
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: store).filter { file in
            let name = (file as NSString).lastPathComponent
            return name.hasPrefix("tmp_") || name.hasSuffix(".lock") || name.hasSuffix(".new")
        }
        #expect(leftovers == [], "left behind: \(leftovers)", sourceLocation: sourceLocation)
        let packDirectory = store + "/objects/pack/"
        let unindexed = try FileManager.default.contentsOfDirectory(atPath: packDirectory).filter { name in
            name.hasSuffix(".pack") && !FileManager.default.fileExists(atPath: packDirectory + name.dropLast(5) + ".idx")
        }
        #expect(unindexed == [], "packs without an index: \(unindexed)", sourceLocation: sourceLocation)
    }
}
