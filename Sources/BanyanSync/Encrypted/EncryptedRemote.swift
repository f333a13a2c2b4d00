import Banyan
import Crypto
import Foundation

/// A remote that holds nothing but ciphertext while speaking plain Git.
///
/// The remote is an ordinary Git repository (served by `banyan serve`,
/// `git http-backend` or any Git host) with one branch, ``carrierRef``,
/// whose tree is:
///
/// - `banyan-encrypted`, in clear: the format, the scrypt salt when the key
///   comes from a passphrase, and a key check (an HMAC that tells a wrong
///   key from a tampered remote and reveals nothing of the key);
/// - `manifest`: the sealed ``EncryptedManifest`` (refs, bundles, sequence);
/// - `bundles/ID`: sealed Git bundles, each the objects one push added.
///
/// A push fetches the carrier, opens the manifest, bundles what the remote
/// lacks (the commits its refs do not reach), seals it, and pushes a new
/// carrier commit on top of the old one. Git's compare-and-swap of that
/// branch orders the pushes of all devices: a push that lost the race is
/// refused and the round starts again. Carrier commits carry a fixed
/// author and time and a fixed message, so they tell nothing but their
/// count. See docs/security.md for what leaks.
struct EncryptedRemote {
    /// The carrier branch on the remote.
    static let carrierRef = "refs/heads/banyan-encrypted"
    /// The clear description of the format.
    static let formatFile = "banyan-encrypted"

    let sync: Sync
    let remote: Remote
    let key: RemoteKey
    var repository: Repository { sync.repository }
    /// Where this store keeps the carrier it last fetched.
    var localCarrier: String { "refs/banyan/encrypted/\(remote.name)" }

    /// The remote's state after a fetch: its carrier commit (nil when the
    /// remote has none yet), the carrier's bundles and the manifest.
    struct State {
        var carrier: ObjectID?
        var bundles: [String: ObjectID]
        var manifest: EncryptedManifest
    }

    // MARK: Fetch

    /// Fetches the carrier, opens and checks the manifest, stores every
    /// bundle this store lacks, and sets `refs/remotes/NAME/*` (and the
    /// inbox's tracking ref) to the manifest's refs.
    func fetch() async throws -> (state: State, updated: [String: ObjectID]) {
        let state = try await fetchState()
        for id in state.manifest.bundles {
            guard let blob = state.bundles[id] else {
                throw BanyanError(.corruptObject, "the encrypted remote's manifest names bundle \(id), which its carrier lacks")
            }
            try apply(bundle: id, blob: blob)
        }
        var updated: [String: ObjectID] = [:]
        let tracking = "refs/remotes/\(remote.name)/"
        for (name, id) in state.manifest.ids {
            let local: String
            if name.hasPrefix("refs/heads/") {
                local = tracking + name.dropFirst("refs/heads/".count)
            } else if name == ConflictInbox.refName, let inbox = Sync.inboxTracking(tracking) {
                local = inbox
            } else {
                continue
            }
            if try repository.refs.resolve(local) == id { continue }
            try repository.refs.compareAndSwap(local, expected: .any, new: id, log: nil)
            updated[local] = id
        }
        for stale in try repository.refs.list(prefix: tracking)
        where state.manifest.refs["refs/heads/" + stale.name.dropFirst(tracking.count)] == nil {
            try repository.refs.delete(stale.name, expected: .value(stale.id))
        }
        return (state, updated)
    }

    /// The carrier fetched and its manifest opened and checked against
    /// rollback; nothing else is stored.
    func fetchState() async throws -> State {
        let client = try sync.client(remote.url)
        let refs = try await client.listRefs(prefixes: [Self.carrierRef])
        guard let carrier = refs.find(Self.carrierRef)?.id else {
            if try repository.loadConfig().value(forKey: "remote.\(remote.name).banyansequence") != nil {
                throw BanyanError(.corruptObject, "the encrypted remote \(remote.name) lost its data: its carrier branch is gone (rolled back or deleted)")
            }
            return State(carrier: nil, bundles: [:], manifest: .empty(writer: try deviceID()))
        }
        if try !repository.objects.contains(carrier) {
            _ = try await client.fetch(wants: [carrier])
        }
        try repository.refs.compareAndSwap(localCarrier, expected: .any, new: carrier, log: nil)
        let snapshot = try repository.snapshot(commit: carrier)
        guard let format = try snapshot.find(try Key(Self.formatFile)) else {
            throw BanyanError(.corruptObject, "\(remote.url) is not an encrypted Banyan remote (its \(Self.carrierRef) has no \(Self.formatFile))")
        }
        let fields = Self.fields(of: format)
        guard fields["format"] == "1" else {
            throw BanyanError(.unsupported, "the encrypted remote uses format \(fields["format"] ?? "?"); this Banyan reads format 1")
        }
        guard fields["check"] == key.check else {
            throw BanyanError(.invalidArgument, "the key for remote \(remote.name) is not the one its data was encrypted with")
        }
        guard let sealed = try snapshot.find(try Key("manifest")) else {
            throw BanyanError(.corruptObject, "the encrypted remote has no manifest")
        }
        let plain = try Envelope.open(Array(sealed), name: "manifest", key: key.subkey("manifest"))
        let manifest = try EncryptedManifest.decode(plain, algorithm: repository.hashAlgorithm)
        try checkNotRolledBack(manifest, digest: SHA256.hash(data: plain).hexString)
        var bundles: [String: ObjectID] = [:]
        if try snapshot.kind(of: try Key("bundles")) == .directory {
            for entry in try snapshot.list(try Key("bundles")) { bundles[entry.name] = entry.id }
        }
        return State(carrier: carrier, bundles: bundles, manifest: manifest)
    }

    /// Opens bundle `id` and stores its objects, unless this store has
    /// every commit it leads to already.
    private func apply(bundle id: String, blob: ObjectID) throws {
        let sealed = try repository.blob(blob)
        let plain = try Envelope.open(sealed, name: "bundles/\(id)", key: key.subkey("bundle"))
        let header = try plain.withUnsafeBytes { try BundleHeader.parse($0).header }
        if try header.refs.allSatisfy({ try repository.objects.contains($0.id) }) { return }
        let file = NSTemporaryDirectory() + "banyan-encrypted-\(UUID().uuidString).bundle"
        defer { try? FileManager.default.removeItem(atPath: file) }
        guard FileManager.default.createFile(atPath: file, contents: Data(plain), attributes: [.posixPermissions: 0o600]) else {
            throw BanyanError(.io, "cannot write a temporary file in \(NSTemporaryDirectory())")
        }
        _ = try repository.unbundle(from: file, updating: .none)
    }

    // MARK: Push

    /// Sets `ref` on the remote to `new` (nil deletes it), sending only what
    /// the remote lacks. Returns nil when the remote took it, else why not:
    /// not a fast-forward (unless `force`), or another device pushed first.
    func push(_ ref: String, new: ObjectID?, force: Bool = false) async throws -> String? {
        let (state, _) = try await fetch()
        var manifest = state.manifest
        let old = manifest.ids[ref]
        if old == new { return nil }
        if let old, let new, !force, ref.hasPrefix("refs/heads/") || ref == ConflictInbox.refName,
           try !repository.isAncestor(old, of: new) {
            return "non-fast-forward: the remote's \(ref) has commits this push lacks"
        }
        var batch = ObjectBatch(algorithm: repository.hashAlgorithm)
        var bundles = state.bundles
        if let new, let bundle = try bundle(ref, at: new, excluding: Array(manifest.ids.values)) {
            let id = Self.randomID()
            let sealed = try Envelope.seal(bundle, name: "bundles/\(id)", key: key.subkey("bundle"))
            bundles[id] = batch.add(RawObject(kind: .blob, body: sealed))
            manifest.bundles.append(id)
        }
        manifest.refs[ref] = new?.hex
        if manifest.head == nil, ref.hasPrefix("refs/heads/") { manifest.head = ref }
        let salt = try repository.loadConfig().value(forKey: "remote.\(remote.name).banyansalt")
        if let refusal = try await publish(manifest, bundles: bundles, batch: &batch, parent: state.carrier, salt: salt) {
            return "the encrypted remote moved meanwhile (\(refusal)); fetch and push again"
        }
        return nil
    }

    /// The next version of the remote: `manifest` with the next sequence
    /// number, sealed with this remote's key, and `bundles`, in a carrier
    /// commit on top of `parent` (its objects staged in `batch`), pushed.
    /// Returns nil when the remote took it, else its refusal.
    private func publish(
        _ manifest: EncryptedManifest, bundles: [String: ObjectID], batch: inout ObjectBatch, parent: ObjectID?, salt: String?
    ) async throws -> String? {
        var manifest = manifest
        manifest.sequence += 1
        manifest.writer = try deviceID()
        let plain = try manifest.encoded()
        let sealed = batch.add(RawObject(kind: .blob, body: try Envelope.seal(plain, name: "manifest", key: key.subkey("manifest"))))
        let carrier = try carrierCommit(parent: parent, manifest: sealed, bundles: bundles, salt: salt, batch: &batch)
        try repository.objects.write(batch)
        let result = try await sync.client(remote.url).push([RefUpdate(name: Self.carrierRef, new: carrier)])
        if case .some(.some(let refusal)) = result.statuses[Self.carrierRef] { return refusal }
        try repository.refs.compareAndSwap(localCarrier, expected: .any, new: carrier, log: nil)
        try remember(manifest, digest: SHA256.hash(data: plain).hexString)
        return nil
    }

    /// Re-encrypts the whole remote under `newKey` (and `newSalt`, for a
    /// key from a passphrase): everything its refs reach goes into one new
    /// bundle, sealed with the new key, under a manifest that continues the
    /// sequence, in a carrier commit on top of the old one (so the push is
    /// a fast-forward and devices' rollback checks still hold). Devices
    /// that hold only the old key are refused until they import the new
    /// one. Returns nil on success, else why the remote refused.
    func rotate(to newKey: RemoteKey, salt newSalt: [UInt8]?) async throws -> String? {
        let (state, _) = try await fetch()
        var manifest = state.manifest
        var batch = ObjectBatch(algorithm: repository.hashAlgorithm)
        var bundles: [String: ObjectID] = [:]
        manifest.bundles = []
        let refs = manifest.ids.sorted { $0.key < $1.key }
        if !refs.isEmpty {
            let file = NSTemporaryDirectory() + "banyan-encrypted-\(UUID().uuidString).bundle"
            defer { try? FileManager.default.removeItem(atPath: file) }
            var staged: [String] = []
            defer { for ref in staged { try? repository.refs.delete(ref, expected: .any) } }
            for (_, id) in refs {
                let staging = "refs/banyan/encrypted-staging/\(UUID().uuidString)"
                try repository.refs.compareAndSwap(staging, expected: .absent, new: id, log: nil)
                staged.append(staging)
            }
            try repository.createBundle(at: file, refs: staged)
            let id = Self.randomID()
            let sealed = try Envelope.seal(Array(try Data(contentsOf: URL(fileURLWithPath: file))), name: "bundles/\(id)",
                                           key: newKey.subkey("bundle"))
            bundles[id] = batch.add(RawObject(kind: .blob, body: sealed))
            manifest.bundles = [id]
        }
        let salt = newSalt.map { $0.map { String(format: "%02x", $0) }.joined() }
        let rotated = EncryptedRemote(sync: sync, remote: remote, key: newKey)
        if let refusal = try await rotated.publish(manifest, bundles: bundles, batch: &batch, parent: state.carrier, salt: salt) {
            return "the encrypted remote moved meanwhile (\(refusal)); rotate again"
        }
        try repository.updateConfig { config in
            if let salt {
                try config.set(salt, forKey: "remote.\(remote.name).banyansalt")
            } else {
                config.removeAll(forKey: "remote.\(remote.name).banyansalt")
            }
        }
        return nil
    }

    /// A bundle of `ref` at `head` without what `excluded` reaches, or nil
    /// when the remote has everything already.
    private func bundle(_ ref: String, at head: ObjectID, excluding excluded: [ObjectID]) throws -> [UInt8]? {
        let present = try excluded.filter { try repository.objects.contains($0) }
        if try present.contains(where: { try repository.isAncestor(head, of: $0) }) { return nil }
        let file = NSTemporaryDirectory() + "banyan-encrypted-\(UUID().uuidString).bundle"
        defer { try? FileManager.default.removeItem(atPath: file) }
        // The bundle names the ref by its full name at `head`: make a private ref for it.
        let staging = "refs/banyan/encrypted-staging/\(UUID().uuidString)"
        try repository.refs.compareAndSwap(staging, expected: .absent, new: head, log: nil)
        defer { try? repository.refs.delete(staging, expected: .any) }
        try repository.createBundle(at: file, refs: [staging] + present.map { "^" + $0.hex })
        return Array(try Data(contentsOf: URL(fileURLWithPath: file)))
    }

    /// A carrier commit: the format file (with `salt`, hex, for a key from a
    /// passphrase), the manifest and the bundles, on top of `parent`.
    private func carrierCommit(
        parent: ObjectID?, manifest: ObjectID, bundles: [String: ObjectID], salt: String?, batch: inout ObjectBatch
    ) throws -> ObjectID {
        var format = "format 1\ncheck \(key.check)\n"
        if let salt { format += "salt \(salt)\n" }
        let bundleTree = Tree(entries: bundles.map { TreeEntry(name: $0.key, mode: .regular, id: $0.value) })
        var entries = [
            TreeEntry(name: Self.formatFile, mode: .regular, id: batch.add(RawObject(kind: .blob, body: Array(format.utf8)))),
            TreeEntry(name: "manifest", mode: .regular, id: manifest),
        ]
        if !bundles.isEmpty { entries.append(TreeEntry(name: "bundles", mode: .directory, id: batch.add(bundleTree.rawObject))) }
        let root = batch.add(Tree(entries: entries).rawObject)
        let nobody = Signature(name: "banyan", email: "banyan@localhost", time: 0)
        return batch.add(Commit(tree: root, parents: parent.map { [$0] } ?? [], author: nobody, committer: nobody,
                                message: "encrypted update\n").rawObject)
    }

    // MARK: Local state

    /// Refuses a manifest older than one seen before, or another with the same sequence.
    private func checkNotRolledBack(_ manifest: EncryptedManifest, digest: String) throws {
        let config = try repository.loadConfig()
        guard let text = config.value(forKey: "remote.\(remote.name).banyansequence"), let seen = UInt64(text) else {
            return try remember(manifest, digest: digest)
        }
        if manifest.sequence < seen {
            throw BanyanError(.corruptObject, "the encrypted remote \(remote.name) was rolled back: it offers version \(manifest.sequence) of its manifest, and this store has seen version \(seen)")
        }
        if manifest.sequence == seen, config.value(forKey: "remote.\(remote.name).banyandigest") != digest {
            throw BanyanError(.corruptObject, "the encrypted remote \(remote.name) offers a different version \(seen) of its manifest than this store has seen: it was forked or replaced")
        }
        if manifest.sequence > seen { try remember(manifest, digest: digest) }
    }

    private func remember(_ manifest: EncryptedManifest, digest: String) throws {
        try repository.updateConfig { config in
            try config.set(String(manifest.sequence), forKey: "remote.\(remote.name).banyansequence")
            try config.set(digest, forKey: "remote.\(remote.name).banyandigest")
        }
    }

    /// This device's id in manifests (random, made once, kept in the config).
    private func deviceID() throws -> String {
        if let id = try repository.loadConfig().value(forKey: "banyan.deviceid") { return id }
        let id = Self.randomID()
        try repository.updateConfig { try $0.set(id, forKey: "banyan.deviceid") }
        return id
    }

    static func randomID() -> String {
        (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    /// `name value` lines of the format file.
    static func fields(of data: Data) -> [String: String] {
        var fields: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        return fields
    }
}

extension Digest {
    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}
