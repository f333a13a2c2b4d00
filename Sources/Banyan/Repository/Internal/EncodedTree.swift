#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tree kept in its Git encoding, with where each entry starts: what the
/// write path edits. Looking an entry up is a binary search over the
/// bytes, and an edit splices bytes, so a commit that changes one entry of a
/// 400-entry tree copies one buffer instead of 400 entries and their names.
struct EncodedTree: Sendable {
    /// The Git body: `<octal mode> <name>\0<raw id>` per entry.
    let body: [UInt8]
    /// The offset in `body` where each entry starts, in order.
    let offsets: [UInt32]
    let algorithm: HashAlgorithm
    /// True when `body` is not the stored body it was made from: that one
    /// spelled modes as git no longer writes them (`040000`, `100664`), and
    /// edits start from the canonical form, so no delta against the stored
    /// object may be taken from `body`.
    let isRewritten: Bool

    static func empty(_ algorithm: HashAlgorithm) -> EncodedTree {
        EncodedTree(trusted: [], offsets: [], algorithm: algorithm)
    }

    private init(trusted body: [UInt8], offsets: [UInt32], algorithm: HashAlgorithm, isRewritten: Bool = false) {
        self.body = body
        self.offsets = offsets
        self.algorithm = algorithm
        self.isRewritten = isRewritten
    }

    /// Indexes the stored tree body `body`; throws `corruptObject` when its
    /// entries are not well-formed (order and names are the decoder's job).
    /// A body with modes in a form Banyan does not write is indexed in its
    /// canonical form (`isRewritten`), so what edits write stays canonical.
    init(body: [UInt8], algorithm: HashAlgorithm) throws {
        let (indexed, canonical) = try EncodedTree.indexing(body, algorithm: algorithm)
        guard !canonical else {
            self = indexed
            return
        }
        let rewritten = Tree(entries: try Tree(decoding: body, algorithm: algorithm).entries).encoded()
        let (reindexed, _) = try EncodedTree.indexing(rewritten, algorithm: algorithm)
        self.init(trusted: reindexed.body, offsets: reindexed.offsets, algorithm: algorithm, isRewritten: true)
    }

    /// `body` indexed, and whether every mode in it is spelled as Banyan
    /// writes it (a mode git knows, octal digits without leading zeros):
    /// one pass over the entries for both.
    private static func indexing(_ body: [UInt8], algorithm: HashAlgorithm) throws -> (EncodedTree, canonical: Bool) {
        var offsets: [UInt32] = []
        offsets.reserveCapacity(body.count / (algorithm.digestLength + 12))
        var canonical = true
        try body.withUnsafeBytes { bytes in
            var cursor = TreeEntryCursor(bytes, digestLength: algorithm.digestLength)
            while let entry = try cursor.nextStored() {
                offsets.append(UInt32(entry.start))
                if canonical {
                    canonical = FileMode.canonical.contains(FileMode(rawValue: entry.mode))
                        && entry.modeDigits == Tree.octalLength(entry.mode)
                }
            }
        }
        return (EncodedTree(trusted: body, offsets: offsets, algorithm: algorithm), canonical)
    }

    /// The number of entries.
    var count: Int { offsets.count }

    /// Where entry `i`'s bytes end.
    func end(of i: Int) -> Int { i + 1 < offsets.count ? Int(offsets[i + 1]) : body.count }

    /// Entry `i` decoded.
    func entry(_ i: Int) -> TreeEntry {
        let (mode, name) = modeAndName(i)
        let idStart = name.upperBound + 1
        let id = body.withUnsafeBytes {
            ObjectID(digest: UnsafeRawBufferPointer(rebasing: $0[idStart..<(idStart + algorithm.digestLength)]), algorithm: algorithm)
        }
        return TreeEntry(name: Array(body[name]), mode: mode, id: id)
    }

    /// Entry `i`'s mode and the range of its name in `body`.
    func modeAndName(_ i: Int) -> (FileMode, Range<Int>) {
        body.withUnsafeBytes { bytes in
            // Indexing read every entry with the same cursor.
            let entry = try! TreeEntryCursor.entry(in: bytes, at: Int(offsets[i]), digestLength: algorithm.digestLength)
            return (FileMode(rawValue: entry.mode), entry.name)
        }
    }

    /// True when entry `i` is a directory (Git writes its mode as the five digits "40000").
    func isDirectory(_ i: Int) -> Bool {
        body[Int(offsets[i]) + 5] == UInt8(ascii: " ")
    }

    /// Git's order of entry `i` against a name with a kind: <0, 0 or >0.
    private func compare(_ i: Int, _ name: ArraySlice<UInt8>, _ nameIsDirectory: Bool) -> Int {
        let range = modeAndName(i).1
        return body.withUnsafeBytes { body in
            name.withUnsafeBytes { name in
                Tree.compareNames(UnsafeRawBufferPointer(rebasing: body[range]), isDirectory(i), name, nameIsDirectory)
            }
        }
    }

    /// Git's order of entry `i` against entry `j` of `other`: <0, 0 (same
    /// name and kind) or >0.
    func compare(_ i: Int, with other: EncodedTree, _ j: Int) -> Int {
        compare(i, other.body[other.modeAndName(j).1], other.isDirectory(j))
    }

    /// True when entry `i` and entry `j` of `other` are the same bytes.
    func sameEntry(_ i: Int, as other: EncodedTree, _ j: Int) -> Bool {
        let start = Int(offsets[i]), otherStart = Int(other.offsets[j])
        let length = end(of: i) - start
        guard other.end(of: j) - otherStart == length else { return false }
        return body.withUnsafeBytes { mine in
            other.body.withUnsafeBytes { theirs in
                memcmp(mine.baseAddress! + start, theirs.baseAddress! + otherStart, length) == 0
            }
        }
    }

    /// The entries that differ from this tree to `other`, as pairs of
    /// indexes (this tree's version, `other`'s), in Git's order; an entry
    /// whose kind changed is a removal and an addition. Nil when there are
    /// more than `limit`.
    ///
    /// The bytes both trees share at their start and at their end (from a
    /// place where both start an entry) are compared, not read entry by
    /// entry: the cost is the changed middle.
    func changes(to other: EncodedTree, limit: Int) -> [(mine: Int?, theirs: Int?)]? {
        let shared = body.withUnsafeBytes { a in other.body.withUnsafeBytes { b in SharedBytes.prefix(a, b) } }
        let sharedEnd = body.withUnsafeBytes { a in
            other.body.withUnsafeBytes { b in SharedBytes.suffix(a, b, limit: min(a.count, b.count) - shared) }
        }
        // Entries wholly in the shared start sit at the same index in both.
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if end(of: mid) <= shared { low = mid + 1 } else { high = mid }
        }
        var (i, j) = (low, low)
        let shift = other.body.count - body.count
        var changes: [(mine: Int?, theirs: Int?)] = []
        while i < count || j < other.count {
            if i < count, j < other.count, Int(offsets[i]) >= body.count - sharedEnd,
               Int(other.offsets[j]) == Int(offsets[i]) + shift { break }
            let order = i == count ? 1 : j == other.count ? -1 : compare(i, with: other, j)
            if order < 0 {
                changes.append((i, nil))
                i += 1
            } else if order > 0 {
                changes.append((nil, j))
                j += 1
            } else {
                if !sameEntry(i, as: other, j) { changes.append((i, j)) }
                i += 1
                j += 1
            }
            if changes.count > limit { return nil }
        }
        return changes
    }

    /// The index of the first entry not before `name` (of the given kind) in Git's order.
    func lowerBound(_ name: [UInt8], isDirectory: Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if compare(mid, name[...], isDirectory) < 0 { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The index of the entry called `name`, file or directory.
    func index(of name: [UInt8]) -> Int? {
        // The two kinds sort differently, so look in both places.
        for isDirectory in [false, true] {
            let i = lowerBound(name, isDirectory: isDirectory)
            if i < count && compare(i, name[...], isDirectory) == 0 { return i }
        }
        return nil
    }

    /// One change to apply with ``applying(_:)``.
    enum Edit {
        /// Entry `index` becomes `entry` (same name and kind).
        case replace(index: Int, entry: TreeEntry)
        /// Entry `index` goes.
        case remove(index: Int)
        /// `entry` is new; it goes before base entry `index` (``lowerBound(_:isDirectory:)``).
        case insert(index: Int, entry: TreeEntry)

        var index: Int {
            switch self {
            case .replace(let index, _), .remove(let index), .insert(let index, _): index
            }
        }
    }

    /// This tree with `edits` applied, and the Git delta from this tree to
    /// it: runs of untouched entries are copied as bytes. At most one replace
    /// or remove per index; inserts at one index may come in any order.
    func applying(_ edits: [Edit]) -> (tree: EncodedTree, delta: [UInt8]) {
        let sorted = edits.sorted { a, b in
            if a.index != b.index { return a.index < b.index }
            switch (a, b) {
            case (.insert(_, let x), .insert(_, let y)): return Tree.gitOrder(x, y)
            case (.insert, _): return true
            default: return false
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(body.count + edits.count * (algorithm.digestLength + 40))
        var outOffsets: [UInt32] = []
        outOffsets.reserveCapacity(count + edits.count)
        var steps: [(copy: Range<Int>?, inserted: Range<Int>?)] = []
        var next = 0  // the first base entry not yet copied
        func copyBase(upTo end: Int) {
            guard next < end else { return }
            let shift = Int64(out.count) - Int64(offsets[next])
            for i in next..<end { outOffsets.append(UInt32(Int64(offsets[i]) + shift)) }
            let range = Int(offsets[next])..<self.end(of: end - 1)
            out.append(contentsOf: body[range])
            steps.append((range, nil))
            next = end
        }
        func append(_ entry: TreeEntry) {
            let start = out.count
            outOffsets.append(UInt32(start))
            out.append(contentsOf: String(entry.mode.rawValue, radix: 8).utf8)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: entry.name)
            out.append(0)
            entry.id.append(to: &out)
            steps.append((nil, start..<out.count))
        }
        for edit in sorted {
            copyBase(upTo: edit.index)
            switch edit {
            case .insert(_, let entry):
                append(entry)
            case .replace(_, let entry):
                append(entry)
                next += 1
            case .remove:
                next += 1
            }
        }
        copyBase(upTo: count)
        var delta = DeltaBuilder(baseCount: body.count, targetCount: out.count)
        for step in steps {
            if let range = step.copy { delta.copy(range) }
            if let range = step.inserted { delta.insert(out[range]) }
        }
        return (EncodedTree(trusted: out, offsets: outOffsets, algorithm: algorithm), delta.finish())
    }
}
