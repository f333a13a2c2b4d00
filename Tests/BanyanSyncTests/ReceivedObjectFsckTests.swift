import Banyan
import BanyanSync
import Foundation
import Testing

/// Objects from other nodes pass Git's fsck rules (`FsckRules`) before any
/// ref can point at them; a refused pack leaves nothing behind.
@Suite("Sync: Git's fsck rules on received objects")
struct ReceivedObjectFsckTests {
    let author = Signature(name: "A", email: "a@example.com", time: 1_700_000_000, timeZoneMinutes: 0)

    func commit(tree: ObjectID) -> RawObject {
        Commit(tree: tree, parents: [], author: author, committer: author, message: "m\n").rawObject
    }

    @Test func pushOfATreeNamingDotGitIsRefusedAndNothingIsStored() async throws {
        let server = try Repository.inMemory()
        let client = try Repository.inMemory()
        let inner = try client.objects.put(Tree(entries: [TreeEntry(name: "config", mode: .regular, id: try client.objects.put(RawObject(kind: .blob, body: Array("[core]\n".utf8))))]).rawObject)
        let hostile = try client.objects.put(Tree(entries: [TreeEntry(name: ".Git", mode: .directory, id: inner)]).rawObject)
        let tip = try client.objects.put(commit(tree: hostile))
        let push = GitClient(transport: LocalTransport(repository: server), repository: client)
        let error = await #expect(throws: BanyanError.self) { try await push.push([RefUpdate(name: "refs/heads/main", new: tip)]) }
        #expect(error?.message.contains("hasDotgit") == true, "\(error?.message ?? "")")
        #expect(try server.refs.find("refs/heads/main") == nil)
        #expect(try !server.objects.contains(hostile))
        #expect(try !server.objects.contains(tip))
    }

    @Test func overlongGitattributesLinesAreRefused() throws {
        let repository = try Repository.inMemory()
        let attributes = RawObject(kind: .blob, body: Array(repeating: UInt8(ascii: "a"), count: FsckRules.maxAttributesLineLength + 1))
        let tree = Tree(entries: [TreeEntry(name: ".gitattributes", mode: .regular, id: attributes.id(.sha1))]).rawObject
        let pack = try PackWriter.write([attributes, tree, commit(tree: tree.id(.sha1))], algorithm: .sha1).pack
        let error = #expect(throws: BanyanError.self) { try PackIngest.ingest(pack, into: repository) }
        #expect(error?.code == .corruptObject)
        #expect(error?.message.contains("gitattributesLineLength") == true, "\(error?.message ?? "")")
        #expect(try !repository.objects.contains(tree.id(.sha1)))
    }

    @Test func connectivityChecksTheKindEachLinkRequires() throws {
        let repository = try Repository.inMemory()
        let blob = RawObject(kind: .blob, body: Array("not a tree\n".utf8))
        let tip = commit(tree: blob.id(.sha1))
        let pack = try PackWriter.write([blob, tip], algorithm: .sha1).pack
        let received = try PackIngest.ingest(pack, into: repository)
        let error = #expect(throws: BanyanError.self) {
            try PackIngest.checkConnected(tips: [tip.id(.sha1)], received: Set(received.ids), in: repository)
        }
        #expect(error?.code == .corruptObject)
        #expect(error?.message.contains("is a blob but is referenced as a tree") == true, "\(error?.message ?? "")")
    }
}
