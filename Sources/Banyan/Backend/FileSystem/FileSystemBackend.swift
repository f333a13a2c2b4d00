import Synchronization

/// A backend that is a bare Git repository on disk: loose objects under
/// `objects/`, refs as files under `refs/` and in `packed-refs`, reflogs
/// under `logs/`, with the same lock files `git` uses.
///
/// `git log`, `git cat-file` and `git fsck --strict` work on the directory,
/// and `git` may run against it at the same time as Banyan: ref updates on
/// both sides exclude each other through `<ref>.lock` files.
///
/// Thread-safety: the only in-memory state is the list of mapped packs
/// (behind a mutex); everything else goes to the filesystem, and concurrent
/// writers (threads or processes) are serialized per ref by lock files. Objects are immutable files written by
/// rename, so readers never see a partial object or ref.
///
/// Objects are read from pack files (`objects/pack/pack-*.pack`, memory-mapped)
/// and loose files; new objects go to an append pack (``WriteMode/pack``,
/// sealed before any ref moves and on ``flush()``) or to loose files
/// (``WriteMode/loose``). A ref therefore never names an object `git`
/// cannot read, at any instant, even if the process is killed.
public final class FileSystemBackend: ObjectStore, RefStore, RefChangeSource, Sendable {
    /// When writes reach stable storage.
    public enum Durability: Sendable, Hashable {
        /// Leave flushing to the operating system: fast, but a power cut may
        /// lose writes that already returned (the repository stays readable).
        case none
        /// Flush new object files, ref files and their directories with
        /// `fsync` before `put`, `putBatch` or a ref update returns.
        case commit
    }

    /// The repository directory, absolute.
    public let path: String
    /// The hash function of the repository (`extensions.objectformat`).
    public let hashAlgorithm: HashAlgorithm
    /// When writes reach stable storage.
    public let durability: Durability
    /// How new objects are written.
    public let writeMode: WriteMode
    /// How long a writer waits for another's `packed-refs.lock` (`core.packedRefsTimeout`).
    let packedRefsTimeout: Duration
    /// The sealed pack files, loaded lazily.
    let packs: PackSet
    /// The open pack new objects go to in `.pack` mode.
    let appendPack: AppendPack
    /// Whether writes start maintenance in the background.
    public let maintenance: AutoMaintenance
    /// Runs due maintenance after writes, when `maintenance` is `.background`.
    let scheduler = MaintenanceScheduler()
    /// Set once this backend sealed or installed a pack or wrote loose objects.
    private let changedObjectFiles = Atomic<Bool>(false)
    /// Posted to after every ref change of this backend, and of other processes once something waits.
    public let refChanges = RefChangeNotifier()
    /// The inotify watch of the ref files, started by the first wait on `refChanges`.
    private let refWatcher = Mutex<RefFileWatcher?>(nil)

    /// Whether a store keeps itself in shape while this process writes.
    public enum AutoMaintenance: Sendable, Hashable {
        /// After a write adds a pack or loose objects, the tasks the store's
        /// thresholds make due (``Repository/maintenanceDue()``) run on a
        /// background queue of this process; writers never wait for them.
        case background
        /// Nothing runs unless asked (``Repository/runMaintenance(_:auto:)``):
        /// for a process that exits right after its write and hands
        /// maintenance to another (the `banyan` CLI starts a detached one).
        case off
    }

    private init(path: String, hashAlgorithm: HashAlgorithm, durability: Durability, writeMode: WriteMode,
                 packSizeLimit: UInt64, maintenance: AutoMaintenance, packedRefsTimeout: Duration = .seconds(1)) {
        self.maintenance = maintenance
        self.packedRefsTimeout = packedRefsTimeout
        self.path = path
        self.hashAlgorithm = hashAlgorithm
        self.durability = durability
        self.writeMode = writeMode
        let packDirectory = path + "/objects/pack"
        packs = PackSet(directory: packDirectory, algorithm: hashAlgorithm)
        appendPack = AppendPack(directory: packDirectory, algorithm: hashAlgorithm, sizeLimit: packSizeLimit)
        refChanges.onFirstWait { [weak self] in self?.watchRefFiles() ?? false }
    }

    deinit {
        refWatcher.withLock { $0?.stop() }
    }

    /// Starts the inotify watch of the ref files; false when it cannot run here.
    private func watchRefFiles() -> Bool {
        refWatcher.withLock { watcher in
            if watcher == nil { watcher = RefFileWatcher.start(root: path, notifier: refChanges) }
            return watcher != nil
        }
    }

    var isDurable: Bool { durability == .commit }

    /// Tells the background scheduler that object files changed (a pack
    /// sealed or installed, loose objects written).
    func objectFilesChanged() {
        changedObjectFiles.store(true, ordering: .relaxed)
        if maintenance == .background { scheduler.poke(self) }
    }

    /// True once this backend has sealed or installed a pack or written
    /// loose objects: what makes maintenance worth a check when it is `.off`.
    public var hasStoredObjects: Bool {
        changedObjectFiles.load(ordering: .relaxed)
    }

    /// Blocks until the background maintenance started so far is done;
    /// returns at once with `.off`. For tests and orderly shutdown.
    public func waitForMaintenance() {
        scheduler.waitUntilIdle()
    }

    /// Seals the open append packs of writers that died, and maps them.
    func recoverAbandonedPacks() throws {
        let sealed = try AbandonedAppendPacks.recoverAll(directory: path + "/objects/pack", algorithm: hashAlgorithm,
                                                         except: appendPack.currentFile)
        for base in sealed { try packs.add(base) }
    }

    /// Creates a bare repository at `path`, laid out as `git init --bare`
    /// makes it, with `HEAD` pointing at `refs/heads/<initialBranch>`.
    ///
    /// Creates `path` and its missing parents; `configuration` says how the
    /// store writes (its `durability` nil means `.none`). Throws
    /// `alreadyExists` when a repository is there already, `invalidRefName`
    /// for a bad branch name, `io` when a file cannot be written.
    public static func create(
        at path: String, hashAlgorithm: HashAlgorithm = .sha1, initialBranch: String = "main",
        configuration: Configuration = .default
    ) throws -> FileSystemBackend {
        let durability = configuration.durability ?? .none
        let root = Posix.absolutePath(path)
        let head = try RefName.branch(initialBranch)
        if ["HEAD", "config"].contains(where: { Posix.fileType(root + "/" + $0) != nil }) {
            throw BanyanError(.alreadyExists, "\(root) already holds a Git repository")
        }
        for directory in ["objects/info", "objects/pack", "refs/heads", "refs/tags", "info"] {
            try Posix.makeDirectories(root + "/" + directory)
        }
        // `config` is created exclusively, so of two concurrent `create`s one
        // fails; `HEAD` comes last because it is what marks a repository.
        try Posix.createFile(root + "/config", RepositoryConfig.initial(hashAlgorithm).text, exclusive: true)
        try Posix.createFile(root + "/description", "Unnamed repository; edit this file 'description' to name the repository.\n")
        try Posix.createFile(root + "/HEAD", "ref: \(head)\n")
        if durability == .commit { try Posix.fsyncDirectory(root) }
        return FileSystemBackend(path: root, hashAlgorithm: hashAlgorithm, durability: durability,
                                 writeMode: configuration.writeMode, packSizeLimit: configuration.packSizeLimit,
                                 maintenance: configuration.maintenance)
    }

    /// Opens the bare repository at `path` (a `.git` directory or one made by
    /// `git init --bare`), reading its hash function from `config`.
    ///
    /// Throws `invalidRepository` when `path` is not a repository or its
    /// config does not parse, and `unsupported` for a repository format or
    /// extension Banyan cannot honour (`repositoryformatversion` above 1,
    /// `extensions.refstorage`, …).
    ///
    /// Seals open append packs that writers left behind when they crashed
    /// (complete objects are kept, a torn last entry is dropped); when that
    /// cannot be written (a full disk), they are read as they are.
    /// A `configuration.durability` of nil means the repository's setting:
    /// `banyan.durability` in `config` (`none` or `commit`), `none` when unset.
    public static func open(at path: String, configuration: Configuration = .default) throws -> FileSystemBackend {
        let root = Posix.absolutePath(path)
        let isRepository = Posix.fileType(root + "/HEAD") == .file
            && Posix.fileType(root + "/objects") == .directory
            && Posix.fileType(root + "/refs") == .directory
        guard isRepository else {
            let hint = Posix.fileType(root + "/.git") == .directory ? " (open its .git directory)" : ""
            throw BanyanError(.invalidRepository, "\(root) is not a Git repository: it needs a HEAD file and objects/ and refs/ directories\(hint)")
        }
        let config = try readConfig(root)
        let algorithm = try RepositoryConfig.hashAlgorithm(of: config, path: root)
        let backend = FileSystemBackend(path: root, hashAlgorithm: algorithm,
                                        durability: try configuration.durability ?? RepositoryConfig.durability(of: config, path: root),
                                        writeMode: configuration.writeMode, packSizeLimit: configuration.packSizeLimit,
                                        maintenance: configuration.maintenance,
                                        packedRefsTimeout: try RepositoryConfig.packedRefsTimeout(of: config, path: root))
        do {
            try backend.recoverAbandonedPacks()
        } catch let error as BanyanError where error.code == .io {
            // A full or failing disk must not lock readers out: the abandoned
            // packs stay readable as they are, and the next open or gc seals them.
        }
        return backend
    }

    /// The repository's `config` file, parsed; empty when there is none.
    ///
    /// Throws `invalidRepository` when it does not parse.
    public func loadConfig() throws -> GitConfig {
        try Self.readConfig(path)
    }

    /// Reads `config`, lets `body` change it and writes it back, under
    /// `config.lock` from the read to the write, so that concurrent writers
    /// (and `git config`) exclude each other. Nothing is written when `body` throws.
    ///
    /// Comments in the old file are not kept. Throws `refLocked` when the
    /// lock stays taken, `invalidRepository` when the file does not parse,
    /// `io` on a write failure.
    public func updateConfig<Result>(_ body: (inout GitConfig) throws -> Result) throws -> Result {
        try LockFile.withLock(on: path + "/config") { lock in
            var config = try Self.readConfig(path)
            let result = try body(&config)
            try lock.write(Array(config.text.utf8))
            try lock.commit(durable: isDurable)
            return result
        }
    }

    private static func readConfig(_ root: String) throws -> GitConfig {
        guard let bytes = try Posix.readFile(root + "/config") else { return GitConfig() }
        do {
            return try GitConfig(parsing: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw BanyanError(.invalidRepository, "\(root)/config does not parse", cause: error)
        }
    }
}
