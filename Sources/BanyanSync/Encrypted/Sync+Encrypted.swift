import Banyan
import Foundation

/// Encrypted remotes in the sync operations: a remote whose configuration
/// says `banyanencrypted = true` is fetched from and pushed to through
/// ``EncryptedRemote``; fetch, pull, push and sync (and so live sync) work
/// unchanged on top.
extension Sync {
    /// Adds remote `name` at `url` as an encrypted remote with `key`, kept
    /// in the store's directory (see ``RemoteKeys``; a store in memory keeps
    /// none: pass the key in ``remoteKeys``). `salt` is the scrypt salt when
    /// the key comes from a passphrase; it is written, in clear, on the
    /// remote, so that other devices can derive the key from the same
    /// passphrase.
    public static func addEncryptedRemote(
        _ name: String, url: String, key: RemoteKey, salt: [UInt8]? = nil, to repository: Repository
    ) throws {
        try Remotes.add(Remote(name: name, url: url), to: repository)
        try repository.updateConfig { config in
            try config.set("true", forKey: "remote.\(name).banyanencrypted")
            if let salt { try config.set(salt.map { String(format: "%02x", $0) }.joined(), forKey: "remote.\(name).banyansalt") }
        }
        if repository.path != nil { try RemoteKeys.save(key, for: name, in: repository) }
    }

    /// Clones the encrypted remote at `url` into a new store at `path`, as
    /// ``clone(url:to:depth:branch:token:progress:warning:caFile:partial:)`` does a
    /// plain one: remote `origin` (encrypted, with `key` kept in the new
    /// store), its branches as `refs/remotes/origin/*`, a local branch
    /// (`branch`, or the one the remote's manifest names) as `HEAD`, and its
    /// conflict inbox. On failure the new store is removed.
    public static func cloneEncrypted(
        url: String, to path: String, key: RemoteKey, salt: [UInt8]? = nil, branch: String? = nil,
        token: String? = nil, caFile: String? = nil
    ) async throws -> Repository {
        let repository = try Repository.create(at: path, initialBranch: branch ?? "main")
        do {
            try addEncryptedRemote("origin", url: url, key: key, salt: salt, to: repository)
            if let caFile {
                try repository.updateConfig {
                    try $0.set(URL(fileURLWithPath: caFile).standardizedFileURL.path, forKey: "http.sslCAInfo")
                }
            }
            let sync = Sync(repository: repository, token: token, caFile: caFile)
            let summary = try await sync.fetch(remote: "origin")
            let target = branch.map { "refs/heads/\($0)" } ?? summary.remoteRefs.headTarget ?? "refs/heads/main"
            if let head = summary.remoteRefs.find(target) {
                try repository.refs.compareAndSwap(target, expected: .absent, new: head.id, log: nil)
            } else if let branch {
                throw BanyanError(.refNotFound, "the remote has no branch \(branch)")
            }
            try repository.refs.setSymbolic("HEAD", target: target)
            if let tracking = inboxTracking("refs/remotes/origin/"), let inbox = try repository.refs.resolve(tracking) {
                try ConflictInbox(repository: repository).merge(inbox)
            }
            return repository
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }

    /// The scrypt salt an encrypted remote at `url` was set up with, or nil
    /// when it has no data yet or its key was not made from a passphrase.
    public func encryptedRemoteSalt(url: String) async throws -> [UInt8]? {
        let client = try client(url)
        guard let carrier = try await client.listRefs(prefixes: [EncryptedRemote.carrierRef]).find(EncryptedRemote.carrierRef)?.id
        else { return nil }
        if try !repository.objects.contains(carrier) { _ = try await client.fetch(wants: [carrier]) }
        guard let format = try repository.snapshot(commit: carrier).find(try Key(EncryptedRemote.formatFile)) else { return nil }
        guard let hex = EncryptedRemote.fields(of: format)["salt"] else { return nil }
        guard let salt = RemoteKey.decodeHex(hex) else {
            throw BanyanError(.corruptObject, "the encrypted remote's salt is not hex")
        }
        return salt
    }

    /// Re-encrypts encrypted remote `name` under `key` (see
    /// docs/security.md, "Encrypted remotes") and keeps the new key; other
    /// devices need it (`banyan key import`) before their next sync. Throws
    /// `staleRef` when another device pushed meanwhile (rotate again), and
    /// `invalidArgument` when the remote is not encrypted.
    public func rotateKey(of name: String, to key: RemoteKey, salt: [UInt8]? = nil) async throws {
        let remote = try Remotes.get(name, in: repository)
        guard try isEncrypted(remote) else { throw BanyanError(.invalidArgument, "remote \(name) is not encrypted") }
        if let refusal = try await encrypted(remote).rotate(to: key, salt: salt) {
            throw BanyanError(.staleRef, refusal)
        }
        if repository.path != nil { try RemoteKeys.save(key, for: name, in: repository) }
    }

    /// True when remote `name` is encrypted.
    func isEncrypted(_ remote: Remote) throws -> Bool {
        try repository.loadConfig().value(forKey: "remote.\(remote.name).banyanencrypted") == "true"
    }

    /// The encrypted view of `remote`, with its key (this sync's
    /// `remoteKeys`, else the store's key file); throws `invalidArgument`
    /// when there is no key.
    func encrypted(_ remote: Remote) throws -> EncryptedRemote {
        guard let key = try remoteKeys[remote.name] ?? RemoteKeys.load(for: remote.name, in: repository) else {
            throw BanyanError(.invalidArgument, "remote \(remote.name) is encrypted and this store has no key for it; add it with `banyan key import \(remote.name) KEY`")
        }
        return EncryptedRemote(sync: self, remote: remote, key: key)
    }

    /// Fetches `remote` into `refs/remotes/NAME/*`, encrypted or not.
    func fetch(_ remote: Remote, depth: Int? = nil) async throws -> FetchSummary {
        guard try isEncrypted(remote) else {
            return try await fetch(url: remote.url, trackingPrefix: "refs/remotes/\(remote.name)/", depth: depth)
        }
        guard depth == nil else { throw BanyanError(.invalidArgument, "an encrypted remote is fetched whole; --depth does not apply") }
        let (state, updated) = try await encrypted(remote).fetch()
        let refs = state.manifest.ids.filter { $0.key.hasPrefix("refs/heads/") || $0.key.hasPrefix("refs/tags/") }
            .map { RemoteRef(name: $0.key, id: $0.value, peeled: nil) }.sorted { $0.name < $1.name }
        return FetchSummary(updated: updated,
                            result: FetchResult(objects: [], packBytes: 0, rounds: 0, shallow: try repository.shallowCommits()),
                            remoteRefs: RemoteRefs(refs: refs, headTarget: state.manifest.head,
                                                   head: state.manifest.head.flatMap { state.manifest.ids[$0] }))
    }

    /// Sets `ref` on `remote` to `new`, encrypted or not; nil when it moved, else why not.
    func pushRef(_ ref: String, _ new: ObjectID, to remote: Remote, force: Bool = false) async throws -> String? {
        guard try isEncrypted(remote) else {
            let result = try await client(remote.url).push([RefUpdate(name: ref, new: new, force: force)])
            return result.statuses[ref] ?? "the remote did not answer for \(ref)"
        }
        return try await encrypted(remote).push(ref, new: new, force: force)
    }
}

/// Where a store keeps the keys of its encrypted remotes: one file per
/// remote, `banyan/keys/NAME` in the repository's directory, readable by
/// its owner only. Stores without a directory (in memory) pass keys in
/// `Sync.remoteKeys` instead.
public enum RemoteKeys {
    /// Saves `key` for remote `name`; throws `unsupported` for a store without a directory.
    public static func save(_ key: RemoteKey, for name: String, in repository: Repository) throws {
        guard let path = repository.path else {
            throw BanyanError(.unsupported, "this store has no directory to keep a key in; pass it in Sync.remoteKeys")
        }
        let directory = path + "/banyan/keys"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let file = directory + "/" + name
        try? FileManager.default.removeItem(atPath: file)
        guard FileManager.default.createFile(atPath: file, contents: Data((key.hex + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw BanyanError(.io, "cannot write the key file \(file)")
        }
    }

    /// The key saved for remote `name`, or nil.
    public static func load(for name: String, in repository: Repository) throws -> RemoteKey? {
        guard let path = repository.path,
              let text = try? String(contentsOfFile: path + "/banyan/keys/" + name, encoding: .utf8) else { return nil }
        return try RemoteKey(hex: text)
    }
}
