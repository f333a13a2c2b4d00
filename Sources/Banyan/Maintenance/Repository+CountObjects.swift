/// What `git count-objects -v` reports, measured the same way.
public struct ObjectCounts: Sendable, Hashable {
    /// Loose object files.
    public var count = 0
    /// Disk space the loose objects occupy, in KiB (allocated blocks, as Git counts).
    public var size: UInt64 = 0
    /// Objects in packs (an object in two packs counts twice).
    public var inPack = 0
    /// Packs (`pack-*.pack` with an `.idx`).
    public var packs = 0
    /// Size of the packs and their indexes, in KiB.
    public var sizePack: UInt64 = 0
    /// Loose objects that are also in a pack (gc removes them).
    public var prunePackable = 0
    /// Files in the object directories that are neither objects nor complete
    /// packs: temporary files, a `.pack` without `.idx`, open append packs.
    public var garbage = 0
    /// Size of the garbage files, in KiB.
    public var sizeGarbage: UInt64 = 0

    /// The lines of `git count-objects -v`, each `name: value`.
    public var verboseLines: [String] {
        ["count: \(count)", "size: \(size)", "in-pack: \(inPack)", "packs: \(packs)", "size-pack: \(sizePack)",
         "prune-packable: \(prunePackable)", "garbage: \(garbage)", "size-garbage: \(sizeGarbage)"]
    }
}

extension Repository {
    /// Counts loose objects, packs and garbage like `git count-objects -v`
    /// (an in-memory store: its objects as loose ones, their size uncompressed).
    ///
    /// Cost: one `stat` per file in the object directories and one index
    /// mapping per pack. Throws `unsupported` for a store that is no
    /// ``MaintainableStore``, `corruptObject` for an unreadable pack index.
    public func countObjects() throws -> ObjectCounts {
        try maintainableStore("count-objects").countObjects()
    }
}

extension FileSystemBackend {
    /// Counts loose objects, packs and garbage like `git count-objects -v`.
    public func countObjects() throws -> ObjectCounts {
        var counts = ObjectCounts()
        var garbageBytes: UInt64 = 0
        func garbage(_ path: String) {
            counts.garbage += 1
            garbageBytes += Posix.status(path)?.size ?? 0
        }
        let objects = path + "/objects"
        let inventory = try ObjectDirectory.scan(self)
        let packedIDs = inventory.packs.reduce(into: Set<ObjectID>()) { $0.formUnion($1.ids) }
        var looseBytes: UInt64 = 0
        for object in inventory.loose {
            counts.count += 1
            looseBytes += Posix.status(object.path)?.diskUsage ?? 0
            if packedIDs.contains(object.id) { counts.prunePackable += 1 }
        }
        let looseFiles = Set(inventory.loose.map(\.path))
        for directory in try Posix.listDirectory(objects)
        where directory.isDirectory && directory.name.count == 2 && directory.name.allSatisfy(\.isHexDigit) {
            for file in try Posix.listDirectory(objects + "/" + directory.name) {
                let path = objects + "/" + directory.name + "/" + file.name
                if !looseFiles.contains(path) { garbage(path) }
            }
        }
        var packBytes: UInt64 = 0
        for pack in inventory.packs {
            counts.packs += 1
            counts.inPack += pack.ids.count
            packBytes += (Posix.status(pack.base + ".pack")?.size ?? 0) + (Posix.status(pack.base + ".idx")?.size ?? 0)
        }
        for path in try packDirectoryGarbage(objects + "/pack") { garbage(path) }
        counts.size = looseBytes / 1024
        counts.sizePack = packBytes / 1024
        counts.sizeGarbage = garbageBytes / 1024
        return counts
    }

    /// Git's rule: files with a pack extension are garbage unless their base
    /// name has both a `.pack` and an `.idx`; other files are garbage except
    /// the multi-pack-index.
    private func packDirectoryGarbage(_ directory: String) throws -> [String] {
        let packExtensions = ObjectDirectory.packExtensions + [".keep"]
        var groups: [String: [String]] = [:]
        var result: [String] = []
        for entry in try Posix.listDirectory(directory) where !entry.isDirectory {
            if entry.name.hasPrefix("multi-pack-index") { continue }
            guard let suffix = packExtensions.first(where: entry.name.hasSuffix) else {
                result.append(directory + "/" + entry.name)
                continue
            }
            groups[String(entry.name.dropLast(suffix.count)), default: []].append(entry.name)
        }
        for (base, names) in groups where !(names.contains(base + ".pack") && names.contains(base + ".idx")) {
            result += names.map { directory + "/" + $0 }
        }
        return result
    }
}
