#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Banyan
import Foundation
import Synchronization

/// What `git` does after a write with `gc --auto --detach`: when a command
/// wrote to a store and the store's thresholds make maintenance due, a
/// `banyan maintenance run --auto` starts in its own session, detached, so
/// the command exits at once and the repack runs on.
enum MaintenanceLauncher {
    private static let opened = Mutex<[Repository]>([])
    /// glibc's `POSIX_SPAWN_SETSID` (a GNU extension Swift does not import).
    private static let spawnNewSession: Int32 = 0x80
    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34; not imported either).
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// Remembers a store this command opened, to check when it is done.
    static func register(_ repository: Repository) {
        opened.withLock { $0.append(repository) }
    }

    /// Starts a detached maintenance run for each store this command wrote
    /// to whose maintenance is due. Failures are ignored: the write is done,
    /// and the next write tries again.
    static func launchIfDue() {
        for repository in opened.withLock({ $0 }) {
            guard let store = repository.objects as? any MaintainableStore, store.hasStoredObjects, let path = repository.path,
                  let due = try? repository.maintenanceDue(), !due.isEmpty
            else { continue }
            spawnDetached(["maintenance", "run", "--auto", "--quiet", "-C", path])
        }
    }

    /// Runs this executable with `arguments` in a new session, its standard
    /// streams on `/dev/null`, without waiting for it.
    private static func spawnDetached(_ arguments: [String]) {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return }
        var attributes = posix_spawnattr_t()
        var actions = posix_spawn_file_actions_t()
        posix_spawnattr_init(&attributes)
        posix_spawn_file_actions_init(&actions)
        defer {
            posix_spawnattr_destroy(&attributes)
            posix_spawn_file_actions_destroy(&actions)
        }
        posix_spawnattr_setflags(&attributes, Int16(spawnNewSession))
        for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == STDIN_FILENO ? O_RDONLY : O_WRONLY, 0)
        }
        // Nothing else this process inherited goes with it: a pipe's write end
        // kept open by the maintenance run makes whoever started this command
        // and reads that pipe (Foundation's `Process` does) wait for the
        // repack too, as git's daemonize closes everything for the same reason.
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        _ = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
    }
}
