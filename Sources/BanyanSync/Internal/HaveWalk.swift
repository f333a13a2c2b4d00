import Banyan

/// The local commits to offer as `have`s, newest first (by committer time),
/// starting from every local ref: what Git's negotiator does by default.
struct HaveWalk {
    private let repository: Repository
    private let shallow: Set<ObjectID>
    private var queue: [(time: Int64, id: ObjectID)] = []
    private var seen = Set<ObjectID>()

    init(repository: Repository, shallow: Set<ObjectID>) {
        self.repository = repository
        self.shallow = shallow
        for ref in (try? repository.refs.list(prefix: "refs/")) ?? [] {
            if let commit = try? repository.peelToCommit(ref.id) { push(commit) }
        }
    }

    private mutating func push(_ id: ObjectID) {
        guard seen.insert(id).inserted, let commit = try? repository.commit(id) else { return }
        queue.append((commit.committer.time, id))
    }

    /// Up to `count` more commits.
    mutating func next(_ count: Int) throws -> [ObjectID] {
        var result: [ObjectID] = []
        while result.count < count, !queue.isEmpty {
            let index = queue.indices.max { queue[$0].time < queue[$1].time }!
            let id = queue.remove(at: index).id
            result.append(id)
            guard !shallow.contains(id) else { continue }
            for parent in try repository.commit(id).parents { push(parent) }
        }
        return result
    }
}
