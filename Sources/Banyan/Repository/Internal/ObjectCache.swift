import Synchronization

/// Decoded trees and commits, kept so hot paths (reads, tree edits, log
/// walks) do not inflate and parse the same object again.
///
/// Bounded by estimated bytes in a `GenerationalCache` per kind, each
/// behind its own mutex: at most twice each capacity is held.
final class ObjectCache: Sendable {
    private let trees: Mutex<GenerationalCache<ObjectID, Tree>>
    private let commits: Mutex<GenerationalCache<ObjectID, Commit>>

    /// `treeBytes` and `commitBytes` bound each kind's estimated size per generation.
    init(treeBytes: Int = 16 << 20, commitBytes: Int = 2 << 20) {
        trees = Mutex(GenerationalCache(capacity: treeBytes, weight: Self.size(of:)))
        commits = Mutex(GenerationalCache(capacity: commitBytes, weight: Self.size(of:)))
    }

    func tree(_ id: ObjectID) -> Tree? { trees.withLock { $0.get(id) } }
    func insert(_ tree: Tree, for id: ObjectID) { trees.withLock { $0.insert(tree, for: id) } }
    func commit(_ id: ObjectID) -> Commit? { commits.withLock { $0.get(id) } }
    func insert(_ commit: Commit, for id: ObjectID) { commits.withLock { $0.insert(commit, for: id) } }

    /// A tree's entries and their names (each its own allocation); by count,
    /// not capacity, so a tree weighs the same however it was built.
    private static func size(of tree: Tree) -> Int {
        64 + tree.entries.count * (MemoryLayout<TreeEntry>.stride + 48)
    }

    /// A commit's fields, its two signatures' strings and its message.
    private static func size(of commit: Commit) -> Int {
        256 + commit.parents.count * MemoryLayout<ObjectID>.stride + commit.message.count
    }
}
