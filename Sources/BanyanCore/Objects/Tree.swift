/// One entry of a tree: a name, a mode and the id of the object it points at.
///
/// Names are raw bytes because Git compares and sorts them byte by byte;
/// `nameString` decodes them as UTF-8 for display.
public struct TreeEntry: Hashable, Sendable {
    /// The entry's name: one path segment, never containing `/` or NUL.
    public var name: [UInt8]
    /// The entry's mode.
    public var mode: FileMode
    /// The object the entry points at.
    public var id: ObjectID

    /// Creates an entry.
    public init(name: [UInt8], mode: FileMode, id: ObjectID) {
        self.name = name
        self.mode = mode
        self.id = id
    }

    /// Creates an entry from a string name.
    public init(name: String, mode: FileMode, id: ObjectID) {
        self.init(name: Array(name.utf8), mode: mode, id: id)
    }

    /// The name decoded as UTF-8.
    public var nameString: String { String(decoding: name, as: UTF8.self) }
}

/// A Git tree: a directory listing sorted in Git's order.
///
/// Git sorts entries by name bytes, comparing a directory's name as if it
/// ended in `/` (so `a.txt` sorts before the directory `a`, which sorts as
/// `a/`). `init(entries:)` sorts; decoding checks the order.
public struct Tree: Hashable, Sendable {
    /// The entries in Git's order.
    public private(set) var entries: [TreeEntry]
    /// The body an object stored this tree as, when its modes are not
    /// written as Banyan writes them (see `init(decoding:algorithm:)`).
    var storedBody: [UInt8]?

    /// Creates a tree, sorting `entries` into Git's order.
    public init(entries: [TreeEntry]) {
        self.entries = entries.sorted(by: Tree.gitOrder)
    }

    /// Creates a tree from entries already in Git's order (checked only in debug builds).
    public init(sortedEntries: [TreeEntry]) {
        assert(zip(sortedEntries, sortedEntries.dropFirst()).allSatisfy { Tree.gitOrder($0, $1) })
        self.entries = sortedEntries
    }

    /// The empty tree.
    public static let empty = Tree(sortedEntries: [])

    /// Git's tree order: by name bytes, a directory compared as `name/`.
    public static func gitOrder(_ a: TreeEntry, _ b: TreeEntry) -> Bool {
        compareNames(a.name, a.mode.isDirectory, b.name, b.mode.isDirectory) < 0
    }

    /// Compares two entry names in Git's order; negative, zero or positive.
    public static func compareNames(_ a: [UInt8], _ aIsDir: Bool, _ b: [UInt8], _ bIsDir: Bool) -> Int {
        a.withUnsafeBytes { a in b.withUnsafeBytes { b in compareNames(a, aIsDir, b, bIsDir) } }
    }

    /// Compares two entry names in Git's order, by name bytes with a
    /// directory's name compared as `name/`: negative, zero (same name and
    /// kind) or positive. The one comparison of Git's order: the tree codec,
    /// the encoded trees of the write path and fsck's tree scan use it.
    ///
    /// A plain loop, not `memcmp`: names are short, and the write path's
    /// binary searches call this for every step.
    @inlinable
    public static func compareNames(
        _ a: UnsafeRawBufferPointer, _ aIsDirectory: Bool, _ b: UnsafeRawBufferPointer, _ bIsDirectory: Bool
    ) -> Int {
        let common = min(a.count, b.count)
        var index = 0
        while index < common {
            let x = a[index], y = b[index]
            if x != y { return Int(x) - Int(y) }
            index += 1
        }
        let aNext = a.count > common ? Int(a[common]) : (aIsDirectory ? 0x2f : 0)
        let bNext = b.count > common ? Int(b[common]) : (bIsDirectory ? 0x2f : 0)
        return aNext - bNext
    }

    /// The index of the entry named `name`, by binary search over Git's order.
    public func index(of name: [UInt8]) -> Int? {
        // A name may be stored as file or as directory; the two sort differently,
        // so try both positions.
        for isDir in [false, true] {
            var low = 0, high = entries.count
            while low < high {
                let mid = (low + high) / 2
                let c = Tree.compareNames(entries[mid].name, entries[mid].mode.isDirectory, name, isDir)
                if c == 0 { return mid }
                if c < 0 { low = mid + 1 } else { high = mid }
            }
        }
        return nil
    }

    /// The entry named `name`, if present.
    public func entry(named name: [UInt8]) -> TreeEntry? {
        index(of: name).map { entries[$0] }
    }

    /// The entry named `name`, if present.
    public func entry(named name: String) -> TreeEntry? {
        entry(named: Array(name.utf8))
    }
}
