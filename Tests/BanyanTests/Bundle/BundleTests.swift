import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// Git bundles both ways: Banyan's read by `git bundle`/`git clone`/`git
/// fetch`, git's unbundled and cloned by Banyan; full and with prerequisites.
@Suite("bundles")
struct BundleTests {
    /// A store with 12 commits of edits, a second branch and an annotated tag.
    private func makeStore(at path: String, algorithm: HashAlgorithm) throws -> Repository {
        let repository = try makeEditedHistory(at: path, algorithm: algorithm)
        try repository.createBranch("feature", at: try repository.resolve("main~3")).set(key("feature"), data("f"))
        try repository.flush()
        try Git(path)("tag", "-a", "v1", "-m", "release", "main~1")
        return repository
    }

    /// A git repository of the same object format, empty.
    private func gitInit(_ path: String, _ algorithm: HashAlgorithm) throws {
        try Git(nil)("init", "--quiet", "--bare", "--object-format=\(algorithm.rawValue)", path)
    }

    @Test("git verifies and clones a full Banyan bundle", arguments: HashAlgorithm.allCases)
    func gitClonesOurBundle(algorithm: HashAlgorithm) throws {
        try withTemporaryDirectory { directory in
            let store = directory + "/store"
            let repository = try makeStore(at: store, algorithm: algorithm)
            let header = try repository.createBundle(at: directory + "/all.bundle")
            #expect(header.version == (algorithm == .sha1 ? 2 : 3))
            #expect(header.prerequisites.isEmpty)
            #expect(header.refs.map(\.name) == ["refs/heads/feature", "refs/heads/main", "refs/tags/v1", "HEAD"])
            try gitInit(directory + "/empty.git", algorithm)
            let verify = try Git(directory + "/empty.git").run(["git", "bundle", "verify", directory + "/all.bundle"])
            #expect(verify.status == 0, "\(verify.stderr)")
            #expect(verify.stdout.contains("The bundle records a complete history."))
            try Git(nil)("clone", "--quiet", "--bare", directory + "/all.bundle", directory + "/clone.git")
            let clone = Git(directory + "/clone.git")
            #expect(try clone("fsck", "--strict", "--no-dangling") == "")
            #expect(try clone("for-each-ref") == Git(store)("for-each-ref"))
            #expect(try clone("rev-parse", "HEAD") == Git(store)("rev-parse", "HEAD"))
        }
    }

    @Test("git fetches a Banyan bundle of main~5..main into a clone that has main~5", arguments: HashAlgorithm.allCases)
    func gitFetchesOurIncrementalBundle(algorithm: HashAlgorithm) throws {
        try withTemporaryDirectory { directory in
            let store = directory + "/store"
            let repository = try makeStore(at: store, algorithm: algorithm)
            try repository.createBranch("old", at: try repository.resolve("main~5"))
            try repository.createBundle(at: directory + "/old.bundle", refs: ["old"])
            let header = try repository.createBundle(at: directory + "/recent.bundle", refs: ["main~5..main"])
            #expect(header.prerequisites.map(\.id) == [try repository.resolve("main~5")])
            #expect(header.prerequisites.first?.comment == "round 6")
            #expect(header.refs.map(\.name) == ["refs/heads/main"])

            try Git(nil)("clone", "--quiet", "--bare", directory + "/old.bundle", directory + "/clone.git")
            let clone = Git(directory + "/clone.git")
            let verify = try clone.run(["git", "bundle", "verify", directory + "/recent.bundle"])
            #expect(verify.status == 0, "\(verify.stderr)")
            try clone("fetch", "--quiet", directory + "/recent.bundle", "main:refs/heads/main")
            #expect(try clone("rev-parse", "main") == Git(store)("rev-parse", "main"))
            #expect(try clone("fsck", "--strict", "--no-dangling") == "")

            // git's own bundle of the same range is no smaller than ours by much (ours is thin too).
            try Git(store)("bundle", "create", "-q", directory + "/git.bundle", "main~5..main")
            let ours = try FileManager.default.attributesOfItem(atPath: directory + "/recent.bundle")[.size] as! Int
            let theirs = try FileManager.default.attributesOfItem(atPath: directory + "/git.bundle")[.size] as! Int
            #expect(Double(ours) <= Double(theirs) * 1.25, "ours \(ours) bytes, git's \(theirs)")
        }
    }

    @Test("Banyan clones a full git bundle and unbundles git's main~5..main", arguments: HashAlgorithm.allCases)
    func banyanReadsGitBundles(algorithm: HashAlgorithm) throws {
        try withTemporaryDirectory { directory in
            let store = directory + "/store"
            let source = try makeStore(at: store, algorithm: algorithm)
            let git = Git(store)
            try git("branch", "old", "main~5")
            try git("bundle", "create", "-q", directory + "/all.bundle", "--all")
            try git("bundle", "create", "-q", directory + "/old.bundle", "old")
            try git("bundle", "create", "-q", directory + "/recent.bundle", "main~5..main")

            let clone = try Repository.clone(fromBundle: directory + "/all.bundle", to: directory + "/clone")
            #expect(try Git(directory + "/clone")("for-each-ref") == git("for-each-ref"))
            #expect(try clone.currentBranch().name == "main")
            #expect(try clone.fsck() == [])
            #expect(try Git(directory + "/clone")("fsck", "--strict", "--no-dangling") == "")
            #expect(try clone.branch("main").walk().map(\.id) == source.branch("main").walk().map(\.id))

            let partial = try Repository.clone(fromBundle: directory + "/old.bundle", to: directory + "/partial")
            let result = try partial.unbundle(from: directory + "/recent.bundle")
            #expect(result.header.prerequisites.count == 1)
            #expect(result.updated.map(\.name) == ["refs/remotes/bundle/main"])
            #expect(try partial.refs.resolve("refs/remotes/bundle/main") == source.branch("main").head())
            #expect(try partial.refs.resolve("refs/heads/main") == nil, "the store's own branches do not move")
            #expect(try partial.fsck() == [])
            #expect(try Git(directory + "/partial")("fsck", "--strict", "--no-dangling") == "")

            try partial.createBranch("main", at: try partial.resolve("old"))
            let same = try partial.unbundle(from: directory + "/recent.bundle", updating: .sameNames)
            #expect(same.updated.map(\.name) == ["refs/heads/main"], "a fast-forward")
            #expect(text(try partial.branch("main").get(key("counter"))) == "11")
        }
    }

    @Test("a bundle whose prerequisites are missing is refused, and nothing is stored")
    func missingPrerequisitesAreRefused() throws {
        try withTemporaryDirectory { directory in
            let repository = try makeStore(at: directory + "/store", algorithm: .sha1)
            try repository.createBundle(at: directory + "/recent.bundle", refs: ["main~5..main"])
            let empty = try Repository.create(at: directory + "/empty")
            let (_, missing) = try empty.verifyBundle(at: directory + "/recent.bundle")
            #expect(missing == [try repository.resolve("main~5")])
            #expect { try empty.unbundle(from: directory + "/recent.bundle") } throws: { ($0 as? BanyanError)?.code == .objectNotFound }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/empty/objects/pack").isEmpty)
            #expect { try Repository.clone(fromBundle: directory + "/recent.bundle", to: directory + "/clone") } throws: {
                ($0 as? BanyanError)?.code == .invalidArgument
            }
            #expect(!FileManager.default.fileExists(atPath: directory + "/clone"))
        }
    }

    @Test("a damaged or truncated bundle is rejected and leaves the store as it was")
    func damagedBundlesAreRejected() throws {
        try withTemporaryDirectory { directory in
            let repository = try makeStore(at: directory + "/store", algorithm: .sha1)
            try repository.createBundle(at: directory + "/all.bundle")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: directory + "/all.bundle"))
            let target = try Repository.create(at: directory + "/target")
            var flipped = bytes
            flipped[bytes.count - 200] ^= 0x40
            let cases: [(String, Data)] = [
                ("flipped", flipped), ("truncated", bytes.prefix(bytes.count - 100)),
                ("header only", bytes.prefix(bytes.firstRange(of: Data("\n\n".utf8))!.upperBound)),
                ("not a bundle", Data("# v9 git bundle\n\n".utf8)),
                ("unknown capability", Data("# v3 git bundle\n@filter=blob:none\n\n".utf8) + bytes),
            ]
            for (name, content) in cases {
                try content.write(to: URL(fileURLWithPath: directory + "/bad.bundle"))
                #expect(throws: BanyanError.self, "\(name)") { try target.unbundle(from: directory + "/bad.bundle") }
                #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/target/objects/pack").isEmpty, "\(name)")
                #expect(try target.refs.list(prefix: "refs/").isEmpty, "\(name)")
            }
        }
    }

    @Test("a remote name that makes bad ref names is refused before anything is stored")
    func badRemoteNameIsRefusedFirst() throws {
        try withTemporaryDirectory { directory in
            let repository = try makeStore(at: directory + "/store", algorithm: .sha1)
            try repository.createBundle(at: directory + "/all.bundle")
            let target = try Repository.create(at: directory + "/target")
            #expect { try target.unbundle(from: directory + "/all.bundle", updating: .remoteTracking("a..b")) } throws: {
                ($0 as? BanyanError)?.code == .invalidRefName
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/target/objects/pack").isEmpty)
        }
    }

    @Test("a bundle of nothing new is refused, as git refuses it")
    func emptyBundleIsRefused() throws {
        try withTemporaryDirectory { directory in
            let repository = try makeStore(at: directory + "/store", algorithm: .sha1)
            #expect { try repository.createBundle(at: directory + "/x.bundle", refs: ["main..main"]) } throws: {
                ($0 as? BanyanError)?.code == .invalidArgument
            }
            #expect { try repository.createBundle(at: directory + "/x.bundle", refs: ["main~2"]) } throws: {
                ($0 as? BanyanError)?.code == .invalidArgument
            }
            #expect(!FileManager.default.fileExists(atPath: directory + "/x.bundle"))
        }
    }

    @Test("bundles work on an in-memory repository too")
    func inMemoryRoundTrip() throws {
        try withTemporaryDirectory { directory in
            let source = try Repository.inMemory()
            try source.branch("main").set(key("a/b"), data("value"))
            try source.createBundle(at: directory + "/m.bundle", refs: ["main"])
            let target = try Repository.inMemory()
            let result = try target.unbundle(from: directory + "/m.bundle", updating: .sameNames)
            #expect(result.pack == nil && result.objectCount == 4)
            #expect(text(try target.branch("main").get(key("a/b"))) == "value")
        }
    }
}
