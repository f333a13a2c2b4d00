import Synchronization

/// Decoded trees and commits, kept so hot paths (reads, tree edits, log
/// walks) do not inflate and parse the same object again.
///
/// Bounded by weight (tree entries, or commits): two generations per kind;
/// when the young one fills it becomes the old one and the previous old
/// generation is dropped. An entry hit in the old generation is promoted, so
/// frequently used objects survive. At most twice the capacity is held.
/// Cost: O(1) per lookup and insert under one mutex.
final class ObjectCache: Sendable {
    private struct Generations<Value> {
        var young: [ObjectID: Value] = [:]
        var old: [ObjectID: Value] = [:]
        var youngWeight = 0
        let capacity: Int
        let weight: (Value) -> Int

        mutating func get(_ id: ObjectID) -> Value? {
            if let value = young[id] { return value }
            guard let value = old[id] else { return nil }
            insert(value, for: id)
            return value
        }

        mutating func insert(_ value: Value, for id: ObjectID) {
            let added = weight(value)
            if youngWeight + added > capacity {
                old = young
                young = [:]
                youngWeight = 0
            }
            if young.updateValue(value, forKey: id) == nil { youngWeight += added }
        }
    }

    private let trees: Mutex<Generations<Tree>>
    private let commits: Mutex<Generations<Commit>>

    /// `treeEntries` bounds the tree entries held per generation (about 100
    /// bytes each), `commitCount` the commits.
    init(treeEntries: Int = 262_144, commitCount: Int = 16_384) {
        trees = Mutex(Generations(capacity: treeEntries, weight: { max(1, $0.entries.count) }))
        commits = Mutex(Generations(capacity: commitCount, weight: { _ in 1 }))
    }

    func tree(_ id: ObjectID) -> Tree? { trees.withLock { $0.get(id) } }
    func insert(_ tree: Tree, for id: ObjectID) { trees.withLock { $0.insert(tree, for: id) } }
    func commit(_ id: ObjectID) -> Commit? { commits.withLock { $0.get(id) } }
    func insert(_ commit: Commit, for id: ObjectID) { commits.withLock { $0.insert(commit, for: id) } }
}
