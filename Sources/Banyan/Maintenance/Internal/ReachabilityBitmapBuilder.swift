/// Computes the reachability bitmaps of a pack that holds everything its
/// refs reach (gc's pack), as `git repack -adb` does: which commits get one,
/// and for each the objects it reaches.
///
/// Selection, in the spirit of Git's `bitmap_writer_select_commits`: every
/// commit a ref points at (through tags), and along the history, newest
/// first by generation, one commit in every `spacing(n)` where `n` counts
/// commits from the newest: one in 10 among the newest 200, then one in
/// `n / 20`, at most one in 1,000. A fetch of any commit then walks at most
/// that many commits before it meets a bitmap; W1's 20,000 commits get
/// about 120 bitmaps.
///
/// Bitmaps are computed oldest first, each from the stored bitmaps of the
/// selected commits below it (`BitmapFill`), so the whole history is walked
/// about once, and a tree is read only where it differs from the version
/// last read at its path. Each bitmap is kept compressed until written.
struct ReachabilityBitmapBuilder {
    let store: any ObjectStore
    let index: PackIndex
    let order: PackOrder

    /// The `.bitmap` bytes for the pack and how many commits have a bitmap
    /// in it, or nil when it cannot have one:
    /// a tip, or an object some tip reaches, is not in the pack.
    ///
    /// - Parameters:
    ///   - objects: every object of the pack with its kind.
    ///   - tips: what the refs point at (commits, or tags of commits).
    func build(objects: [(id: ObjectID, kind: ObjectKind)], tips: [ObjectID]) throws -> (bytes: [UInt8], commits: Int)? {
        // Every entry of every tree read is looked up: a hash map, not the
        // index's binary search (which took a fifth of a W1 gc).
        var bits = ObjectIDMap<Int>(capacity: index.count)
        var kinds = [ObjectKind](repeating: .blob, count: index.count)
        for object in objects {
            guard let bit = index.position(of: object.id).map({ Int(order.bits[$0]) }) else { return nil }
            kinds[bit] = object.kind
            _ = bits.insert(object.id, bit)
        }
        guard bits.count == index.count else { return nil }
        let bit = { [bits] (id: ObjectID) in bits[id] }
        var tipCommits = Set<ObjectID>()
        for tip in tips {
            guard let commit = try peelToCommit(tip) else { continue }
            guard bits[commit] != nil else { return nil }
            tipCommits.insert(commit)
        }
        let history = try History(store: store, tips: Array(tipCommits))
        let selected = Self.select(newestFirst: history.newestFirst, tips: tipCommits)

        var encoded: [ObjectID: [UInt8]] = [:]
        var reachable: [(commit: ObjectID, bitmap: [UInt8])] = []
        let memory = BitmapFill.TreeMemory()
        for commit in selected.reversed() {
            var fill = BitmapFill(store: store, count: index.count, outsideAllowed: false, memory: memory,
                                  bit: bit) { [encoded, index] id in
                guard let bytes = encoded[id] else { return nil }
                return try bytes.withUnsafeBytes { try EWAH.decode($0, at: 0, end: $0.count, count: index.count).set }
            }
            do {
                try fill.add(commits: [commit])
            } catch let error as BanyanError where error.code == .invalidArgument {
                return nil
            }
            var bytes: [UInt8] = []
            EWAH.encode(fill.set, into: &bytes)
            encoded[commit] = bytes
            reachable.append((commit, bytes))
        }
        return (PackBitmapIndexWriter.write(index: index, order: order, kinds: kinds, reachable: reachable), reachable.count)
    }

    /// The commits to give bitmaps, newest first.
    static func select(newestFirst commits: [ObjectID], tips: Set<ObjectID>) -> [ObjectID] {
        var selected: [ObjectID] = []
        var sinceLast = Int.max
        for (number, commit) in commits.enumerated() {
            if tips.contains(commit) || sinceLast >= spacing(number) {
                selected.append(commit)
                sinceLast = 1
            } else {
                sinceLast += 1
            }
        }
        return selected
    }

    /// One commit in how many gets a bitmap, `number` commits from the newest.
    static func spacing(_ number: Int) -> Int {
        number < 200 ? 10 : min(max(number / 20, 10), 1_000)
    }

    /// The commit `id` names through annotated tags; nil for a tree or blob.
    private func peelToCommit(_ id: ObjectID) throws -> ObjectID? {
        var current = id
        for _ in 0..<16 {
            guard let object = try store.find(current) else { return nil }
            switch object.kind {
            case .commit: return current
            case .tree, .blob: return nil
            case .tag: current = try Tag(decoding: object.body, algorithm: store.hashAlgorithm).object
            }
        }
        return nil
    }
}

extension ReachabilityBitmapBuilder {
    /// The commits reachable from some tips, newest first: by generation
    /// (`CommitGenerations`), so every commit comes before its parents,
    /// ties by id.
    struct History {
        let newestFirst: [ObjectID]

        init(store: any ObjectStore, tips: [ObjectID]) throws {
            var ids: [ObjectID] = []
            var parents: [[ObjectID]] = []
            var position: [ObjectID: Int] = [:]
            var pending = tips
            while let id = pending.popLast() {
                guard position[id] == nil else { continue }
                guard let object = try store.find(id), object.kind == .commit else {
                    throw BanyanError(.objectNotFound, "commit \(id) is missing")
                }
                let commit = try Commit(decoding: object.body, algorithm: store.hashAlgorithm)
                position[id] = ids.count
                ids.append(id)
                parents.append(commit.parents)
                pending += commit.parents
            }
            let generation = CommitGenerations.number(parents: parents.map { $0.compactMap { position[$0] } })
            newestFirst = ids.indices.sorted {
                generation[$0] != generation[$1] ? generation[$0] > generation[$1] : ids[$0] < ids[$1]
            }.map { ids[$0] }
        }
    }
}
