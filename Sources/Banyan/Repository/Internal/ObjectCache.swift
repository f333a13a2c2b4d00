import Synchronization

/// Decoded trees and commits, kept so hot paths (reads, tree edits, log
/// walks) do not inflate and parse the same object again.
///
/// Bounded by weight (tree entries, or commits) in a `GenerationalCache`
/// per kind, each behind its own mutex.
final class ObjectCache: Sendable {
    private let trees: Mutex<GenerationalCache<ObjectID, Tree>>
    private let commits: Mutex<GenerationalCache<ObjectID, Commit>>

    /// `treeEntries` bounds the tree entries held per generation (about 100
    /// bytes each), `commitCount` the commits.
    init(treeEntries: Int = 262_144, commitCount: Int = 16_384) {
        trees = Mutex(GenerationalCache(capacity: treeEntries) { max(1, $0.entries.count) })
        commits = Mutex(GenerationalCache(capacity: commitCount) { _ in 1 })
    }

    func tree(_ id: ObjectID) -> Tree? { trees.withLock { $0.get(id) } }
    func insert(_ tree: Tree, for id: ObjectID) { trees.withLock { $0.insert(tree, for: id) } }
    func commit(_ id: ObjectID) -> Commit? { commits.withLock { $0.get(id) } }
    func insert(_ commit: Commit, for id: ObjectID) { commits.withLock { $0.insert(commit, for: id) } }
}
