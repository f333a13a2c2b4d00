#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether a `git` process is reading a repository's packs right now, so
/// that deleting the packs a repack replaced can wait for it.
///
/// `git fsck` lists the packs once, when it starts, and fails on one that
/// is deleted before it reads it ("packfile … index not opened"); a grace
/// period alone cannot prevent that, since on a store written all day some
/// replaced pack always comes of age while a long fsck runs. A git process
/// that reads a repository's objects maps its pack indexes (or its
/// multi-pack-index) from the moment it reads its first object until it
/// exits, so: a process whose name starts with `git` and that maps a file
/// of `objects/pack/` is a reader.
///
/// Linux only (`/proc/<pid>/comm` and `/proc/<pid>/maps`, readable for the
/// user's own processes); elsewhere no reader is ever seen and the grace
/// period alone applies. Cost: one small read per process on the machine,
/// and one read of the memory map of each `git` process.
enum GitReaders {
    /// True when a `git` process other than this one maps a file in `packDirectory`.
    static func areReading(_ packDirectory: String) -> Bool {
        #if os(Linux)
        let directory = canonical(packDirectory) + "/"
        guard let processes = try? Posix.listDirectory("/proc") else { return false }
        let own = getpid()
        for process in processes where process.isDirectory {
            guard let pid = Int32(process.name), pid != own,
                  let comm = try? Posix.readFile("/proc/\(process.name)/comm"),
                  comm.starts(with: Array("git".utf8)),
                  let maps = try? Posix.readFile("/proc/\(process.name)/maps")
            else { continue }
            if String(decoding: maps, as: UTF8.self).contains(directory) { return true }
        }
        #endif
        return false
    }

    /// `path` with symbolic links resolved, as `/proc/<pid>/maps` names files.
    private static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return Posix.absolutePath(path) }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
