import Foundation

/// One geometric repack of a filesystem repository (see
/// `Repository.repackGeometric(factor:looseObjectsAbove:)`). The caller
/// holds the gc lock.
///
/// Nothing is pruned: the new pack holds every object of the packs and
/// loose files it replaces, so no walk of the refs is needed and no reader
/// or writer, in this process or another, can miss an object. The new pack
/// is proved (indexed, every object hashed, exactly the expected set) and
/// installed before anything is deleted.
struct GeometricRepacker {
    let backend: FileSystemBackend
    let factor: Int
    /// Loose objects are packed when there are more than this many.
    let looseLimit: Int
    /// How long replaced packs stay for git readers before a run deletes them.
    let replacedGrace: TimeInterval
    /// Threads for the delta search (0: one per core); background runs use
    /// one, leaving the other cores to the process's writers.
    var threads = 0

    func run() throws -> GeometricRepackReport {
        var report = GeometricRepackReport()
        if let expiry = ReplacedPacks.nextExpiry(backend.path, grace: replacedGrace), expiry <= Date() {
            // A repack killed between listing the packs it replaced and
            // rewriting the multi-pack-index left one that names them: git
            // must not find it naming a deleted pack.
            try backend.writeMultiPackIndex()
        }
        report.deletedReplacedPacks = try ReplacedPacks.removeExpired(repository: backend.path, grace: replacedGrace,
                                                                     durable: backend.isDurable)
        try backend.flush()
        let packs = try Self.listPacks(backend)
        let loose = try ObjectDirectory.scanLoose(backend)
        let packLoose = loose.count > looseLimit
        let geometry = PackGeometry(packs: packs.map(\.geometry), factor: factor, looseObjects: packLoose ? loose.count : 0)
        report.packsBefore = packs.count
        guard geometry.isNeeded else {
            report.packsAfter = packs.count
            return report
        }
        let rolled = Set(geometry.rollUp.map(\.name))
        let replaced = packs.filter { rolled.contains($0.geometry.name) }
        var ids: [ObjectID] = []
        var seen = Set<ObjectID>()
        for pack in replaced {
            for id in pack.index.ids where seen.insert(id).inserted { ids.append(id) }
        }
        let packedLoose = packLoose ? loose : []
        for object in packedLoose where seen.insert(object.id).inserted { ids.append(object.id) }

        // The pack goes to a temporary file as it is written, so memory
        // holds the delta search's window, not the pack.
        let receiver = try backend.makePackReceiver()
        let output = try write(ids, to: receiver)
        let indexed = try receiver.bytes().withUnsafeBytes {
            try PackIndexer.index(pack: $0, algorithm: backend.hashAlgorithm)
        }
        guard indexed.entries.count == seen.count, indexed.entries.allSatisfy({ seen.contains($0.id) }) else {
            throw BanyanError(.corruptObject, "the geometric repack's new pack does not hold the objects it was written from; nothing was deleted")
        }
        let packBytes = receiver.count
        guard let base = try receiver.install(index: try indexed.indexBytes(), checksum: indexed.checksum) else {
            throw BanyanError(.io, "the geometric repack's new pack was not kept as a pack; nothing was deleted")
        }
        report.pack = base
        report.packedObjects = indexed.entries.count
        report.deltaCount = output.deltaCount
        report.packBytes = packBytes
        // The replaced packs stay on disk for the git processes that listed
        // them (`replacedGrace`), out of Banyan's sight and out of the
        // multi-pack-index, which lookups go through from here on. The same
        // objects may come back as the same pack (same checksum).
        let gone = replaced.filter { $0.base != base }
        try ReplacedPacks.add(gone.map { Self.fileName($0.base) }, repository: backend.path, durable: backend.isDurable)
        report.removedPacks = gone.count
        try backend.writeMultiPackIndex()
        for object in packedLoose {
            try Posix.removeFile(object.path)
            report.removedLooseObjects += 1
        }
        try backend.updatePackList()
        report.packsAfter = try Self.listPacks(backend).count
        return report
    }

    /// Writes `ids` as one pack: stored deltas and whole objects are copied
    /// as they are where their base comes along, the rest searched (window
    /// 10, depth 50, as `git repack` does), with paths from the commits and
    /// trees among them as name hints so versions of one directory meet.
    /// The pack's bytes go to `receiver` as they are written.
    private func write(_ ids: [ObjectID], to receiver: any PackReceiver) throws -> PackWriter.Output {
        var sources: [PackWriter.Source] = []
        sources.reserveCapacity(ids.count)
        var position: [ObjectID: Int] = [:]
        var commits: [RepackCommitOrder.Commit] = []
        for id in ids {
            let object = try backend.get(id)
            position[id] = sources.count
            sources.append(PackWriter.Source(id: id, kind: object.kind, size: object.body.count))
            if object.kind == .commit {
                let commit = try Commit(decoding: object.body, algorithm: backend.hashAlgorithm)
                commits.append(.init(id: id, parents: commit.parents, tree: commit.tree, time: commit.committer.time,
                                     at: sources.count - 1))
            }
        }
        // Newest commits first, as `rev-list` lists them: the ids came in
        // hash order, and versions of one tree of equal size (a directory
        // whose entries changed, not their number) meet in the delta
        // search's window in input order, which must be history's.
        let roots = RepackCommitOrder.newestFirst(commits)
        var rank = [Int](repeating: Int.max, count: sources.count)
        for (order, root) in roots.enumerated() { rank[root.at] = order }
        // Name the trees and blobs the new commits' trees reach among the
        // packed objects, and rank them in the order found.
        let algorithm = backend.hashAlgorithm
        _ = try RepackNaming.name(&sources, rank: &rank, position: position, roots: roots.map(\.tree),
                                  firstRank: roots.count) { [backend] id in
            try Tree(decoding: try backend.get(id).body, algorithm: algorithm).entries
        }
        // Commits newest first, then what they reach in the order reached,
        // as `rev-list --objects` orders a pack; the rest as they came.
        let order = sources.indices.sorted { lhs, rhs in
            let (left, right) = (sources[lhs].kind == .commit || sources[lhs].kind == .tag,
                                 sources[rhs].kind == .commit || sources[rhs].kind == .tag)
            if left != right { return left }
            return rank[lhs] != rank[rhs] ? rank[lhs] < rank[rhs] : lhs < rhs
        }
        let ordered = order.map { sources[$0] }
        return try PackWriter.write(
            sources: ordered, algorithm: backend.hashAlgorithm,
            options: PackWriter.Options(window: 10, depth: 50, compressionLevel: -1, threads: threads),
            reuse: { try backend.storedEntry($0) },
            destination: .stream { chunk in try chunk.withUnsafeBytes { try receiver.append($0) } }
        ) { try backend.get(ordered[$0].id) }
    }

    /// `pack-<hex>` of `objects/pack/pack-<hex>`.
    static func fileName(_ base: String) -> String {
        String(base.split(separator: "/").last ?? "")
    }

    /// A sealed pack not protected by `.keep`, with its index.
    struct ListedPack {
        var base: String
        var index: PackIndex
        var geometry: PackGeometry.Pack { PackGeometry.Pack(name: base, objects: index.count) }
    }

    /// The sealed packs that take part in a geometric repack: every
    /// `pack-*.idx` with its `.pack`, but those with a `.keep` and those an
    /// earlier repack replaced.
    ///
    /// Cost: one index mapping per pack (its header and fan-out are read).
    static func listPacks(_ backend: FileSystemBackend) throws -> [ListedPack] {
        let directory = backend.path + "/objects/pack"
        var packs: [ListedPack] = []
        let replaced = ReplacedPacks.read(backend.path)
        for entry in try Posix.listDirectory(directory)
        where !entry.isDirectory && entry.name.hasPrefix("pack-") && entry.name.hasSuffix(".idx") {
            let base = directory + "/" + entry.name.dropLast(".idx".count)
            guard replaced[fileName(base)] == nil, !ObjectDirectory.isKept(base), Posix.fileType(base + ".pack") == .file,
                  let mapped = try Posix.mapFile(base + ".idx")
            else { continue }
            do {
                packs.append(ListedPack(base: base, index: try PackIndex(mapped, algorithm: backend.hashAlgorithm)))
            } catch let error as BanyanError {
                throw BanyanError(error.code, "pack index \(base).idx: \(error.message); the repack stops without deleting anything", cause: error)
            }
        }
        return packs
    }
}
