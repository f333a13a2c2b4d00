@testable import Banyan
import Foundation
import Testing

@Suite("EncodedTree")
struct EncodedTreeTests {
    static func id(_ n: Int, _ algorithm: HashAlgorithm) -> ObjectID {
        ObjectID.hash(kind: .blob, body: Array("\(n)".utf8), algorithm: algorithm)
    }

    /// Names that sort differently as files and as directories ("a" < "a-" < "a/" < "a0").
    static let names = ["a", "a-", "a.b", "a0", "b", "ab", "z", "a.txt", "dir", "dir-1", "dir0"]

    @Test("lookups, edits and their deltas agree with the decoded tree", arguments: HashAlgorithm.allCases, 0..<30)
    func editsMatchDecodedTree(_ algorithm: HashAlgorithm, _ seed: Int) throws {
        var state = UInt64(seed + 1)
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        var entries: [String: TreeEntry] = [:]
        for name in Self.names where next(2) == 0 {
            entries[name] = TreeEntry(name: name, mode: next(2) == 0 ? .directory : .regular, id: Self.id(next(1000), algorithm))
        }
        let base = Tree(entries: Array(entries.values))
        let encoded = try EncodedTree(body: base.encoded(), algorithm: algorithm)
        #expect(encoded.count == base.entries.count)
        for (i, entry) in base.entries.enumerated() { #expect(encoded.entry(i) == entry) }
        for name in Self.names {
            #expect(encoded.index(of: Array(name.utf8)) == base.index(of: Array(name.utf8)))
        }
        // Random edits, made the way TreeEditor makes them.
        var expected = entries
        var edits: [EncodedTree.Edit] = []
        var touched: Set<String> = []
        for _ in 0..<(1 + next(5)) {
            let name = Self.names[next(Self.names.count)]
            guard touched.insert(name).inserted else { continue }
            let index = encoded.index(of: Array(name.utf8))
            let new = next(3) == 0 ? nil : TreeEntry(name: name, mode: next(2) == 0 ? .directory : .regular,
                                                     id: Self.id(next(1000), algorithm))
            expected[name] = new
            switch (index, new) {
            case (let i?, let new?) where new.mode.isDirectory == encoded.entry(i).mode.isDirectory:
                edits.append(.replace(index: i, entry: new))
            case (let i?, let new):
                edits.append(.remove(index: i))
                if let new { edits.append(.insert(index: encoded.lowerBound(new.name, isDirectory: new.mode.isDirectory), entry: new)) }
            case (nil, let new?):
                edits.append(.insert(index: encoded.lowerBound(new.name, isDirectory: new.mode.isDirectory), entry: new))
            case (nil, nil):
                break
            }
        }
        let (edited, delta) = encoded.applying(edits)
        #expect(edited.body == Tree(entries: Array(expected.values)).encoded())
        #expect(try Delta.apply(base: encoded.body, delta: delta) == edited.body)
        // The offsets of the result are those of a fresh index of its bytes.
        #expect(edited.offsets == (try EncodedTree(body: edited.body, algorithm: algorithm)).offsets)
    }

    @Test("scattered edits of a large tree give a small delta", arguments: HashAlgorithm.allCases)
    func scatteredEdits(_ algorithm: HashAlgorithm) throws {
        let base = (0..<256).map { TreeEntry(name: String(format: "%02x", $0), mode: .directory, id: Self.id($0, algorithm)) }
        let encoded = try EncodedTree(body: Tree(sortedEntries: base).encoded(), algorithm: algorithm)
        var target = base
        var edits: [EncodedTree.Edit] = []
        for i in [3, 70, 128, 200, 255] {
            target[i].id = Self.id(1000 + i, algorithm)
            edits.append(.replace(index: i, entry: target[i]))
        }
        let (edited, delta) = encoded.applying(edits)
        #expect(edited.body == Tree(sortedEntries: target).encoded())
        // A prefix/suffix edit delta would insert nearly all of it.
        #expect(Delta.fromEdit(base: encoded.body, target: edited.body) == nil)
        #expect(delta.count < 5 * (algorithm.digestLength + 12) + 60)
        #expect(try Delta.apply(base: encoded.body, delta: delta) == edited.body)
    }

    @Test("a truncated or modeless body is a corruptObject error")
    func malformed() throws {
        let body = Tree(entries: [TreeEntry(name: "a", mode: .regular, id: Self.id(1, .sha1))]).encoded()
        for bad in [Array(body.dropLast()), Array(body.dropFirst(7)), body + [0x31]] {
            #expect {
                try EncodedTree(body: bad, algorithm: .sha1)
            } throws: { ($0 as? BanyanError)?.code == .corruptObject }
        }
    }
}
