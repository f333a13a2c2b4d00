import Foundation

/// One gc run over a filesystem repository; see `Repository.gc(pruneBefore:)`
/// for what it guarantees. The caller holds the gc lock.
struct GarbageCollector {
    let backend: FileSystemBackend
    /// Unreachable objects last modified at or before this go; nil keeps them all.
    let cutoff: Date?
    /// When the run started.
    private let started = Date()
    private var report = GCReport()

    init(backend: FileSystemBackend, cutoff: Date?) {
        self.backend = backend
        // Staged content in a work tree's index is reachable from no ref.
        self.cutoff = Posix.fileType(backend.path + "/index") == nil ? cutoff : nil
    }

    mutating func run() throws -> GCReport {
        let packDirectory = backend.path + "/objects/pack"
        let before = Set(try Posix.listDirectory(packDirectory).map(\.name))
        try backend.flush()
        try backend.recoverAbandonedPacks()
        let inventory = try ObjectDirectory.scan(backend)
        let candidatePacks = inventory.packs.filter { !$0.isKept }
        let keptPackIDs = Set(inventory.packs.filter(\.isKept).flatMap(\.ids))

        var walk = ObjectGraphWalk(store: backend)
        let roots = try Roots.read(backend)
        // A partial clone lacks what its promisor remote keeps for it.
        let partial = try RepositoryConfig.isPartialClone(backend.loadConfig())
        for (name, id) in roots.refs { try walk.add(id, missing: partial ? .skip : .fail(origin: name)) }
        for id in roots.logged { try walk.add(id, missing: .skip) }
        let reachable = walk.seen
        // Packs sealed just now (ours, or abandoned ones) hold objects whose
        // refs may not have moved yet: they count as recent whatever their age.
        for id in recentIDs(inventory, candidatePacks: candidatePacks, sealedNow: before) where !reachable.contains(id) {
            try walk.add(id, missing: .skip)
        }
        let found = walk.found.filter { !keptPackIDs.contains($0.id) }
        report.keptRecentObjects = found.count { !reachable.contains($0.id) }

        let newPack = try writePack(found)
        report.packedRefs = try backend.packRefs().packed
        let packed = Set(found.map(\.id))
        let retained = try objectsUsedMeanwhile(packed: packed.union(keptPackIDs), inventory: inventory)
        try delete(inventory, candidatePacks: candidatePacks, newPack: newPack, packed: packed, retained: retained)
        if let newPack, keptPackIDs.isEmpty, !partial, try backend.loadConfig().bool(forKey: "repack.writeBitmaps") ?? true {
            try writeBitmap(newPack, objects: found, tips: roots.refs.map(\.id))
        }
        return report
    }

    /// Gives the new pack reachability bitmaps (`.bitmap`), as `git repack
    /// -adb` does, when it holds everything the refs reached at the start
    /// (it lacks nothing: no `.keep` pack kept objects out, and the store is
    /// not a partial clone). Written after the old packs went, and after
    /// every other pack's bitmap is removed: Git reads one bitmap and warns
    /// about any other. The file is flushed before it is renamed into place,
    /// since git trusts a bitmap it finds without checking it.
    private mutating func writeBitmap(_ base: String, objects: [ObjectGraphWalk.Found], tips: [ObjectID]) throws {
        guard let index = try Posix.mapFile(base + ".idx") else { return }
        let packIndex = try PackIndex(index, algorithm: backend.hashAlgorithm)
        let builder = ReachabilityBitmapBuilder(store: backend, index: packIndex, order: PackOrder(packIndex))
        guard let built = try builder.build(objects: objects.map { ($0.id, $0.kind) }, tips: tips) else { return }
        let directory = backend.path + "/objects/pack"
        for entry in try Posix.listDirectory(directory)
        where entry.name.hasPrefix("pack-") && entry.name.hasSuffix(".bitmap") && directory + "/" + entry.name != base + ".bitmap" {
            try Posix.removeFile(directory + "/" + entry.name)
        }
        let temporary = try built.bytes.withUnsafeBytes { try Posix.writeTemporaryFile(in: directory, prefix: "tmp_bitmap_", $0) }
        do {
            try Posix.rename(temporary, to: base + ".bitmap")
        } catch {
            FileIO.unlink(temporary)
            throw error
        }
        report.bitmappedCommits = built.commits
        try backend.packs.refresh()
    }

    /// Ids of the candidates younger than the cutoff, and of every object in
    /// a pack that was not there before the seal.
    private func recentIDs(_ inventory: ObjectDirectory, candidatePacks: [ObjectDirectory.Pack], sealedNow before: Set<String>) -> [ObjectID] {
        var ids: [ObjectID] = []
        for pack in candidatePacks where isRecent(pack.modified) || !before.contains(Self.fileName(pack.base) + ".pack") {
            ids += pack.ids
        }
        ids += inventory.loose.filter { isRecent($0.modified) }.map(\.id)
        return ids
    }

    /// Files written within this span before the run are kept whatever the
    /// prune date: every commit seals its objects into a pack before its
    /// ref moves, so a write in progress (a transaction about to retry, a
    /// long batch, a ref about to be renamed) may name them any moment, and
    /// the same holds for the objects it found already stored and did not
    /// write again. `--prune=now` prunes what is older. The memory backend's
    /// gc keeps the same horizon.
    static let writeHorizon: TimeInterval = 3_600

    private func isRecent(_ modified: Date) -> Bool {
        guard let cutoff else { return true }
        return modified > min(cutoff, started.addingTimeInterval(-Self.writeHorizon))
    }

    /// Writes `found` as one pack, checks it by indexing it, installs it; returns its path without extension.
    private mutating func writePack(_ found: [ObjectGraphWalk.Found]) throws -> String? {
        guard !found.isEmpty else { return nil }
        let output = try PackWriter.write(sources: found, algorithm: backend.hashAlgorithm,
                                          options: PackWriter.Options(window: 10, depth: 50, compressionLevel: -1)) {
            try backend.get(found[$0].id)
        }
        // Proof before anything is deleted: the pack indexes, every object
        // hashes to its id, and it holds exactly what was walked.
        let indexed = try PackIndexer.index(pack: output.pack, algorithm: backend.hashAlgorithm)
        guard Set(indexed.entries.map(\.id)) == Set(found.map(\.id)) else {
            throw BanyanError(.corruptObject, "gc's new pack does not hold the objects it was written from; nothing was deleted")
        }
        let base = try output.pack.withUnsafeBytes {
            try backend.installPack($0, index: try indexed.indexBytes(), checksum: indexed.checksum)
        }
        report.pack = base
        report.packedObjects = indexed.entries.count
        report.deltaCount = output.deltaCount
        report.packBytes = output.pack.count
        return base
    }

    /// The objects in listed files that something written or moved since
    /// the listing reaches and the new pack lacks: refs and reflogs as they
    /// are now, open append packs, and packs and loose objects that appeared.
    private func objectsUsedMeanwhile(packed: Set<ObjectID>, inventory: ObjectDirectory) throws -> Set<ObjectID> {
        var walk = ObjectGraphWalk(store: backend, known: packed)
        let roots = try Roots.read(backend)
        for id in roots.refs.map(\.id) + roots.logged { try walk.add(id, missing: .skip) }
        // Open packs before sealed ones: a pack sealed between the two scans is
        // seen in the second.
        for id in try Roots.openPackObjects(backend) { try walk.add(id, missing: .skip) }
        let listedLoose = Set(inventory.loose.map(\.id))
        for id in try backend.allLooseIDs() where !listedLoose.contains(id) { try walk.add(id, missing: .skip) }
        let listedPacks = Set(inventory.packs.map(\.base))
        for pack in try ObjectDirectory.scan(backend).packs where !listedPacks.contains(pack.base) {
            for id in pack.ids { try walk.add(id, missing: .skip) }
        }
        return Set(walk.found.map(\.id))
    }

    private mutating func delete(
        _ inventory: ObjectDirectory, candidatePacks: [ObjectDirectory.Pack], newPack: String?,
        packed: Set<ObjectID>, retained: Set<ObjectID>
    ) throws {
        var gone = Set<ObjectID>()
        var survivors = packed
        let doomed = candidatePacks.filter { $0.base != newPack && !$0.ids.contains(where: retained.contains) }
        // Git must never find a multi-pack-index naming a deleted pack, not
        // even when this process is killed here: it goes first, and is
        // written again for what remains at the end.
        if !doomed.isEmpty { try backend.removeMultiPackIndex() }
        for pack in candidatePacks {
            if pack.base == newPack || pack.ids.contains(where: retained.contains) {
                if pack.base != newPack { report.retainedFiles += 1 }
                survivors.formUnion(pack.ids)
                continue
            }
            try ObjectDirectory.removePack(pack.base)
            report.removedPacks += 1
            gone.formUnion(pack.ids)
        }
        for object in inventory.loose {
            if retained.contains(object.id) {
                report.retainedFiles += 1
                survivors.insert(object.id)
                continue
            }
            // Packed now; or not packed, so unreachable and old (or in a
            // `.keep` pack, which stays): gone once past the cutoff.
            guard packed.contains(object.id) || !isRecent(object.modified) else {
                survivors.insert(object.id)
                continue
            }
            try Posix.removeFile(object.path)
            report.removedLooseObjects += 1
            gone.insert(object.id)
        }
        for pack in inventory.packs where pack.isKept { survivors.formUnion(pack.ids) }
        report.prunedObjects = gone.subtracting(survivors).count
        try backend.packs.refresh()
        try backend.updatePackList()
        if cutoff != nil { try ObjectDirectory.removeStaleTemporaryFiles(backend) }
        if report.prunedObjects > 0 || !doomed.isEmpty { try removeStaleGitIndexes() }
    }

    /// Git's commit-graph may describe objects that are gone now (Git
    /// rebuilds it and reads correctly without); the multi-pack-index is
    /// rewritten for the packs that remain (removed when one is left).
    private func removeStaleGitIndexes() throws {
        try backend.writeMultiPackIndex()
        guard report.prunedObjects > 0 else { return }
        let objects = backend.path + "/objects"
        try Posix.removeFile(objects + "/info/commit-graph")
        let chain = objects + "/info/commit-graphs"
        for entry in try Posix.listDirectory(chain) { try Posix.removeFile(chain + "/" + entry.name) }
    }

    private static func fileName(_ path: String) -> String {
        String(path.split(separator: "/").last ?? "")
    }
}
