@testable import BanyanCore
import BanyanTestSupport
import Testing

/// `TreeEntryScan.forEachChange`, which the object walk (`TreeWalk`) uses to skip
/// the entries a tree shares with the tree read before at its path: on
/// chains of randomly edited trees (edits at the start, the end and in
/// between, entries added, removed and renamed, names of other lengths
/// shifting everything after them), it visits every entry the reference
/// lacks, visits nothing that is not an entry, and returns the entry ends a
/// full parse finds, as `TreeEntryCursor` does.
@Suite("Walks: changed tree entries")
struct TreeEntryScanTests {
    static func randomID(_ random: inout SeededRandom) -> ObjectID {
        let bytes = (0..<20).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        return bytes.withUnsafeBytes { ObjectID(digest: $0, algorithm: .sha1) }
    }

    static func randomEntry(_ random: inout SeededRandom) -> TreeEntry {
        let name = "n" + String(random.below(100_000), radix: [10, 16, 36][random.below(3)])
        let mode: FileMode = [.regular, .regular, .executable, .directory, .gitlink][random.below(5)]
        return TreeEntry(name: name, mode: mode, id: randomID(&random))
    }

    static func edited(_ entries: [TreeEntry], _ random: inout SeededRandom) -> [TreeEntry] {
        var entries = entries
        for _ in 0..<(1 + random.below(4)) {
            // Bias towards the first and the last entry, where shared starts and ends are decided.
            let position = entries.isEmpty ? 0 : [0, entries.count - 1, random.below(entries.count)][random.below(3)]
            switch entries.isEmpty ? 0 : random.below(4) {
            case 0: entries.append(randomEntry(&random))
            case 1: entries.remove(at: position)
            case 2: entries[position].id = randomID(&random)
            default: entries[position] = randomEntry(&random)
            }
        }
        var names = Set<[UInt8]>()
        return Tree(entries: entries.filter { names.insert($0.name).inserted }).entries
    }

    static func ends(of entries: [TreeEntry]) -> [Int32] {
        var end = 0
        return entries.map { entry in
            end += Tree(sortedEntries: [entry]).encoded().count
            return Int32(end)
        }
    }

    /// Where `TreeEntryCursor` finds each entry of `body` ending.
    static func cursorEnds(_ body: [UInt8]) -> [Int32]? {
        body.withUnsafeBytes { bytes in
            var cursor = TreeEntryCursor(bytes, digestLength: 20)
            var ends: [Int32] = []
            while let entry = try? cursor.next() { ends.append(Int32(entry.end)) }
            return cursor.position == bytes.count ? ends : nil
        }
    }

    @Test(arguments: 0..<40)
    func visitsWhatTheReferenceLacks(seed: Int) throws {
        var random = SeededRandom(seed: UInt64(seed))
        var names = Set<[UInt8]>()
        let generated = (0..<random.below(60)).map { _ in Self.randomEntry(&random) }
        var entries = Tree(entries: generated.filter { names.insert($0.name).inserted }).entries
        var reference: TreeEntryScan.Scanned?
        var previous: Set<TreeEntry> = []
        for _ in 0..<30 {
            let body = Tree(sortedEntries: entries).encoded()
            var visited: [TreeEntry] = []
            let scanned = try TreeEntryScan.forEachChange(body, of: Self.randomID(&random), since: reference,
                                                          algorithm: .sha1) { entry in
                let mode: FileMode = entry.kind == .tree ? .directory : .regular
                visited.append(TreeEntry(name: Array(entry.name), mode: mode, id: entry.id))
            }
            #expect(scanned.body == body)
            #expect(scanned.ends == Self.ends(of: entries))
            #expect(Self.cursorEnds(body) == scanned.ends)
            let expected = entries.filter { $0.mode != .gitlink && !previous.contains($0) }
            let visitedKeys = Set(visited.map { [$0.name, Array($0.id.bytes)] })
            for entry in expected {
                #expect(visitedKeys.contains([entry.name, Array(entry.id.bytes)]), "\(entry.nameString) not visited")
            }
            let present = Set(entries.filter { $0.mode != .gitlink }.map { [$0.name, Array($0.id.bytes)] })
            #expect(visitedKeys.isSubset(of: present))
            reference = scanned
            previous = Set(entries)
            entries = Self.edited(entries, &random)
        }
    }
}
