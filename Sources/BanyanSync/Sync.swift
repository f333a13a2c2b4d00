import Banyan
import Foundation

/// Clone, fetch, push and pull between repositories: the operations the
/// `banyan` commands run, as an async library API (cancellable through the
/// calling task).
public struct Sync: Sendable {
    /// The local repository.
    public let repository: Repository
    /// A token for HTTP remotes (sent as `Authorization: Bearer`), or nil.
    public var token: String?
    /// Receives progress lines, or nil for silence.
    public var progress: (@Sendable (String) -> Void)?
    /// Receives what Git's fsck rules found in fetched objects without
    /// refusing them (they are also in `FetchResult.warnings`).
    public var warning: (@Sendable (FsckFinding) -> Void)?
    /// A PEM file of the certificate authorities https remotes are verified
    /// against; nil takes the repository's `http.sslCAInfo`, and without
    /// that the system's trust store.
    public var caFile: String?
    /// Keys of encrypted remotes by remote name, for stores that keep none
    /// themselves (in memory); others read theirs from ``RemoteKeys``.
    public var remoteKeys: [String: RemoteKey] = [:]

    /// Sync operations on `repository`.
    public init(
        repository: Repository, token: String? = nil, progress: (@Sendable (String) -> Void)? = nil,
        warning: (@Sendable (FsckFinding) -> Void)? = nil, caFile: String? = nil
    ) {
        self.repository = repository
        self.token = token
        self.progress = progress
        self.warning = warning
        self.caFile = caFile
    }

    /// The transport for `url`: HTTP(S) for URLs (https verified against
    /// `caFile`'s authorities when given), a local transport for paths and
    /// for the URLs of schemes registered in ``RemoteStoreSchemes``.
    public static func transport(for url: String, token: String? = nil, caFile: String? = nil) throws -> any Transport {
        let lower = url.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            return try HTTPTransport(url: url, token: token, caFile: caFile)
        }
        if let open = RemoteStoreSchemes.opener(for: url) { return LocalTransport(repository: try open(url)) }
        let path = lower.hasPrefix("file://") ? String(url.dropFirst("file://".count)) : url
        return try LocalTransport(path: path)
    }

    /// The transport to `url` with this sync's token and certificate authorities.
    func transport(_ url: String) throws -> any Transport {
        let caFile = try caFile ?? repository.loadConfig().value(forKey: "http.sslCAInfo")
        return try Self.transport(for: url, token: token, caFile: caFile)
    }

    func client(_ url: String) throws -> GitClient {
        GitClient(transport: try transport(url), repository: repository, progress: progress)
    }

    /// What a fetch did.
    public struct FetchSummary: Sendable {
        /// Remote-tracking refs (or tags) that moved, with their new values.
        public var updated: [String: ObjectID]
        /// The transfer.
        public var result: FetchResult
        /// The remote's refs.
        public var remoteRefs: RemoteRefs
    }

    /// Fetches every branch and tag of `remote`, updating `refs/remotes/NAME/*`
    /// (and creating tags the repository lacks). Sends no pack request when
    /// nothing is missing.
    public func fetch(remote name: String = "origin", depth: Int? = nil) async throws -> FetchSummary {
        return try await fetch(try Remotes.get(name, in: repository), depth: depth)
    }

    /// Fetches from `url` into refs under `trackingPrefix`.
    /// A `url` naming a Git bundle file is read as `git fetch FILE.bundle` does.
    /// From the promisor remote of a partial replica (by its URL), the
    /// fetch is a partial one, as `fetch(remote:depth:)` makes it.
    public func fetch(url: String, trackingPrefix: String, depth: Int? = nil) async throws -> FetchSummary {
        try await fetch(url: url, trackingPrefix: trackingPrefix, depth: depth, partial: try partialReplica(fetching: url))
    }

    /// Fetches as above; for a partial replica (`partial`), with its filter
    /// into promisor packs, then the values under its prefixes at the
    /// fetched branches and tags.
    func fetch(url: String, trackingPrefix: String, depth: Int?, partial: PartialReplica?) async throws -> FetchSummary {
        if let bundle = Self.bundlePath(url) {
            let summary = try fetchBundle(bundle, trackingPrefix: trackingPrefix, depth: depth)
            summary.result.warnings.forEach { warning?($0) }
            return summary
        }
        let client = try client(url)
        let refs = try await client.listRefs(prefixes: ["refs/heads/", "refs/tags/", ConflictInbox.refName])
        var result = try await client.fetch(wants: refs.refs.map(\.id), depth: depth, filter: partial?.filter,
                                            promisor: partial != nil)
        if let partial {
            let branches = Dictionary(refs.refs.filter { $0.name.hasPrefix("refs/heads/") }
                .map { (String($0.name.dropFirst("refs/heads/".count)), $0.id) }) { $1 }
            for fetched in [try await fetchValues(partial, at: refs.refs.map(\.id), client: client),
                            try await fetchMergeInputs(partial, remote: branches, client: client),
                            try await fetchInbox(refs.find(ConflictInbox.refName)?.id, client: client)].compactMap({ $0 }) {
                result.objects += fetched.objects
                result.packBytes += fetched.packBytes
                result.rounds += fetched.rounds
                result.warnings += fetched.warnings
            }
        }
        result.warnings.forEach { warning?($0) }
        var updated: [String: ObjectID] = [:]
        let log = ReflogEntry(old: .zero(repository.hashAlgorithm), new: .zero(repository.hashAlgorithm),
                              committer: repository.defaultAuthor.signature(), message: "fetch: \(url)")
        for ref in refs.refs {
            let local: String
            var expectation = RefExpectation.any
            if ref.name.hasPrefix("refs/heads/") {
                local = trackingPrefix + ref.name.dropFirst("refs/heads/".count)
            } else if ref.name.hasPrefix("refs/tags/"), try repository.objects.contains(ref.id) {
                local = ref.name
                expectation = .absent
            } else if ref.name == ConflictInbox.refName, let tracking = Self.inboxTracking(trackingPrefix) {
                local = tracking
            } else {
                continue
            }
            if case .direct(let current) = try repository.refs.find(local), current == ref.id { continue }
            if expectation == .absent, try repository.refs.find(local) != nil { continue }
            try repository.refs.compareAndSwap(local, expected: expectation, new: ref.id, log: log)
            updated[local] = ref.id
        }
        for stale in try repository.refs.list(prefix: trackingPrefix)
        where refs.find("refs/heads/" + stale.name.dropFirst(trackingPrefix.count)) == nil {
            try repository.refs.delete(stale.name, expected: .value(stale.id))
        }
        if refs.find(ConflictInbox.refName) == nil, let tracking = Self.inboxTracking(trackingPrefix),
           let stale = try repository.refs.resolve(tracking) {
            try repository.refs.delete(tracking, expected: .value(stale))
        }
        return FetchSummary(updated: updated, result: result, remoteRefs: refs)
    }

    /// Where a remote's conflict inbox is kept when fetching into
    /// `refs/remotes/NAME/`: `refs/banyan/remotes/NAME/conflicts` (outside
    /// the remote's branches, so no branch name can collide with it); nil
    /// for other tracking prefixes.
    static func inboxTracking(_ trackingPrefix: String) -> String? {
        guard trackingPrefix.hasPrefix("refs/remotes/"), trackingPrefix.hasSuffix("/") else { return nil }
        return "refs/banyan/remotes/" + trackingPrefix.dropFirst("refs/remotes/".count) + "conflicts"
    }

    /// Clones `url` into a new repository at `path`: remote `origin`, all
    /// branches as `refs/remotes/origin/*`, and a local branch (`branch`, or
    /// the remote's `HEAD` branch) checked out as `HEAD`. `url` may name a
    /// Git bundle file, as for `git clone FILE.bundle`. A `caFile` an https
    /// clone was verified with is kept as the new store's `http.sslCAInfo`.
    /// With `partial`, the clone is a partial replica (`PartialReplica`):
    /// every commit and tree, the values under its prefixes, the rest
    /// fetched when read. On failure the new repository is removed.
    public static func clone(
        url: String, to path: String, depth: Int? = nil, branch: String? = nil, token: String? = nil,
        progress: (@Sendable (String) -> Void)? = nil, warning: (@Sendable (FsckFinding) -> Void)? = nil,
        caFile: String? = nil, partial: PartialReplica? = nil
    ) async throws -> Repository {
        let format = try await objectFormat(of: url, token: token, caFile: caFile)
        let repository = try Repository.create(at: path, hashAlgorithm: format, initialBranch: branch ?? "main")
        do {
            try await populate(repository, from: url, depth: depth, branch: branch, token: token, progress: progress,
                               warning: warning, caFile: caFile, partial: partial)
            return repository
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }

    /// Clones `url` into `repository`, which must have no refs yet (a new
    /// store of any backend, such as `Repository.inMemory()`): as the
    /// path version, with the remote, `http.sslCAInfo` and the partial
    /// replica's settings kept in the repository's configuration.
    ///
    /// Throws `alreadyExists` when the repository has refs, `invalidArgument`
    /// when the remote uses another hash function, `unsupported` when the
    /// repository keeps no configuration (no `ConfigStore`), and what
    /// fetching throws.
    public static func clone(
        url: String, into repository: Repository, depth: Int? = nil, branch: String? = nil, token: String? = nil,
        progress: (@Sendable (String) -> Void)? = nil, warning: (@Sendable (FsckFinding) -> Void)? = nil,
        caFile: String? = nil, partial: PartialReplica? = nil
    ) async throws {
        guard try repository.refs.list(prefix: "refs/").isEmpty else {
            throw BanyanError(.alreadyExists, "a clone needs an empty repository; this one has refs")
        }
        let format = try await objectFormat(of: url, token: token, caFile: caFile)
        guard format == repository.hashAlgorithm else {
            throw BanyanError(.invalidArgument, "the remote uses \(format) object ids and the repository \(repository.hashAlgorithm)")
        }
        try await populate(repository, from: url, depth: depth, branch: branch, token: token, progress: progress,
                           warning: warning, caFile: caFile, partial: partial)
    }

    /// Clones `url` into a new repository that `create` makes, of any
    /// backend (a PostgreSQL store), given the remote's hash function: as the
    /// path version otherwise. On failure the new repository is left as the
    /// clone left it; removing it is the caller's.
    ///
    /// Throws what `create` throws and what fetching throws.
    public static func clone(
        url: String, creating create: (HashAlgorithm) throws -> Repository, depth: Int? = nil, branch: String? = nil,
        token: String? = nil, progress: (@Sendable (String) -> Void)? = nil,
        warning: (@Sendable (FsckFinding) -> Void)? = nil, caFile: String? = nil
    ) async throws -> Repository {
        let repository = try create(try await objectFormat(of: url, token: token, caFile: caFile))
        try await populate(repository, from: url, depth: depth, branch: branch, token: token, progress: progress,
                           warning: warning, caFile: caFile, partial: nil)
        return repository
    }

    /// The clone's work in a new repository of the remote's format: remote, CA, fetch, branch and `HEAD`.
    private static func populate(
        _ repository: Repository, from url: String, depth: Int?, branch: String?, token: String?,
        progress: (@Sendable (String) -> Void)?, warning: (@Sendable (FsckFinding) -> Void)?, caFile: String?,
        partial: PartialReplica?
    ) async throws {
        // A path (a store or a bundle) is recorded absolute, as git does, so
        // the clone fetches from it whatever directory it runs in.
        let remoteURL = url.contains("://") ? url : URL(fileURLWithPath: url).standardizedFileURL.path
        try Remotes.add(Remote(name: "origin", url: remoteURL), to: repository)
        if let partial {
            guard Self.bundlePath(url) == nil else {
                throw BanyanError(.unsupported, "a bundle cannot be the promisor remote of a partial replica")
            }
            try partial.record(remote: "origin", in: repository)
        }
        if let caFile {
            // Later fetches and pushes trust the authority the clone trusted.
            try repository.updateConfig {
                try $0.set(URL(fileURLWithPath: caFile).standardizedFileURL.path, forKey: "http.sslCAInfo")
            }
        }
        let sync = Sync(repository: repository, token: token, progress: progress, warning: warning, caFile: caFile)
        let summary = try await sync.fetch(remote: "origin", depth: depth)
        let target = branch.map { "refs/heads/\($0)" } ?? summary.remoteRefs.headTarget ?? "refs/heads/main"
        let name = String(target.dropFirst("refs/heads/".count))
        if let remoteHead = summary.remoteRefs.find(target) {
            try repository.refs.compareAndSwap(target, expected: .absent, new: remoteHead.id, log: nil)
        } else if let branch {
            throw BanyanError(.refNotFound, "the remote has no branch \(branch)")
        }
        try repository.refs.setSymbolic("HEAD", target: "refs/heads/\(name)")
        if let tracking = inboxTracking("refs/remotes/origin/"), let inbox = try repository.refs.resolve(tracking) {
            try ConflictInbox(repository: repository).merge(inbox)
        }
    }

    /// The object format of the repository at `url` (a bundle's, or a remote's from its capabilities).
    private static func objectFormat(of url: String, token: String?, caFile: String?) async throws -> HashAlgorithm {
        if let bundle = Self.bundlePath(url) { return try BundleHeader.read(from: bundle).algorithm }
        return try await remoteObjectFormat(try Self.transport(for: url, token: token, caFile: caFile))
    }

    /// The remote's object format, from its v2 capabilities.
    static func remoteObjectFormat(_ transport: any Transport) async throws -> HashAlgorithm {
        let bytes = try await transport.advertisement(service: .uploadPack, version2: true)
        var reader = PktLineReader(bytes)
        while let line = try reader.next() {
            guard case .data(let payload) = line else { continue }
            // A v0 advertisement lists capabilities after a NUL on its first ref line.
            let words = String(decoding: payload, as: UTF8.self).split(whereSeparator: { $0 == "\0" || $0 == " " || $0 == "\n" })
            guard let text = words.first(where: { $0.hasPrefix("object-format=") }) else { continue }
            guard let format = HashAlgorithm(rawValue: String(text.dropFirst(14))) else {
                throw BanyanError(.unsupported, "the remote uses \(text), which Banyan does not support")
            }
            return format
        }
        return .sha1
    }

    /// Pushes local branch `branch` to the same name on `remote`, then moves
    /// `refs/remotes/REMOTE/BRANCH` to match. Refused refs are in the result.
    public func push(remote name: String = "origin", branch: String, force: Bool = false) async throws -> PushResult {
        let remote = try Remotes.get(name, in: repository)
        guard let head = try repository.refs.resolve("refs/heads/\(branch)") else {
            throw BanyanError(.refNotFound, "there is no local branch \(branch)")
        }
        return try await push(head, to: remote, branch: branch, force: force)
    }

    /// Pushes `head` to `branch` on `remote`, then moves `refs/remotes/REMOTE/BRANCH` to match.
    func push(_ head: ObjectID, to remote: Remote, branch: String, force: Bool = false) async throws -> PushResult {
        let ref = "refs/heads/\(branch)"
        let result: PushResult
        if try isEncrypted(remote) {
            let refusal = try await encrypted(remote).push(ref, new: head, force: force)
            result = PushResult(statuses: [ref: refusal], objectCount: 0, packBytes: 0)
        } else {
            result = try await client(remote.url).push([RefUpdate(name: ref, new: head, force: force)])
        }
        if result.statuses[ref] == .some(nil) {
            try repository.refs.compareAndSwap("refs/remotes/\(remote.name)/\(branch)", expected: .any, new: head, log: nil)
        }
        return result
    }
}

extension Sync {
    /// Fetches `remote`, then merges `refs/remotes/REMOTE/BRANCH` into the
    /// local `branch` (fast-forward when possible, else a merge commit built
    /// with the store's merge strategies). Conflicts left by `onConflict`
    /// come back in the outcome and the branch does not move. The remote's
    /// conflict inbox is merged into this store's.
    public func pull(
        remote name: String = "origin", branch: String, onConflict: ConflictPolicy = .fail, message: String? = nil
    ) async throws -> MergeOutcome {
        _ = try await fetch(remote: name)
        if let tracking = Self.inboxTracking("refs/remotes/\(name)/"), let inbox = try repository.refs.resolve(tracking) {
            try ConflictInbox(repository: repository).merge(inbox)
        }
        guard let outcome = try mergeTracking(remote: name, branch: branch, onConflict: onConflict, message: message) else {
            throw BanyanError(.refNotFound, "remote \(name) has no branch \(branch)")
        }
        return outcome
    }

    /// Merges `refs/remotes/REMOTE/BRANCH` into the local `branch`, as `pull`
    /// does after its fetch; nil when the remote has no such branch.
    func mergeTracking(
        remote name: String, branch: String, onConflict: ConflictPolicy, message: String? = nil
    ) throws -> MergeOutcome? {
        let tracking = "refs/remotes/\(name)/\(branch)"
        guard try repository.refs.resolve(tracking) != nil else { return nil }
        return try repository.merge(from: tracking, into: try repository.branch(branch), onConflict: onConflict,
                                    message: message ?? "Merge branch '\(branch)' of \(name)")
    }
}
