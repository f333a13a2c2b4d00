import ArgumentParser
import Banyan
import BanyanPostgres
import BanyanSync
import Foundation
import Synchronization

/// `-C/--repo PATH`, shared by every command that works on a store.
struct RepositoryOptions: ParsableArguments {
    @Option(name: [.customShort("C"), .customLong("repo")],
            help: ArgumentHelp("The repository: a path, or a postgres:// URL (default: $BANYAN_REPO, then the current directory).", valueName: "path"))
    var repo: String?

    /// The repository path (or PostgreSQL URL) the options name.
    var path: String {
        repo ?? environment("BANYAN_REPO") ?? FileManager.default.currentDirectoryPath
    }

    /// Opens the repository. One-shot commands leave maintenance to a
    /// detached process started as they exit (`.off`, the default);
    /// long-running ones pass `.background`. A partial replica fetches the
    /// values it lacks when they are read, with `$BANYAN_TOKEN` (commands
    /// that take `--token` install their own, see `RemoteOptions.sync`).
    func open(maintenance: FileSystemBackend.AutoMaintenance = .off, launchingMaintenance: Bool = true) throws -> Repository {
        if PostgresLocation.isURL(path) { return try Repository.open(postgres: path) }
        let repository = try Repository.open(at: path, configuration: .init(maintenance: maintenance))
        if maintenance == .off && launchingMaintenance { MaintenanceLauncher.register(repository) }
        try Sync(repository: repository, token: environment("BANYAN_TOKEN")).enableLazyFetch()
        return repository
    }
}

/// `path` as printed: a PostgreSQL URL without its password.
func printableLocation(_ path: String) -> String {
    guard PostgresLocation.isURL(path), let location = try? PostgresLocation(url: path) else { return path }
    return location.description
}

/// `-b/--branch` plus `--at REV`, for commands that read one state.
struct ReadTarget: ParsableArguments {
    @Option(name: [.short, .customLong("branch")], help: "The branch to read (default: HEAD's branch).")
    var branch: String?

    @Option(name: .customLong("at"), help: ArgumentHelp("A revision to read instead of a branch head.", valueName: "rev"))
    var revision: String?

    func validate() throws {
        if branch != nil && revision != nil {
            throw ValidationError("use either -b/--branch or --at, not both")
        }
    }

    /// The snapshot to read.
    func snapshot(in repository: Repository) throws -> Snapshot {
        if let revision { return try repository.snapshot(revision) }
        return try writeBranch(branch, in: repository).snapshot()
    }
}

/// Commit metadata flags for commands that write.
struct CommitOptions: ParsableArguments {
    @Option(name: [.short, .customLong("message")], help: "The commit message.")
    var message: String?

    @Option(help: ArgumentHelp("The author, as \"Name <email>\".", valueName: "author"))
    var author: String?

    /// The author signature (now), or nil for the repository default.
    func signature() throws -> Signature? {
        try author.map { try Identity(parsing: $0).signature() }
    }
}

/// The branch named by `-b`, or the one HEAD points at.
func writeBranch(_ name: String?, in repository: Repository) throws -> Branch {
    if let name { return try repository.branch(name) }
    return try repository.currentBranch()
}

/// Writing to stdout and stderr without Foundation's print buffering surprises.
/// Standard output, buffered as C's stdio buffers it: line by line on a
/// terminal, in 64 KiB blocks otherwise (a pipe or a file, where a write a
/// line made `ls -r` of 100,000 keys a system call each). `BanyanCommand`
/// flushes at the end and before exiting; commands that print as things
/// happen (`watch`, `cat-file`'s batch answers) flush when a reader is
/// waiting.
enum Output {
    private static let pending = Mutex<[UInt8]>([])
    private static let limit = 1 << 16
    private static let toTerminal = isatty(STDOUT_FILENO) == 1

    static func write(_ data: Data) {
        write(Array(data))
    }

    static func write(_ bytes: [UInt8]) {
        let full = pending.withLock { buffer in
            buffer.append(contentsOf: bytes)
            return buffer.count >= limit || (toTerminal && bytes.contains(10))
        }
        if full { flush() }
    }

    static func line(_ text: String) {
        write(Array((text + "\n").utf8))
    }

    /// Writes out what is held.
    static func flush() {
        let bytes = pending.withLock { buffer in
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        guard !bytes.isEmpty else { return }
        FileHandle.standardOutput.write(Data(bytes))
    }

    static func error(_ text: String) {
        flush()
        FileHandle.standardError.write(Data("banyan: \(text)\n".utf8))
    }

    /// A line on stderr as it is, for messages in git's own words (`warning: object …`).
    static func diagnostic(_ text: String) {
        flush()
        FileHandle.standardError.write(Data("\(text)\n".utf8))
    }

    /// Pretty, sorted JSON for `--json` output.
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        write(try encoder.encode(value))
        write(Data("\n".utf8))
    }
}

/// Parses a key argument with the library's validation.
func parseKey(_ text: String) throws -> Key {
    try Key(text)
}

/// `--on-conflict fail|ours|theirs`, as `merge`, `pull` and `sync` take it.
extension ConflictRule: ExpressibleByArgument {}
