import BanyanCore

/// The path names a geometric repack gives the trees and blobs among its
/// objects, so versions of one file or directory meet in the delta search:
/// breadth first from the commits' root trees, each object named by the
/// first path it is found at and ranked in the order found.
///
/// Each object is queued once, when first found. Most trees of a long
/// history are shared by many commits and directories: queueing every
/// entry of every tree, and skipping the repeats when dequeued, held one
/// queue slot (and path) per entry of every tree, which grew to hundreds of
/// megabytes on the soak's store.
///
/// Cost: reads each tree among the sources once; memory is one index per
/// named object, the paths kept in the sources.
struct RepackNaming {
    /// The tree entries of `id`, a tree among the sources.
    typealias Entries = (_ id: ObjectID) throws -> [TreeEntry]

    /// Names the sources the trees `roots` reach, sets their ranks from
    /// `firstRank` on in the order found, and returns how many were named
    /// (and queued).
    static func name(_ sources: inout [PackWriter.Source], rank: inout [Int], position: [ObjectID: Int],
                     roots: [ObjectID], firstRank: Int, entries: Entries) throws -> Int {
        var queue: [Int] = []
        func reach(_ id: ObjectID, _ path: String) {
            guard let at = position[id], sources[at].nameHint == nil else { return }
            sources[at].nameHint = path
            rank[at] = firstRank + queue.count
            queue.append(at)
        }
        for root in roots { reach(root, "") }
        var next = 0
        while next < queue.count {
            let at = queue[next]
            next += 1
            guard sources[at].kind == .tree, let path = sources[at].nameHint else { continue }
            for entry in try entries(sources[at].id) where entry.mode != .gitlink {
                reach(entry.id, path.isEmpty ? entry.nameString : path + "/" + entry.nameString)
            }
        }
        return queue.count
    }
}
