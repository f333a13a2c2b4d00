import Banyan
import BanyanSync
import BanyanTestSupport
import Testing

/// `PackIngest.checkConnected(tips:received:)` decides from the references
/// ingesting recorded, and agrees with the walk over the objects: a pack
/// whose tips reach everything passes, one whose tips reach a missing or
/// mistyped object fails naming it, and a missing object only an
/// unreachable one refers to is no reason to refuse the pack.
@Suite("Sync: connectivity of received packs")
struct ReceivedConnectivityTests {
    let author = Signature(name: "A", email: "a@example.com", time: 1_700_000_000, timeZoneMinutes: 0)

    func commit(tree: ObjectID, parents: [ObjectID] = [], message: String = "m\n") -> RawObject {
        Commit(tree: tree, parents: parents, author: author, committer: author, message: message).rawObject
    }

    func tree(_ entries: [(String, FileMode, ObjectID)]) -> RawObject {
        Tree(entries: entries.map { TreeEntry(name: $0.0, mode: $0.1, id: $0.2) }).rawObject
    }

    /// Ingests `objects` as one pack (with deltas) into a filesystem and an in-memory store; checks `tips` in each.
    func check(_ objects: [RawObject], tips: [ObjectID], stored: [RawObject] = []) throws -> [Result<Void, BanyanError>] {
        let directory = TemporaryDirectory("banyan-connectivity")
        var results: [Result<Void, BanyanError>] = []
        for repository in [try Repository.create(at: directory.appending("repo")), try Repository.inMemory()] {
            _ = try repository.objects.putBatch(stored)
            let pack = try PackWriter.write(objects, algorithm: .sha1).pack
            let received = try PackIngest.ingest(pack, into: repository)
            do {
                try PackIngest.checkConnected(tips: tips, received: received, in: repository)
                results.append(.success(()))
            } catch let error as BanyanError {
                results.append(.failure(error))
            }
        }
        return results
    }

    /// Trees that differ in one entry, so the pack holds tree deltas.
    func trees(_ count: Int) -> (blobs: [RawObject], trees: [RawObject]) {
        let blobs = (0..<(count + 40)).map { RawObject(kind: .blob, body: Array("value \($0)\n".utf8)) }
        let trees = (0..<count).map { version in
            tree((0..<40).map { ("key\($0)", FileMode.regular, blobs[$0 == 7 ? 40 + version : $0].id(.sha1)) })
        }
        return (blobs, trees)
    }

    @Test func aCompletePackPasses() throws {
        let (blobs, trees) = trees(6)
        var commits: [RawObject] = []
        for tree in trees { commits.append(commit(tree: tree.id(.sha1), parents: commits.suffix(1).map { $0.id(.sha1) })) }
        for result in try check(blobs + trees + commits, tips: [commits.last!.id(.sha1)]) {
            #expect(throws: Never.self) { try result.get() }
        }
    }

    @Test func aMissingBlobTheTipsReachIsNamed() throws {
        let (blobs, trees) = trees(6)
        let missing = blobs[40 + 5]
        let tip = commit(tree: trees[5].id(.sha1))
        for result in try check(blobs.filter { $0 != missing } + trees + [tip], tips: [tip.id(.sha1)]) {
            let error = #expect(throws: BanyanError.self) { try result.get() }
            #expect(error?.code == .objectNotFound)
            #expect(error?.message.contains(missing.id(.sha1).hex) == true, "\(error?.message ?? "")")
        }
    }

    @Test func aMissingBlobOnlyAnUnreachableTreeNamesIsNoReasonToRefuse() throws {
        let (blobs, trees) = trees(6)
        let tip = commit(tree: trees[0].id(.sha1))
        for result in try check(blobs.filter { $0 != blobs[40 + 3] } + trees + [tip], tips: [tip.id(.sha1)]) {
            #expect(throws: Never.self) { try result.get() }
        }
    }

    @Test func objectsStoredBeforeSatisfyReferences() throws {
        let (blobs, trees) = trees(3)
        let tip = commit(tree: trees[2].id(.sha1))
        for result in try check(trees + [tip], tips: [tip.id(.sha1)], stored: blobs) {
            #expect(throws: Never.self) { try result.get() }
        }
        for result in try check([tip], tips: [tip.id(.sha1)], stored: Array(blobs.prefix(10))) {
            #expect(throws: BanyanError.self) { try result.get() }
        }
    }

    @Test func aReferenceToAnObjectOfAnotherKindIsNamed() throws {
        let blob = RawObject(kind: .blob, body: Array("not a tree\n".utf8))
        let tip = commit(tree: blob.id(.sha1))
        for result in try check([blob, tip], tips: [tip.id(.sha1)]) {
            let error = #expect(throws: BanyanError.self) { try result.get() }
            #expect(error?.message.contains("is a blob but is referenced as a tree") == true, "\(error?.message ?? "")")
        }
    }
}
