#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Git's multi-pack-index over the sealed packs: one table in which a lookup
/// across every pack is one binary search, for Banyan (`PackSet`) and `git`.
extension FileSystemBackend {
    /// What `writeMultiPackIndex()` left in place.
    package struct MultiPackIndexCoverage: Sendable, Hashable {
        /// The packs the index covers; 0 when there is no index.
        package var packs: Int
        /// The distinct objects it lists.
        package var objects: Int
    }

    /// Writes `objects/pack/multi-pack-index` for every sealed pack (each
    /// `pack-*.pack` with its `.idx`, kept packs too, as Git does, but not
    /// those a geometric repack replaced, which are on their way out), or removes
    /// it when fewer than two packs hold objects, since Git and Banyan read
    /// one pack as fast without it.
    ///
    /// Runs under `multi-pack-index.lock`, created exclusively as Git's lock
    /// file is, so it excludes `git multi-pack-index write`; the new index is
    /// checked by parsing it, then renamed into place (fsynced with `.commit`
    /// durability). A duplicate object is listed in the most recently
    /// modified pack holding it (see `MultiPackIndexWriter`). Git's bitmap and
    /// reverse index of an earlier index (`multi-pack-index-<hash>.bitmap`,
    /// `.rev`) describe it no longer and are removed, as Git removes them.
    /// The open append pack is not covered until it is sealed.
    ///
    /// Cost: reads every pack's index once, O(n log n) in the objects.
    /// Throws `refLocked` when the lock stays taken, `corruptObject` for a
    /// pack that does not open, `io` on a write failure.
    @discardableResult
    package func writeMultiPackIndex() throws -> MultiPackIndexCoverage {
        let directory = path + "/objects/pack"
        let target = directory + "/multi-pack-index"
        let coverage = try LockFile.withLock(on: target) { lock in
            var covered: [MultiPackIndexWriter.Pack] = []
            // `refreshByName` leaves out the packs a geometric repack replaced.
            for (name, reader) in try packs.refreshByName() {
                // A pack deleted since the listing is on its way out: leave it out.
                guard let modified = Self.modificationSeconds(directory + "/" + name + ".pack") else { continue }
                covered.append(MultiPackIndexWriter.Pack(name: name + ".idx", index: reader.index, modified: modified))
            }
            guard covered.filter({ $0.index.count > 0 }).count >= 2 else {
                try Posix.removeFile(target)
                try Self.removeMultiPackIndexCompanions(in: directory)
                return MultiPackIndexCoverage(packs: 0, objects: 0)
            }
            let bytes = try MultiPackIndexWriter.encode(covered, algorithm: hashAlgorithm)
            let written = try MultiPackIndex(bytes: bytes, algorithm: hashAlgorithm, verifyChecksum: false)
            try lock.write(bytes)
            try lock.commit(durable: isDurable)
            try Self.removeMultiPackIndexCompanions(in: directory)
            return MultiPackIndexCoverage(packs: written.packNames.count, objects: written.count)
        }
        try packs.refresh()
        return coverage
    }

    /// Removes `objects/pack/multi-pack-index` (under its lock) and its
    /// companions, so that no git process finds an index naming a pack
    /// about to be deleted: a gc calls it before it deletes packs, and
    /// writes the index again after.
    package func removeMultiPackIndex() throws {
        let directory = path + "/objects/pack"
        try LockFile.withLock(on: directory + "/multi-pack-index") { _ in
            try Posix.removeFile(directory + "/multi-pack-index")
            try Self.removeMultiPackIndexCompanions(in: directory)
        }
        try packs.refresh()
    }

    /// Removes Git's `multi-pack-index-<hash>.bitmap` and `.rev` files: Banyan
    /// writes neither, so none belongs to the index in place.
    private static func removeMultiPackIndexCompanions(in directory: String) throws {
        for entry in try Posix.listDirectory(directory)
        where entry.name.hasPrefix("multi-pack-index-") && (entry.name.hasSuffix(".bitmap") || entry.name.hasSuffix(".rev")) {
            try Posix.removeFile(directory + "/" + entry.name)
        }
    }

    /// The whole seconds of the file's modification time (what Git keeps as a
    /// pack's `mtime`), or nil when the file is not there.
    private static func modificationSeconds(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_mtim.tv_sec)
    }
}
