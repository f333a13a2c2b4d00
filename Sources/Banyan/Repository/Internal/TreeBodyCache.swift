import Synchronization

/// Encoded trees the write path made or edited recently, so the next edit of
/// the same directory splices their bytes instead of decoding the tree again.
///
/// Bounded by bytes in a `GenerationalCache`, behind a mutex.
final class TreeBodyCache: Sendable {
    private let trees: Mutex<GenerationalCache<ObjectID, EncodedTree>>

    /// `bytes` bounds the bodies (and their offset tables) held per generation.
    init(bytes: Int = 16 << 20) {
        trees = Mutex(GenerationalCache(capacity: bytes) { $0.body.count + 4 * $0.count + 64 })
    }

    func tree(_ id: ObjectID) -> EncodedTree? { trees.withLock { $0.get(id) } }
    func insert(_ tree: EncodedTree, for id: ObjectID) { trees.withLock { $0.insert(tree, for: id) } }

    /// Caches `tree`, made by editing the tree `base`, and drops `base`: the
    /// next edit starts from `tree`, so a long run of commits keeps the
    /// current trees rather than their past versions.
    func insert(_ tree: EncodedTree, for id: ObjectID, replacing base: ObjectID?) {
        trees.withLock { cache in
            if let base, base != id { cache.remove(base) }
            cache.insert(tree, for: id)
        }
    }
}
