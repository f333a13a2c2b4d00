import Foundation

/// `git prune`: removes the loose objects that nothing reaches and whose
/// file is older than the cutoff (and than gc's write horizon, an hour),
/// and temporary files crashed writers left.
/// Packed objects are left to gc. The caller holds the gc lock.
///
/// The loose files are listed before the refs are read, so an object
/// written after the listing is never a candidate; reachability counts
/// every ref, `HEAD`, reflog entry and open append pack. As in Git, an old
/// unreachable object that a writer starts using again by writing an
/// identical one between the walk and the deletion can still go.
struct LoosePruner {
    let backend: FileSystemBackend
    /// Nil prunes nothing (`never`).
    let cutoff: Date?

    /// Returns the number of loose objects removed.
    func run() throws -> Int {
        guard let cutoff, Posix.fileType(backend.path + "/index") == nil else { return 0 }
        // As gc does, what was written within the write horizon stays: a write in progress may name it.
        let before = min(cutoff, Date().addingTimeInterval(-GarbageCollector.writeHorizon))
        let candidates = try ObjectDirectory.scanLoose(backend).filter { $0.modified <= before }
        try ObjectDirectory.removeStaleTemporaryFiles(backend)
        guard !candidates.isEmpty else { return 0 }
        var walk = ObjectGraphWalk(store: backend)
        let roots = try Roots.read(backend)
        for (name, id) in roots.refs { try walk.add(id, missing: .fail(origin: name)) }
        for id in roots.logged + (try Roots.openPackObjects(backend)) { try walk.add(id, missing: .skip) }
        var removed = 0
        for object in candidates where !walk.seen.contains(object.id) {
            try Posix.removeFile(object.path)
            removed += 1
        }
        return removed
    }
}
