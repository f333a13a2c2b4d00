import Synchronization

/// Decoded trees and commits, kept so hot paths (reads, tree edits, log
/// walks) do not inflate and parse the same object again.
///
/// Bounded: two generations per kind; when the young one fills it becomes
/// the old one and the previous old generation is dropped. An entry hit in
/// the old generation is promoted, so frequently used objects survive.
/// Cost: O(1) per lookup and insert under one mutex.
final class ObjectCache: Sendable {
    private struct Generations<Value> {
        var young: [ObjectID: Value] = [:]
        var old: [ObjectID: Value] = [:]
        let capacity: Int

        mutating func get(_ id: ObjectID) -> Value? {
            if let value = young[id] { return value }
            guard let value = old[id] else { return nil }
            insert(value, for: id)
            return value
        }

        mutating func insert(_ value: Value, for id: ObjectID) {
            if young.count >= capacity {
                old = young
                young = [:]
                young.reserveCapacity(capacity)
            }
            young[id] = value
        }
    }

    private let trees: Mutex<Generations<Tree>>
    private let commits: Mutex<Generations<Commit>>

    init(treeCapacity: Int = 16_384, commitCapacity: Int = 16_384) {
        trees = Mutex(Generations(capacity: treeCapacity))
        commits = Mutex(Generations(capacity: commitCapacity))
    }

    func tree(_ id: ObjectID) -> Tree? { trees.withLock { $0.get(id) } }
    func insert(_ tree: Tree, for id: ObjectID) { trees.withLock { $0.insert(tree, for: id) } }
    func commit(_ id: ObjectID) -> Commit? { commits.withLock { $0.get(id) } }
    func insert(_ commit: Commit, for id: ObjectID) { commits.withLock { $0.insert(commit, for: id) } }
}
