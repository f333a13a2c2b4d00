@testable import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// `BitmapFill`, the union-and-walk behind gc's bitmaps and upload-pack's
/// answers from them, on a small history in memory with every object "in
/// the pack" (a bit each).
@Suite("bitmap fill")
struct BitmapFillTests {
    /// Two commits: the first with `a` and `dir/b`, the second changing `dir/b`.
    private struct History {
        let store: MemoryBackend
        var bits: [ObjectID: Int] = [:]
        var first = ObjectID.zero(.sha1), second = ObjectID.zero(.sha1)
        var firstObjects: Set<ObjectID> = [], secondObjects: Set<ObjectID> = []

        init() throws {
            let store = try MemoryBackend()
            self.store = store
            var bits: [ObjectID: Int] = [:]
            func put(_ object: RawObject) throws -> ObjectID {
                let id = try store.put(object)
                if bits[id] == nil { bits[id] = bits.count }
                return id
            }
            func tree(_ entries: [TreeEntry]) throws -> ObjectID { try put(Tree(entries: entries).rawObject) }
            func commit(_ tree: ObjectID, _ parents: [ObjectID]) throws -> ObjectID {
                let who = Signature(name: "T", email: "t@example.com", time: 1_700_000_000)
                return try put(Commit(tree: tree, parents: parents, author: who, committer: who, message: "m\n").rawObject)
            }
            let a = try put(RawObject(kind: .blob, body: Array("a".utf8)))
            let b1 = try put(RawObject(kind: .blob, body: Array("b1".utf8)))
            let b2 = try put(RawObject(kind: .blob, body: Array("b2".utf8)))
            let dir1 = try tree([TreeEntry(name: "b", mode: .regular, id: b1)])
            let dir2 = try tree([TreeEntry(name: "b", mode: .regular, id: b2)])
            let root1 = try tree([TreeEntry(name: "a", mode: .regular, id: a), TreeEntry(name: "dir", mode: .directory, id: dir1)])
            let root2 = try tree([TreeEntry(name: "a", mode: .regular, id: a), TreeEntry(name: "dir", mode: .directory, id: dir2)])
            let first = try commit(root1, [])
            let second = try commit(root2, [first])
            self.first = first
            self.second = second
            self.bits = bits
            firstObjects = [first, root1, a, dir1, b1]
            secondObjects = firstObjects.union([second, root2, dir2, b2])
        }

        func fill(memory: BitmapFill.TreeMemory?, stored: [ObjectID: BitSet] = [:]) -> BitmapFill {
            BitmapFill(store: store, count: bits.count, outsideAllowed: false, memory: memory, bit: { [bits] in bits[$0] },
                       stored: { stored[$0] })
        }

        func ids(_ set: BitSet) -> Set<ObjectID> {
            Set(bits.filter { set.contains($0.value) }.map(\.key))
        }
    }

    @Test("a fill reaches every object of the history, with or without a stored bitmap below it")
    func fillsReachEverything() throws {
        let history = try History()
        var alone = history.fill(memory: nil)
        try alone.add(commits: [history.second])
        #expect(history.ids(alone.set) == history.secondObjects)

        var below = history.fill(memory: nil)
        try below.add(commits: [history.first])
        var above = history.fill(memory: nil, stored: [history.first: below.set])
        try above.add(commits: [history.second])
        #expect(history.ids(above.set) == history.secondObjects)
        #expect(alone.outside.isEmpty && above.outside.isEmpty)
    }

    /// The bug the builder's test once caught: a tree read in one fill and
    /// read again in the next (its bit clear there) was compared with
    /// itself through the memory, and its entries were taken as set.
    @Test("with a tree memory, a tree read in an earlier fill is read whole again, not compared with itself")
    func memoryNeverComparesATreeWithItself() throws {
        let history = try History()
        let memory = BitmapFill.TreeMemory()
        var earlier = history.fill(memory: memory)
        try earlier.add(commits: [history.first])
        #expect(history.ids(earlier.set) == history.firstObjects)
        var again = history.fill(memory: memory)
        try again.add(commits: [history.first])
        #expect(history.ids(again.set) == history.firstObjects)
        var next = history.fill(memory: memory)
        try next.add(commits: [history.second])
        #expect(history.ids(next.set) == history.secondObjects)
    }

    @Test("an object outside the pack is listed once with its path, or refused when not allowed")
    func outsideObjects() throws {
        var history = try History()
        let dir = try #require(try history.store.find(history.first).map { try Commit(decoding: $0.body, algorithm: .sha1).tree })
        history.bits[dir] = nil
        var listing = BitmapFill(store: history.store, count: 8, outsideAllowed: true, bit: { [bits = history.bits] in bits[$0] },
                                 stored: { _ in nil })
        try listing.add(commits: [history.first])
        #expect(listing.outside.map(\.id) == [dir] && listing.outside.first?.kind == .tree)
        var refusing = BitmapFill(store: history.store, count: 8, outsideAllowed: false, bit: { [bits = history.bits] in bits[$0] },
                                  stored: { _ in nil })
        #expect { try refusing.add(commits: [history.first]) } throws: { ($0 as? BanyanError)?.code == .invalidArgument }
    }
}
