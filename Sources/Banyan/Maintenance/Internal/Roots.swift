#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where gc starts walking: what refs, `HEAD` and reflogs point at, and the
/// objects writers have appended to open packs but not sealed yet.
struct Roots {
    /// Every direct ref under `refs/`, and `HEAD` (symbolic or detached), with its id.
    var refs: [(name: String, id: ObjectID)]
    /// Every id a reflog entry records (old and new), without the zero id;
    /// also the `HEAD`s of linked work trees and their reflogs.
    var logged: [ObjectID]

    /// Reads the roots of `backend`'s repository.
    ///
    /// Throws `invalidRepository` naming the file when a ref file or
    /// `packed-refs` is malformed: gc cannot know what it protects, so it
    /// stops. A reflog line that does not parse names nothing (git skips it too).
    static func read(_ backend: FileSystemBackend) throws -> Roots {
        var refs = try backend.list(prefix: "refs/")
        if let head = try backend.resolve("HEAD") { refs.append(("HEAD", head)) }
        var logged: Set<ObjectID> = []
        var logFiles = try files(under: backend.path + "/logs")
        for worktree in try Posix.listDirectory(backend.path + "/worktrees") where worktree.isDirectory {
            let directory = backend.path + "/worktrees/" + worktree.name
            if let bytes = try Posix.readFile(directory + "/HEAD"),
               let id = ObjectID(hex: String(decoding: bytes.prefix(backend.hashAlgorithm.hexLength), as: UTF8.self)) {
                logged.insert(id)
            }
            logFiles += try files(under: directory + "/logs")
        }
        for file in logFiles {
            for entry in try Reflog.read(file, algorithm: backend.hashAlgorithm) {
                logged.insert(entry.old)
                logged.insert(entry.new)
            }
        }
        logged.remove(.zero(backend.hashAlgorithm))
        return Roots(refs: refs, logged: logged.sorted())
    }

    /// The ids in open append packs: this backend's own and other writers'.
    static func openPackObjects(_ backend: FileSystemBackend) throws -> [ObjectID] {
        var ids = backend.appendPack.allIDs()
        let directory = backend.path + "/objects/pack"
        for entry in try Posix.listDirectory(directory)
        where entry.name.hasPrefix(AppendPack.filePrefix) && entry.name.hasSuffix(".pack") {
            let file = directory + "/" + entry.name
            let fd = open(file, O_RDONLY | O_CLOEXEC)
            // Gone: sealed meanwhile, and then among the new packs.
            guard fd >= 0 else { continue }
            defer { close(fd) }
            var reader = AppendPackFile(file: file, algorithm: backend.hashAlgorithm)
            ids += try AppendPackScanner.scan(fd, from: 12, into: &reader).entries.map(\.id)
        }
        return ids
    }

    /// The regular files below `directory`, recursively; empty when it does not exist.
    private static func files(under directory: String) throws -> [String] {
        var result: [String] = []
        for entry in try Posix.listDirectory(directory) {
            let path = directory + "/" + entry.name
            if entry.isDirectory {
                result += try files(under: path)
            } else if !entry.name.hasSuffix(".lock") {
                result.append(path)
            }
        }
        return result
    }
}
