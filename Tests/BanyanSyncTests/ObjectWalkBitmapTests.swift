import Banyan
import BanyanSync
import BanyanTestSupport
import Foundation
import Testing

/// Upload-pack's selection from gc's reachability bitmaps: for a clone, the
/// objects `git rev-list --objects` lists; for a fetch, exactly what the
/// wants reach and the haves do not (as git's bitmap walk answers, where
/// its plain walk resends objects the receiver had in older history), with
/// commits written since gc (outside the bitmapped pack), tags asked for
/// and included, and a damaged bitmap ignored.
@Suite("Sync: the object walk from reachability bitmaps", .serialized)
struct ObjectWalkBitmapTests {
    /// ObjectWalkTests' history, gc'd by Banyan (which writes the bitmap),
    /// then more commits on `main` and a new branch, an annotated tag.
    private static func makeStore(_ path: String) async throws -> Repository {
        try await ObjectWalkTests.makeRepository(path, commits: 40)
        let repository = try Repository.open(at: path)
        #expect(try repository.gc().bitmappedCommits > 0)
        let main = try repository.branch("main")
        for number in 0..<4 { try main.set(try Key("later/k\(number)"), Data("after gc \(number)".utf8)) }
        let later = try repository.createBranch("later", at: try repository.resolve("main~6"))
        try later.set(try Key("dir/f1"), Data("value 1\n".utf8))
        try later.set(try Key("branch/only"), Data("only here".utf8))
        try repository.flush()
        try await git(["tag", "-a", "t1", "-m", "tag", "main~9"], in: path)
        return repository
    }

    private static func ids(_ selection: ObjectWalk.Selection) -> Set<ObjectID> {
        Set(selection.objects.map(\.id))
    }

    /// What `wants` reach and `haves` do not, by two `git rev-list --objects`.
    private static func difference(_ wants: [String], _ haves: [String], in path: String) async throws -> Set<ObjectID> {
        let reached = try await ObjectWalkTests.revList(wants, in: path)
        return haves.isEmpty ? reached : reached.subtracting(try await ObjectWalkTests.revList(haves, in: path))
    }

    @Test func bitmapSelectionsEqualRevList() async throws {
        let dir = TemporaryDirectory()
        let path = dir.appending("repo.git")
        let repository = try await Self.makeStore(path)
        #expect(try repository.reachabilityBitmap() != nil)
        let walk = ObjectWalk(repository: repository)
        let id = { (revision: String) in try await ObjectWalkTests.id(revision, in: path) }
        let (main, side, later, tag) = (try await id("main"), try await id("side"), try await id("later"), try await id("t1"))

        let clone = try walk.select(wants: [main, side, later], haves: [], thin: true)
        #expect(Self.ids(clone) == (try await ObjectWalkTests.revList(["main", "side", "later"], in: path)))
        #expect(clone.objects.count == Self.ids(clone).count, "each object once")
        let commits = try await git(["rev-list", "--count", "main", "side", "later"], in: path).text
        #expect(clone.commitCount == Int(commits.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(clone.bases.isEmpty && clone.shallow.isEmpty)
        for object in clone.objects {
            #expect(try repository.objectInfo(object.id)?.kind == object.kind, "\(object.id)")
        }

        let old = try await id("main~20")
        let fetch = try walk.select(wants: [main, later], haves: [old, side])
        #expect(Self.ids(fetch) == (try await Self.difference(["main", "later"], [old.hex, "side"], in: path)))

        let tagged = try walk.select(wants: [tag], haves: [])
        #expect(Self.ids(tagged) == (try await ObjectWalkTests.revList(["t1"], in: path)))
        #expect(tagged.objects.first?.id == tag)

        let included = try walk.select(wants: [main], haves: [old], includeTags: [tag])
        #expect(Self.ids(included) == (try await Self.difference(["main"], [old.hex], in: path)).union([tag]))
        let notIncluded = try walk.select(wants: [later], haves: [try await id("main~8")], includeTags: [tag])
        #expect(!Self.ids(notIncluded).contains(tag), "its commit is not sent")
    }

    @Test func aDamagedBitmapIsIgnoredAndTheWalkAnswers() async throws {
        let dir = TemporaryDirectory()
        let path = dir.appending("repo.git")
        let repository = try await Self.makeStore(path)
        let wants = [try await ObjectWalkTests.id("main", in: path), try await ObjectWalkTests.id("later", in: path)]
        let haves = [try await ObjectWalkTests.id("main~15", in: path)]
        let fromBitmaps = try ObjectWalk(repository: repository).select(wants: wants, haves: haves)
        let exact = try await Self.difference(wants.map(\.hex), haves.map(\.hex), in: path)
        #expect(Self.ids(fromBitmaps) == exact)

        let bitmap = try #require(try FileManager.default.contentsOfDirectory(atPath: path + "/objects/pack")
            .first { $0.hasSuffix(".bitmap") })
        let file = path + "/objects/pack/" + bitmap
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        bytes[bytes.count / 2] ^= 0x10
        try FileManager.default.removeItem(atPath: file)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let reopened = try Repository.open(at: path)
        #expect(try reopened.reachabilityBitmap() == nil, "the damaged bitmap fails its checksum")
        let walked = try ObjectWalk(repository: reopened).select(wants: wants, haves: haves)
        // The walk answers as `git rev-list --objects wants ^haves` does: it may resend older objects.
        let revList = try await ObjectWalkTests.revList(wants.map(\.hex) + haves.map { "^" + $0.hex }, in: path)
        #expect(Self.ids(walked) == revList)
        #expect(exact.isSubset(of: revList) && walked.commitCount == fromBitmaps.commitCount)
    }
}
