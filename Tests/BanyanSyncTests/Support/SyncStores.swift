import Banyan
import BanyanPostgres
import BanyanSync
import BanyanTestSupport
import Foundation
import Synchronization
import Testing

/// Where a test keeps the stores of its devices (and of a server it runs in-process).
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    /// `Repository.inMemory()`.
    case memory
    /// A store of its own on the PostgreSQL test server (``PostgresTestServer``).
    case postgres

    var testDescription: String { rawValue }

    /// A new, empty store.
    func make() throws -> Repository {
        switch self {
        case .memory: try Repository.inMemory()
        case .postgres: try Repository.create(postgres: try PostgresTestServer.freshStoreURL("sync"))
        }
    }

    /// A new store cloned from `url` (remote `origin`, branch `main`).
    func clone(_ url: String) async throws -> Repository {
        let repository = try make()
        try await Sync.clone(url: url, into: repository)
        return repository
    }
}

/// A new in-memory store cloned from `url` (remote `origin`, branch `main`).
func cloneInMemory(_ url: String) async throws -> Repository {
    try await StoreBackend.memory.clone(url)
}

/// Checks `store` as git sees it: `git fsck --strict` on it when it is on
/// the filesystem, else on a mirror cloned from `url`, where it is served.
func expectGitClean(_ store: Repository, servedAt url: String) async throws {
    if let path = store.path {
        try await git(["fsck", "--strict"], in: path)
        return
    }
    let mirror = TemporaryDirectory()
    try await git(["clone", "--mirror", "-q", url, mirror.appending("mirror.git")])
    try await git(["fsck", "--strict"], in: mirror.appending("mirror.git"))
}

/// The value of `key` on `main`, as text; nil when absent.
func text(_ repository: Repository, _ key: String) throws -> String? {
    try repository.branch("main").find(try Key(key)).map { String(decoding: $0, as: UTF8.self) }
}

/// The messages of every commit on `main`, newest first.
func messages(_ repository: Repository) throws -> [String] {
    guard let head = try repository.branch("main").head() else { return [] }
    return try repository.log(from: head).map { String(decoding: $0.commit.message, as: UTF8.self).trimmingCharacters(in: .newlines) }
}

/// Sets `key` to `value` on `main` in one commit whose message is `message`.
func commit(_ repository: Repository, _ key: String, _ value: String, _ message: String? = nil, time: Int64 = 1_800_000_000) throws {
    try repository.branch("main").set(try Key(key), Data(value.utf8), message: message ?? "set \(key)", author: signature(time))
}

/// A ref store over a `MemoryBackend` that runs a hook once, just before
/// the next update of one ref: a test's way to make something happen
/// between two steps of a sync (another device pushing, say).
final class HookedRefs: RefStore, Sendable {
    let inner: MemoryBackend
    private let hook = Mutex<(ref: String, run: @Sendable () throws -> Void)?>(nil)

    init(_ inner: MemoryBackend) {
        self.inner = inner
    }

    /// Runs `run` once, before the next update of `ref`.
    func beforeNextUpdate(of ref: String, _ run: @escaping @Sendable () throws -> Void) {
        hook.withLock { $0 = (ref, run) }
    }

    func find(_ name: String) throws -> RefValue? { try inner.find(name) }

    func compareAndSwap(_ name: String, expected: RefExpectation, new: ObjectID, log: ReflogEntry?) throws {
        let run = hook.withLock { hook -> (@Sendable () throws -> Void)? in
            guard let armed = hook, armed.ref == name else { return nil }
            hook = nil
            return armed.run
        }
        try run?()
        try inner.compareAndSwap(name, expected: expected, new: new, log: log)
    }

    func delete(_ name: String, expected: RefExpectation) throws { try inner.delete(name, expected: expected) }
    func list(prefix: String) throws -> [(name: String, id: ObjectID)] { try inner.list(prefix: prefix) }
    func setSymbolic(_ name: String, target: String) throws { try inner.setSymbolic(name, target: target) }
    func reflog(_ name: String) throws -> [ReflogEntry] { try inner.reflog(name) }
}
