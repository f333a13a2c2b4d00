/// Merge bases by walking the commit graph, as Git's `paint_down_to_common`
/// and `remove_redundant` do.
///
/// Both commits' ancestors are painted (PARENT1 from one, PARENT2 from the
/// other) in order of committer time, newest first. A commit painted by both
/// is a common ancestor; its own ancestors are painted STALE, since they
/// cannot be best. The walk stops as soon as every queued commit is stale,
/// so it reads only the commits between the heads and their bases, not the
/// whole history. Clock skew can let a non-best common ancestor through;
/// when more than one candidate remains, each is checked against the others
/// and those that are ancestors of another are dropped, so the result is
/// exactly `git merge-base --all`'s set.
struct CommitGraph {
    /// Reads a commit (real or virtual).
    let lookup: (ObjectID) throws -> Commit

    private struct Flags: OptionSet {
        let rawValue: UInt8
        static let parent1 = Flags(rawValue: 1)
        static let parent2 = Flags(rawValue: 2)
        static let stale = Flags(rawValue: 4)
        static let result = Flags(rawValue: 8)
    }

    /// All best common ancestors of `one` and `two`, newest first (ties by id).
    func mergeBases(_ one: ObjectID, _ two: ObjectID) throws -> [ObjectID] {
        if one == two { return [one] }
        var flags: [ObjectID: Flags] = [:]
        let found = try paint(one, [two], flags: &flags)
        let candidates = found.filter { !(flags[$0] ?? []).contains(.stale) }
        let bases = candidates.count > 1 ? try removeRedundant(candidates) : candidates
        return try bases.map { ($0, try lookup($0).committer.time) }
            .sorted { ($0.1, $1.0) > ($1.1, $0.0) }
            .map(\.0)
    }

    /// True when `ancestor` is `descendant` or one of its ancestors.
    func isAncestor(_ ancestor: ObjectID, of descendant: ObjectID) throws -> Bool {
        try mergeBases(ancestor, descendant).contains(ancestor)
    }

    /// Paints down from `one` (PARENT1) and `twos` (PARENT2) until only
    /// stale commits are queued; returns the commits found painted by both.
    private func paint(_ one: ObjectID, _ twos: [ObjectID], flags: inout [ObjectID: Flags]) throws -> [ObjectID] {
        flags[one, default: []].insert(.parent1)
        var queue = CommitQueue()
        try queue.push(one, time: lookup(one).committer.time)
        for two in twos {
            flags[two, default: []].insert(.parent2)
            try queue.push(two, time: lookup(two).committer.time)
        }
        var result: [ObjectID] = []
        while queue.contains(where: { !(flags[$0] ?? []).contains(.stale) }) {
            guard let id = queue.pop() else { break }
            var paint = (flags[id] ?? []).intersection([.parent1, .parent2, .stale])
            if paint == [.parent1, .parent2] {
                if !(flags[id] ?? []).contains(.result) {
                    flags[id, default: []].insert(.result)
                    result.append(id)
                }
                paint.insert(.stale)
            }
            for parent in try lookup(id).parents {
                if (flags[parent] ?? []).isSuperset(of: paint) { continue }
                flags[parent, default: []].formUnion(paint)
                try queue.push(parent, time: lookup(parent).committer.time)
            }
        }
        return result
    }

    /// Drops every candidate that is an ancestor of another.
    private func removeRedundant(_ candidates: [ObjectID]) throws -> [ObjectID] {
        var redundant = Array(repeating: false, count: candidates.count)
        for i in candidates.indices where !redundant[i] {
            let others = candidates.indices.filter { $0 != i && !redundant[$0] }
            var flags: [ObjectID: Flags] = [:]
            _ = try paint(candidates[i], others.map { candidates[$0] }, flags: &flags)
            if (flags[candidates[i]] ?? []).contains(.parent2) { redundant[i] = true }
            for j in others where (flags[candidates[j]] ?? []).contains(.parent1) {
                redundant[j] = true
            }
        }
        return candidates.indices.filter { !redundant[$0] }.map { candidates[$0] }
    }
}

/// A max-heap of commits by committer time; equal times come out in the
/// order they went in, like Git's `prio_queue`.
private struct CommitQueue {
    private var heap: [(id: ObjectID, time: Int64, order: Int)] = []
    private var pushed = 0

    mutating func push(_ id: ObjectID, time: Int64) {
        heap.append((id, time, pushed))
        pushed += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> ObjectID? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var best = parent
            if left < heap.count && Self.before(heap[left], heap[best]) { best = left }
            if right < heap.count && Self.before(heap[right], heap[best]) { best = right }
            if best == parent { break }
            heap.swapAt(parent, best)
            parent = best
        }
        return top.id
    }

    /// True when any queued commit satisfies `predicate` (a scan, as Git's `queue_has_nonstale`).
    func contains(where predicate: (ObjectID) -> Bool) -> Bool {
        heap.contains { predicate($0.id) }
    }

    private static func before(_ a: (id: ObjectID, time: Int64, order: Int), _ b: (id: ObjectID, time: Int64, order: Int)) -> Bool {
        a.time != b.time ? a.time > b.time : a.order < b.order
    }
}
