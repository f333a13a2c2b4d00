#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loose objects: `objects/<first two hex digits>/<the rest>`, each the zlib
/// stream of `"<kind> <size>\0<body>"`.
extension FileSystemBackend {
    /// Stores objects as loose files; with `.commit` durability each file is
    /// flushed, then each touched directory once.
    ///
    /// Cost per object: one zlib compression (level 1) and a temporary file
    /// linked into place, so an existing object is never overwritten and a
    /// reader never sees a partial file.
    func putLoose(_ objects: [RawObject]) throws -> [ObjectID] {
        var directoriesToSync = Set<String>()
        let ids = try objects.map { object in
            let id = object.id(hashAlgorithm)
            try writeLooseObject(object, id: id, directoriesToSync: &directoriesToSync)
            return id
        }
        if isDurable {
            // Children before parents: a new fan-out directory must be in
            // `objects/` before its entries matter.
            for directory in directoriesToSync.sorted(by: { $0.count > $1.count }) {
                try Posix.fsyncDirectory(directory)
            }
        }
        return ids
    }

    /// The object with `id`, or nil when there is no loose object file for it.
    ///
    /// Throws `corruptObject` naming the file when it does not inflate, its
    /// header is malformed, or its content hashes to another id;
    /// `limitExceeded` when it inflates past 1 GiB.
    func findLoose(_ id: ObjectID) throws -> RawObject? {
        let file = objectPath(id)
        guard let compressed = try Posix.readFile(file) else { return nil }
        let object: RawObject
        do {
            object = try RawObject(looseEncoding: Zlib.inflate(compressed, sizeHint: compressed.count * 4))
        } catch let error as BanyanError where error.code == .limitExceeded {
            throw BanyanError(.limitExceeded, "loose object file \(file) inflates past \(Zlib.defaultInflateLimit) bytes", cause: error)
        } catch {
            throw BanyanError(.corruptObject, "loose object file \(file) is corrupt", cause: error)
        }
        let actual = object.id(hashAlgorithm)
        guard actual == id else {
            throw BanyanError(.corruptObject, "loose object file \(file) holds object \(actual), not \(id)")
        }
        return object
    }

    /// True when a loose object file for `id` exists (its content is not checked).
    func containsLoose(_ id: ObjectID) -> Bool {
        Posix.fileType(objectPath(id)) == .file
    }

    /// The ids of every loose object. Cost: lists all 256 fan-out directories.
    func allLooseIDs() throws -> [ObjectID] {
        var ids: [ObjectID] = []
        for directory in try Posix.listDirectory(path + "/objects") where directory.isDirectory {
            guard directory.name.count == 2, directory.name.allSatisfy(\.isHexDigit) else { continue }
            ids += try looseIDs(inFanOut: directory.name, withPrefix: "")
        }
        return ids
    }

    /// The loose object ids starting with `prefix` (normalized). Cost: lists one fan-out directory.
    func looseIDs(withHexPrefix prefix: String) throws -> [ObjectID] {
        try looseIDs(inFanOut: String(prefix.prefix(2)), withPrefix: String(prefix.dropFirst(2)))
    }

    private func objectPath(_ id: ObjectID) -> String {
        let hex = id.hex
        return "\(path)/objects/\(hex.prefix(2))/\(hex.dropFirst(2))"
    }

    private func looseIDs(inFanOut fanOut: String, withPrefix prefix: String) throws -> [ObjectID] {
        try Posix.listDirectory("\(path)/objects/\(fanOut)").compactMap { entry in
            // Temporary files (`tmp_obj_*`) fail the hex parse and are skipped.
            guard !entry.isDirectory, entry.name.hasPrefix(prefix),
                  let id = ObjectID(hex: fanOut + entry.name), id.algorithm == hashAlgorithm
            else { return nil }
            return id
        }
    }

    private func writeLooseObject(_ object: RawObject, id: ObjectID, directoriesToSync: inout Set<String>) throws {
        let file = objectPath(id)
        // Content addressing: an existing file holds the same object.
        if Posix.fileType(file) != nil { return }
        let directory = Posix.parent(of: file)
        if try !Posix.makeDirectories(directory).isEmpty { directoriesToSync.insert(path + "/objects") }
        let compressed = Zlib.deflate(object.encoded, level: 1)

        var template = Array((directory + "/tmp_obj_XXXXXX").utf8CString)
        let fd = FileIO.makeTemporaryFile(&template)
        guard fd >= 0 else { throw Posix.ioError("create a temporary object file in", directory) }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        defer { FileIO.unlink(temporary) }
        do {
            defer { close(fd) }
            try Posix.writeAll(fd, compressed, path: temporary)
            guard fchmod(fd, 0o444) == 0 else { throw Posix.ioError("make read-only", temporary) }
            if isDurable { try Posix.flush(fd, path: temporary) }
        }
        // `link` fails rather than replace an object another writer just
        // stored; `rename` is the fallback for filesystems without hard links.
        if FileIO.link(temporary, file) != 0 && errno != EEXIST && FileIO.rename(temporary, file) != 0 {
            throw Posix.ioError("move a temporary object file to", file)
        }
        directoriesToSync.insert(directory)
    }
}
