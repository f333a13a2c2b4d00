#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The object files of a repository as they are at one moment: sealed packs
/// and loose objects, each with its modification time. gc takes this
/// inventory before it reads refs and deletes only files listed here, so
/// whatever writers add meanwhile is never a candidate.
struct ObjectDirectory {
    /// One sealed pack (`pack-<hex>.pack` with its `.idx`).
    struct Pack {
        /// `objects/pack/pack-<hex>`, without extension.
        var base: String
        /// The `.pack` file's modification time.
        var modified: Date
        /// True when a `.keep` file protects the pack: gc neither repacks nor deletes it.
        var isKept: Bool
        /// The objects its index lists.
        var ids: [ObjectID]
    }

    /// One loose object file.
    struct Loose {
        var id: ObjectID
        var path: String
        var modified: Date
    }

    var packs: [Pack]
    var loose: [Loose]

    /// The extensions Git keeps beside a pack, removed with it.
    static let packExtensions = [".idx", ".pack", ".rev", ".bitmap", ".mtimes", ".promisor"]

    /// Lists the packs and loose objects of `backend`'s repository.
    ///
    /// Cost: one `stat` per loose object, one index mapping per pack. A pack
    /// whose `.pack` or `.idx` is missing is skipped (being installed or removed).
    static func scan(_ backend: FileSystemBackend) throws -> ObjectDirectory {
        let objects = backend.path + "/objects"
        var packs: [Pack] = []
        let packDirectory = objects + "/pack"
        for entry in try Posix.listDirectory(packDirectory)
        where !entry.isDirectory && entry.name.hasPrefix("pack-") && entry.name.hasSuffix(".idx") {
            let base = packDirectory + "/" + entry.name.dropLast(".idx".count)
            guard let status = Posix.status(base + ".pack"), let mapped = try Posix.mapFile(base + ".idx") else { continue }
            let index: PackIndex
            do {
                index = try PackIndex(mapped, algorithm: backend.hashAlgorithm)
            } catch let error as BanyanError {
                throw BanyanError(error.code, "pack index \(base).idx: \(error.message); gc stops without deleting anything", cause: error)
            }
            packs.append(Pack(base: base, modified: status.modified, isKept: Self.isKept(base), ids: index.ids))
        }
        return ObjectDirectory(packs: packs, loose: try scanLoose(backend))
    }

    /// Lists the loose objects of `backend`'s repository. Cost: one `stat` per object.
    static func scanLoose(_ backend: FileSystemBackend) throws -> [Loose] {
        let objects = backend.path + "/objects"
        var loose: [Loose] = []
        for directory in try Posix.listDirectory(objects) where directory.isDirectory && directory.name.count == 2 {
            for file in try Posix.listDirectory(objects + "/" + directory.name) where !file.isDirectory {
                let path = objects + "/" + directory.name + "/" + file.name
                guard let id = ObjectID(hex: directory.name + file.name), id.algorithm == backend.hashAlgorithm,
                      let status = Posix.status(path)
                else { continue }
                loose.append(Loose(id: id, path: path, modified: status.modified))
            }
        }
        return loose
    }

    /// Removes temporary files a crashed writer or gc left: `tmp_pack_*`,
    /// `tmp_idx_*` and `tmp_packs_*` in the pack directories, `tmp_obj_*`
    /// among loose objects. Only files an hour old go, whatever the prune
    /// date: a younger one may belong to a write in progress. Open append
    /// packs (`tmp_banyan_*`) are never touched; opening the store recovers them.
    static func removeStaleTemporaryFiles(_ backend: FileSystemBackend) throws {
        let objects = backend.path + "/objects"
        let old = Date().addingTimeInterval(-3_600)
        var directories = [objects + "/pack", objects + "/info"]
        for entry in try Posix.listDirectory(objects) where entry.isDirectory && entry.name.count == 2 {
            directories.append(objects + "/" + entry.name)
        }
        for directory in directories {
            for entry in try Posix.listDirectory(directory) where !entry.isDirectory
            && ["tmp_pack_", "tmp_idx_", "tmp_packs_", "tmp_obj_"].contains(where: entry.name.hasPrefix) {
                let path = directory + "/" + entry.name
                if let status = Posix.status(path), status.modified < old { try Posix.removeFile(path) }
            }
        }
    }

    /// True when maintenance leaves the pack at `base` as it is: it has a
    /// `.keep`, or a `.promisor` (a partial clone's received pack, whose
    /// objects must stay in promisor packs for git to accept what they lack).
    static func isKept(_ base: String) -> Bool {
        Posix.fileType(base + ".keep") != nil || Posix.fileType(base + ".promisor") != nil
    }

    /// Removes the pack at `base` and the files Git keeps beside it (not its `.keep`).
    static func removePack(_ base: String) throws {
        for suffix in packExtensions { try Posix.removeFile(base + suffix) }
    }
}

extension FileSystemBackend {
    /// Installs a complete pack and its index in `objects/pack` as
    /// `pack-<checksum>.pack`/`.idx`; returns the path without extension.
    ///
    /// The pack is written to a temporary file and flushed, then installed
    /// as `installPack(file:index:checksum:)` does. Throws `io`.
    /// `package` so that sync can keep a received pack as it came.
    package func installPack(_ pack: UnsafeRawBufferPointer, index: [UInt8], checksum: ObjectID) throws -> String {
        let directory = path + "/objects/pack"
        try Posix.makeDirectories(directory)
        return try installPack(file: try Posix.writeTemporaryFile(in: directory, prefix: "tmp_pack_", pack),
                               index: index, checksum: checksum)
    }

    /// Installs the complete, flushed pack in the temporary file `file` (in
    /// `objects/pack`, so a link suffices) with its index, as
    /// `pack-<checksum>.pack`/`.idx`; returns the path without extension.
    /// `file` is gone afterwards, whether this succeeds or throws.
    ///
    /// The index is written to a temporary name and flushed; the pack is
    /// linked into place before its index appears, so a reader never finds
    /// an index without its pack. A pack already there under that name has
    /// the same bytes (the name is their checksum) and is kept. Throws `io`.
    package func installPack(file: String, index: [UInt8], checksum: ObjectID) throws -> String {
        defer { FileIO.unlink(file) }
        let directory = path + "/objects/pack"
        let base = directory + "/pack-" + checksum.hex
        if Posix.fileType(base + ".pack") != nil {
            try ReplacedPacks.revive("pack-" + checksum.hex, repository: path, durable: isDurable)
        }
        var linkedPack = false
        if Posix.fileType(base + ".pack") == nil {
            chmod(file, 0o444)
            if FileIO.link(file, base + ".pack") == 0 {
                linkedPack = true
            } else if errno != EEXIST {
                throw Posix.ioError("link the new pack", base + ".pack")
            }
        }
        if Posix.fileType(base + ".idx") == nil {
            do {
                let temporary = try index.withUnsafeBytes { try Posix.writeTemporaryFile(in: directory, prefix: "tmp_idx_", $0) }
                do {
                    try Posix.rename(temporary, to: base + ".idx")
                } catch {
                    FileIO.unlink(temporary)
                    throw error
                }
            } catch {
                // Without its index the pack is garbage to Git and invisible to gc.
                if linkedPack { FileIO.unlink(base + ".pack") }
                throw error
            }
        }
        try Posix.fsyncDirectory(directory)
        try packs.refresh()
        objectFilesChanged()
        return base
    }

    /// Marks the pack `pack-<checksum>` as a promisor pack, as Git marks
    /// the packs a partial clone fetched: an empty `pack-<checksum>.promisor`
    /// beside it, written before the pack is installed so that git never
    /// sees its objects outside a promisor pack. Maintenance leaves such
    /// packs as they are (`ObjectDirectory.isKept`). Throws `io`.
    package func markPromisorPack(_ checksum: ObjectID) throws {
        let directory = path + "/objects/pack"
        try Posix.makeDirectories(directory)
        let temporary = try [UInt8]().withUnsafeBytes { try Posix.writeTemporaryFile(in: directory, prefix: "tmp_promisor_", $0) }
        do {
            try Posix.rename(temporary, to: directory + "/pack-" + checksum.hex + ".promisor")
        } catch {
            FileIO.unlink(temporary)
            throw error
        }
    }

    /// Rewrites `objects/info/packs` (what dumb-HTTP clients read) to list
    /// the current packs, as `git update-server-info` does.
    func updatePackList() throws {
        let names = try Posix.listDirectory(path + "/objects/pack")
            .map(\.name)
            .filter { $0.hasPrefix("pack-") && $0.hasSuffix(".pack") }
            .sorted()
        let text = names.map { "P \($0)\n" }.joined() + "\n"
        let directory = path + "/objects/info"
        try Posix.makeDirectories(directory)
        let temporary = try Array(text.utf8).withUnsafeBytes { try Posix.writeTemporaryFile(in: directory, prefix: "tmp_packs_", $0) }
        do {
            try Posix.rename(temporary, to: directory + "/packs")
        } catch {
            FileIO.unlink(temporary)
            throw error
        }
    }
}
