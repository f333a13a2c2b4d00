import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// Power cuts on every write path of a durable store (`banyan.durability
/// commit`), simulated as SQLite's crash tests do (`PowerLossSimulator`):
/// before each file-changing call of the workload, images of the store as a
/// disk could hold it after losing power there (only what was synced, or
/// everything, or a reordering of what was not synced). On every image,
/// before any Banyan process opens it, `git fsck --strict` is clean and
/// every commit acknowledged before the cut is on its branch; Banyan then
/// opens it and its own fsck is clean.
@Suite("Power loss", .serialized)
struct PowerLossTests {
    /// A write path and a workload that takes it.
    enum WritePath: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case packedCommits, looseCommits, batchAndTransaction, branchesAndPackedRefs, mergeAndReset, maintenance, config, unbundle
        var testDescription: String { rawValue }

        var writeMode: FileSystemBackend.WriteMode { self == .looseCommits ? .loose : .pack }

        /// Work done before the simulation starts watching (`scratch` is a
        /// directory outside the store).
        func prepare(_ repository: Repository, scratch: String) throws {
            let main = try repository.branch("main")
            switch self {
            case .unbundle:
                // A history made by git, received as a fetch or push receives a pack.
                let source = scratch + "/source"
                try GitRunner.run(["init", "-q", "-b", "main", source])
                for index in 0..<3 {
                    try Data("\(index)".utf8).write(to: URL(fileURLWithPath: "\(source)/f\(index)"))
                    try GitRunner.run(["add", "."], in: source)
                    try GitRunner.run(["commit", "-qm", "c\(index)"], in: source)
                }
                try GitRunner.run(["bundle", "create", "-q", scratch + "/history.bundle", "--all"], in: source)
                try main.set(Key("first"), Data("1".utf8))
            case .maintenance:
                for index in 0..<6 { try main.set(Key("k\(index)"), Data("v\(index)".utf8)) }
                _ = try repository.createBranch("old")
                try repository.deleteBranch("old")
            case .mergeAndReset:
                try main.set(Key("base"), Data("0".utf8))
                let topic = try repository.createBranch("topic")
                try topic.set(Key("theirs"), Data("t".utf8))
            default:
                try main.set(Key("first"), Data("1".utf8))
            }
        }

        /// The workload; `acknowledge` is called as each write returns, with
        /// a branch (or a full ref name) and its new value (nil: deleted).
        func run(_ repository: Repository, scratch: String, acknowledge: (String, ObjectID?) -> Void) throws {
            let main = try repository.branch("main")
            switch self {
            case .unbundle:
                try repository.unbundle(from: scratch + "/history.bundle", updating: .remoteTracking("bundle"))
                acknowledge("refs/remotes/bundle/main", try repository.resolve("refs/remotes/bundle/main"))
                try main.set(Key("after"), Data("1".utf8))
            case .packedCommits, .looseCommits:
                for index in 0..<3 {
                    acknowledge("main", try main.set(Key("notes/n\(index)"), Data("note \(index)".utf8)))
                }
                acknowledge("main", try #require(try main.remove(Key("notes/n0"))))
            case .batchAndTransaction:
                let head = try main.transaction(message: "two keys") {
                    try $0.set(Key("a/x"), Data("x".utf8))
                    try $0.set(Key("b/y"), Data("y".utf8))
                }
                acknowledge("main", try #require(head))
                let last = try main.batch { batch in
                    for index in 0..<3 {
                        try batch.commit(message: "batch \(index)") { try $0.set(Key("batch/\(index)"), Data("\(index)".utf8)) }
                    }
                }
                acknowledge("main", try #require(last))
            case .branchesAndPackedRefs:
                let side = try repository.createBranch("side")
                acknowledge("side", try side.set(Key("side"), Data("s".utf8)))
                _ = try repository.runMaintenance([.packRefs])
                acknowledge("main", try main.set(Key("after"), Data("packed".utf8)))
                try repository.deleteBranch("side")
                acknowledge("side", nil)
            case .mergeAndReset:
                try main.set(Key("ours"), Data("o".utf8))
                guard case .merged(let merged) = try repository.merge(from: "topic", into: main) else {
                    Issue.record("the merge did not make a merge commit")
                    return
                }
                acknowledge("main", merged)
                let parent = try repository.commit(merged).parents[0]
                try main.reset(to: parent)
                acknowledge("main", parent)
            case .maintenance:
                _ = try repository.runMaintenance([.gc])
                acknowledge("main", try main.set(Key("after-gc"), Data("1".utf8)))
                _ = try repository.repackGeometric()
                _ = try repository.runMaintenance([.midx, .reflogExpire, .prune])
            case .config:
                try repository.updateConfig { try $0.set("true", forKey: "banyan.tested") }
                acknowledge("main", try main.set(Key("after-config"), Data("1".utf8)))
            }
        }
    }

    // A minute of file copies and git processes: off the cooperative pool
    // (see `offPool`), so the async tests running beside it keep their threads.
    @Test("a durable store survives a power cut anywhere", arguments: WritePath.allCases)
    func survives(_ path: WritePath) async throws {
        let failures = try await offPool { try Self.survives(path) }
        #expect(failures.isEmpty, "\(path): \(failures.joined(separator: "\n"))")
    }

    /// What went wrong on `path`'s images (the first five), on a thread of its own.
    static func survives(_ path: WritePath) throws -> [String] {
        let directory = TemporaryDirectory()
        let store = directory.path + "/store.git"
        let repository = try Repository.create(at: store, configuration: .init(durability: .commit, writeMode: path.writeMode, maintenance: .off))
        try path.prepare(repository, scratch: directory.path)
        let simulator = try PowerLossSimulator(root: store, imagesDirectory: directory.path + "/images") { event in
            if case .write = event { return false }
            return true
        }
        var acknowledged: [PowerLossSimulator.Acknowledged] = []
        let images = try simulator.record {
            try path.run(repository, scratch: directory.path) { branch, commit in
                acknowledged.append(.init(completed: simulator.completed, branch: branch, head: commit))
            }
        }
        var failures = images.count > 20 ? [] : ["too few cuts: \(images.count)"]
        for image in images where failures.count < 5 {
            failures += try simulator.problems(in: image, acknowledged: acknowledged)
        }
        return failures
    }

    /// Without durability nothing is flushed: every image that keeps what
    /// was written (a killed process) is clean, but a power cut can keep a
    /// moved ref and lose the pack it names, which the checks must catch.
    @Test("without durability a store survives kills, not power cuts")
    func nonDurableStoreSurvivesKillsOnly() async throws {
        let (kept, broken, cut) = try await offPool { try Self.nonDurableStoreSurvivesKillsOnly() }
        #expect(kept.isEmpty, "\(kept)")
        #expect(broken > 0, "no power cut of \(cut) broke a store that never syncs")
    }

    /// The problems of the images that keep everything, and how many of the
    /// others (of how many) are broken.
    static func nonDurableStoreSurvivesKillsOnly() throws -> (kept: [String], broken: Int, cut: Int) {
        let directory = TemporaryDirectory()
        let store = directory.path + "/store.git"
        let repository = try Repository.create(at: store, configuration: .init(durability: .none, maintenance: .off))
        try WritePath.packedCommits.prepare(repository, scratch: directory.path)
        let simulator = try PowerLossSimulator(root: store, imagesDirectory: directory.path + "/images", mixedVariants: 4)
        var acknowledged: [PowerLossSimulator.Acknowledged] = []
        let images = try simulator.record {
            try WritePath.packedCommits.run(repository, scratch: directory.path) { branch, commit in
                acknowledged.append(.init(completed: simulator.completed, branch: branch, head: commit))
            }
        }
        var kept: [String] = []
        for image in images where image.variant == "kept" {
            kept += try simulator.problems(in: image, acknowledged: acknowledged)
        }
        let lost = images.filter { $0.variant != "kept" }
        let broken = try lost.filter { image in
            try !GitRunner.run(["--git-dir", image.path, "fsck", "--strict", "--no-dangling"], check: false).stderr.isEmpty
        }
        return (kept, broken.count, lost.count)
    }
}
