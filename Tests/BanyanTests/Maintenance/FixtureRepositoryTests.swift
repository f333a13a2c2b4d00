import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// Repositories packed by real `git` (gc, --aggressive, deep chains, large
/// blobs, SHA-256) open and read correctly, and survive Banyan's gc.
@Suite("git-made fixture repositories")
struct FixtureRepositoryTests {
    @Test("the fixtures are all there")
    func fixturesExist() {
        #expect(PackFixtures.names == ["sha1-aggressive.git", "sha1-deep.git", "sha1-gc.git", "sha1-large.git", "sha256-gc.git"])
    }

    @Test("every branch and every value reads as git reads it", arguments: PackFixtures.names)
    func readsEveryBranchAndValue(fixture: String) throws {
        try withTemporaryDirectory { directory in
            let path = try PackFixtures.copy(fixture, into: directory)
            let repository = try Repository.open(at: path)
            let git = Git(path)
            let branches = try repository.branches()
            let gitBranches = try git("for-each-ref", "--format=%(refname:short)", "refs/heads/").split(separator: "\n").map(String.init)
            #expect(branches == gitBranches)
            var values = 0
            for name in branches {
                let snapshot = try repository.branch(name).snapshot()
                let listed = try git("ls-tree", "-r", "--format=%(objectname) %(path)", "refs/heads/\(name)")
                    .split(separator: "\n").map { line in (id: String(line.prefix { $0 != " " }), path: String(line.drop { $0 != " " }.dropFirst())) }
                let walked = try snapshot.walk()
                #expect(walked.map(\.key.description) == listed.map(\.path), "\(fixture) \(name)")
                #expect(walked.map(\.id.hex) == listed.map(\.id), "\(fixture) \(name)")
                for (key, id) in walked {
                    let expected = try GitRunner.run(["cat-file", "blob", id.hex], in: path).stdout
                    #expect(try snapshot.get(key) == expected, "\(fixture) \(name) \(key)")
                    values += 1
                }
                let revList = try git("rev-list", "--date-order", "refs/heads/\(name)").split(separator: "\n").map(String.init)
                #expect(try repository.log(from: snapshot.commit!).map(\.id.hex) == revList)
            }
            #expect(values > 0)
        }
    }

    @Test("fsck finds nothing wrong", arguments: PackFixtures.names)
    func fsckIsClean(fixture: String) throws {
        try withTemporaryDirectory { directory in
            let repository = try Repository.open(at: try PackFixtures.copy(fixture, into: directory))
            #expect(try repository.fsck() == [])
        }
    }

    @Test("gc keeps every object, passes git fsck, and packs about as small as git", arguments: PackFixtures.names)
    func gcKeepsEverything(fixture: String) throws {
        try withTemporaryDirectory { directory in
            let ours = try PackFixtures.copy(fixture, into: directory)
            let theirs = try PackFixtures.copy(fixture, into: directory + "/git")
            let objectsBefore = try Git(ours)("cat-file", "--batch-all-objects", "--batch-check")
            let refsBefore = try Git(ours)("for-each-ref")
            let report = try Repository.open(at: ours).gc()
            #expect(try Git(ours)("fsck", "--strict", "--no-dangling") == "")
            #expect(try Git(ours)("cat-file", "--batch-all-objects", "--batch-check") == objectsBefore)
            #expect(try Git(ours)("for-each-ref") == refsBefore)
            #expect(report.prunedObjects == 0)
            #expect(try Git(ours)("count-objects").hasPrefix("0 objects"))
            let packs = try FileManager.default.contentsOfDirectory(atPath: ours + "/objects/pack")
            #expect(packs.filter { $0.hasSuffix(".pack") }.count == 1)
            try Git(ours)("verify-pack", report.pack! + ".idx")
            // git with the same settings, deltas recomputed: ours may not be much bigger.
            try Git(theirs)("repack", "-a", "-d", "-f", "--window=10", "--depth=50", "-q")
            let gitBytes = try Git(theirs)("count-objects", "-v").split(separator: "\n")
                .first { $0.hasPrefix("size-pack: ") }.map { Int($0.dropFirst("size-pack: ".count))! * 1024 }!
            #expect(Double(report.packBytes) <= Double(gitBytes) * 1.25, "\(fixture): ours \(report.packBytes) bytes, git's \(gitBytes)")
        }
    }
}
