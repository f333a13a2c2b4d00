@testable import BanyanCore
import Testing

@Suite("Tree edit deltas")
struct TreeEditDeltaTests {
    /// A tree of `count` entries whose names collide in git order: files and
    /// directories named alike ("a", "a.b", "a/"), long and short names.
    static func tree(_ random: inout PackTestRandom, count: Int, algorithm: HashAlgorithm) -> [TreeEntry] {
        var byName: [String: TreeEntry] = [:]
        while byName.count < count {
            let name = ["a", "a.b", "a-", "b", random.word(), random.word() + ".txt"][random.below(6)]
            let mode: FileMode = random.below(3) == 0 ? .directory : .regular
            byName[name] = TreeEntry(name: name, mode: mode, id: randomID(&random, algorithm))
        }
        return Array(byName.values)
    }

    static func randomID(_ random: inout PackTestRandom, _ algorithm: HashAlgorithm) -> ObjectID {
        ObjectID.hash(kind: .blob, body: random.bytes(8), algorithm: algorithm)
    }

    @Test("applying the delta rebuilds the edited tree", arguments: HashAlgorithm.allCases, 0..<20)
    func roundTrip(_ algorithm: HashAlgorithm, _ seed: Int) throws {
        var random = PackTestRandom(seed: UInt64(seed) &* 7919)
        let base = Self.tree(&random, count: [1, 2, 5, 40, 300][seed % 5], algorithm: algorithm)
        var target = base
        // Changed ids, removed and added entries, and a file that becomes a directory.
        for _ in 0..<(1 + seed % 6) {
            switch random.below(4) {
            case 0 where !target.isEmpty: target[random.below(target.count)].id = Self.randomID(&random, algorithm)
            case 1 where target.count > 1: target.remove(at: random.below(target.count))
            case 2 where !target.isEmpty:
                let i = random.below(target.count)
                target[i].mode = target[i].mode.isDirectory ? .regular : .directory
            default:
                let entry = TreeEntry(name: "new" + random.word(), mode: .regular, id: Self.randomID(&random, algorithm))
                if !target.contains(where: { $0.name == entry.name }) { target.append(entry) }
            }
        }
        let baseBody = Tree(entries: base).encoded()
        let targetBody = Tree(entries: target).encoded()
        guard let delta = Delta.fromTreeEdit(base: baseBody, target: targetBody, hashLength: algorithm.digestLength) else {
            // Only a small or mostly rewritten tree may be refused.
            #expect(targetBody.count < 400 || base.count < 10)
            return
        }
        #expect(try Delta.apply(base: baseBody, delta: delta) == targetBody)
    }

    @Test("scattered edits of a large tree give a small delta", arguments: HashAlgorithm.allCases)
    func scatteredEdits(_ algorithm: HashAlgorithm) throws {
        var random = PackTestRandom(seed: 42)
        let base = (0..<256).map { TreeEntry(name: String(format: "%02x", $0), mode: .directory, id: Self.randomID(&random, algorithm)) }
        var target = base
        for i in [3, 70, 128, 200, 255] { target[i].id = Self.randomID(&random, algorithm) }
        let baseBody = Tree(sortedEntries: base).encoded()
        let targetBody = Tree(sortedEntries: target).encoded()
        // A prefix/suffix edit delta would insert nearly all of it.
        #expect(Delta.fromEdit(base: baseBody, target: targetBody) == nil)
        let delta = try #require(Delta.fromTreeEdit(base: baseBody, target: targetBody, hashLength: algorithm.digestLength))
        #expect(delta.count < 5 * (algorithm.digestLength + 12) + 60)
        #expect(try Delta.apply(base: baseBody, delta: delta) == targetBody)
    }

    @Test("bytes that are not a tree give no delta")
    func malformed() {
        let tree = Tree(entries: [TreeEntry(name: "a", mode: .regular, id: ObjectID.hash(kind: .blob, body: [], algorithm: .sha1))])
        let body = tree.encoded()
        #expect(Delta.fromTreeEdit(base: Array(body.dropLast(3)), target: body + body, hashLength: 20) == nil)
        #expect(Delta.fromTreeEdit(base: body, target: Array("100644 no-terminator".utf8), hashLength: 20) == nil)
        #expect(Delta.fromTreeEdit(base: body, target: body, hashLength: 32) == nil)
    }
}

@Suite("DeltaBuilder")
struct DeltaBuilderTests {
    @Test("copies and inserts in target order rebuild the target", arguments: 0..<10)
    func rebuilds(_ seed: Int) throws {
        var random = PackTestRandom(seed: UInt64(seed) + 99)
        let base = random.bytes([0, 10, 300, 70_000][seed % 4])
        var target: [UInt8] = []
        var steps: [(copy: Range<Int>?, insert: [UInt8])] = []
        for _ in 0..<(seed * 3) {
            if !base.isEmpty && random.below(2) == 0 {
                let start = random.below(base.count)
                let range = start..<min(base.count, start + random.below(70_000))
                steps.append((range, []))
                target += base[range]
            } else {
                let bytes = random.bytes(random.below(300))
                steps.append((nil, bytes))
                target += bytes
            }
        }
        var builder = DeltaBuilder(baseCount: base.count, targetCount: target.count)
        for step in steps {
            if let range = step.copy { builder.copy(range) } else { builder.insert(step.insert) }
        }
        let delta = builder.finish()
        #expect(try Delta.apply(base: base, delta: delta) == target)
    }
}
