import Banyan
@testable import BanyanSync
import BanyanTestSupport
import Foundation
import Synchronization
import Testing

/// Encrypted remotes: two devices syncing through a remote that holds only
/// ciphertext, hosted by `git http-backend` (a bare repository git made)
/// and by `banyan serve`; the remote's objects searched for every
/// plaintext; tampering, rollback and a wrong key refused.
@Suite("Encrypted remotes", .serialized)
struct EncryptedRemoteTests {
    enum Host: CaseIterable { case gitHTTPBackend, banyanServe }

    /// An empty remote; returns its URL, its directory and a stop action.
    func host(_ kind: Host, in dir: TemporaryDirectory) async throws -> (url: String, path: String, stop: @Sendable () async -> Void) {
        let path = dir.appending("cloud.git")
        switch kind {
        case .gitHTTPBackend:
            try GitRunner.run(["init", "--bare", "-q", path], in: dir.path)
            try GitRunner.run(["config", "http.receivepack", "true"], in: path)
            let backend = try GitHTTPBackend(root: dir.path)
            return (backend.url + "cloud.git", path, { backend.stop() })
        case .banyanServe:
            let server = try await TestServer.start(try Repository.create(at: path))
            return (server.url, path, { await server.stop() })
        }
    }

    /// A device: a store in memory with the encrypted remote `origin`.
    func device(_ url: String, key: RemoteKey) throws -> Sync {
        let repository = try Repository.inMemory()
        try Sync.addEncryptedRemote("origin", url: url, key: key, to: repository)
        var sync = Sync(repository: repository)
        sync.remoteKeys["origin"] = key
        return sync
    }

    /// Everything the remote's objects contain, decompressed (`git cat-file --batch-all-objects`).
    func remoteBytes(_ path: String) throws -> Data {
        try GitRunner.run(["cat-file", "--batch-all-objects", "--batch"], in: path).stdout
    }

    @Test(.timeLimit(.minutes(2)), arguments: Host.allCases)
    func twoDevicesSyncThroughCiphertextOnly(_ kind: Host) async throws {
        let dir = TemporaryDirectory()
        let (url, path, stop) = try await host(kind, in: dir)
        let key = RemoteKey.generate()
        let laptop = try device(url, key: key), phone = try device(url, key: key)

        try commit(laptop.repository, "diary/secret-key-name", "a value nobody may read", "a private message")
        let first = try await laptop.sync(branches: ["main"])
        #expect(first.branches.first?.pushed == true)
        let pulled = try await phone.sync(branches: ["main"])
        #expect(pulled.branches.first?.action == .fastForwarded)
        #expect(try text(phone.repository, "diary/secret-key-name") == "a value nobody may read")

        // Both write, then converge with a merge; a conflict goes to the inbox, which travels too.
        try commit(laptop.repository, "notes/from-laptop", "laptop words", time: 1_800_000_100)
        try commit(phone.repository, "notes/from-phone", "phone words", time: 1_800_000_200)
        try commit(laptop.repository, "title", "laptop title", time: 1_800_000_300)
        try commit(phone.repository, "title", "phone title", time: 1_800_000_400)
        _ = try await laptop.sync(branches: ["main"])
        let merged = try await phone.sync(branches: ["main"], onConflict: .record)
        #expect(merged.branches.first?.action == .recorded && merged.branches.first?.pushed == true && merged.inboxPushed)
        let back = try await laptop.sync(branches: ["main"])
        #expect(back.branches.first?.action == .fastForwarded && back.openConflicts == 1)
        #expect(try laptop.repository.branch("main").head() == (try phone.repository.branch("main").head()))
        #expect(try text(laptop.repository, "notes/from-phone") == "phone words")
        #expect(try ConflictInbox(repository: laptop.repository).records().map(\.key.path) == ["title"])

        // The remote holds no key, value, message or branch name in clear.
        let bytes = try remoteBytes(path)
        for secret in ["secret-key-name", "a value nobody may read", "a private message", "laptop words",
                       "phone words", "phone title", "notes/from", "refs/heads/main", "conflicts", "title"] {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) is readable on the remote")
        }
        // A push sends only what is new: one sealed bundle, the manifest and the carrier's trees and commit.
        let before = try GitRunner.run(["cat-file", "--batch-all-objects", "--batch-check"], in: path).text.split(separator: "\n").count
        try commit(laptop.repository, "notes/one-more", "small")
        _ = try await laptop.sync(branches: ["main"])
        let after = try GitRunner.run(["cat-file", "--batch-all-objects", "--batch-check"], in: path).text.split(separator: "\n").count
        #expect(after - before == 5, "a push added \(after - before) objects to the remote")
        try GitRunner.run(["fsck", "--strict"], in: path)
        await stop()
    }

    @Test(.timeLimit(.minutes(3)))
    func tamperingRollbackAndAWrongKeyAreRefused() async throws {
        let dir = TemporaryDirectory()
        let (url, path, stop) = try await host(.gitHTTPBackend, in: dir)
        let key = RemoteKey.generate()
        let laptop = try device(url, key: key), phone = try device(url, key: key)
        try commit(laptop.repository, "k", "v1")
        _ = try await laptop.sync(branches: ["main"])
        let old = try GitRunner.run(["rev-parse", EncryptedRemote.carrierRef], in: path).text
        try commit(laptop.repository, "k", "v2")
        _ = try await laptop.sync(branches: ["main"])
        _ = try await phone.sync(branches: ["main"])
        #expect(try text(phone.repository, "k") == "v2")

        // A wrong key.
        let stranger = try device(url, key: RemoteKey.generate())
        await #expect { try await stranger.fetch() } throws: { "\($0)".contains("is not the one its data was encrypted with") }

        // Rolled back to an older carrier: the phone, which saw the newer one, refuses it.
        let new = try GitRunner.run(["rev-parse", EncryptedRemote.carrierRef], in: path).text
        try GitRunner.run(["update-ref", EncryptedRemote.carrierRef, old], in: path)
        await #expect { try await phone.fetch() } throws: { "\($0)".contains("was rolled back") }
        try GitRunner.run(["update-ref", EncryptedRemote.carrierRef, new], in: path)
        _ = try await phone.fetch()

        // One byte of the manifest changed, in a carrier commit made with git.
        let manifest = try GitRunner.run(["cat-file", "blob", "\(new):manifest"], in: path).stdout
        var flipped = manifest
        flipped[flipped.count - 20] ^= 1
        let blob = try GitRunner.run(["hash-object", "-w", "--stdin"], in: path, input: flipped).text
        let tree = try GitRunner.run(["ls-tree", new], in: path).text
            .replacingOccurrences(of: try GitRunner.run(["rev-parse", "\(new):manifest"], in: path).text, with: blob)
        let treeID = try GitRunner.run(["mktree"], in: path, input: Data((tree + "\n").utf8)).text
        let forged = try GitRunner.run(["commit-tree", treeID, "-p", new, "-m", "encrypted update"], in: path).text
        try GitRunner.run(["update-ref", EncryptedRemote.carrierRef, forged], in: path)
        await #expect { try await phone.fetch() } throws: { "\($0)".contains("failed authentication") }
        #expect(try text(phone.repository, "k") == "v2", "a refused fetch changed the store")
        await stop()
    }

    @Test func keysParseDeriveAndRefuseBadInput() throws {
        let salt = Array("0123456789abcdef".utf8)
        let one = try RemoteKey.derive(passphrase: "correct horse", salt: salt)
        #expect(try RemoteKey.derive(passphrase: "correct horse", salt: salt) == one)
        #expect(try RemoteKey.derive(passphrase: "correct horse!", salt: salt) != one)
        #expect(try RemoteKey(hex: one.hex + "\n") == one)
        #expect(throws: BanyanError.self) { try RemoteKey(hex: "abc") }
        #expect(throws: BanyanError.self) { try RemoteKey(hex: String(repeating: "zz", count: 32)) }
        #expect(throws: BanyanError.self) { try RemoteKey.derive(passphrase: "", salt: salt) }
        #expect(RemoteKey.generate() != RemoteKey.generate())
    }

    @Test(.timeLimit(.minutes(3)))
    func liveSyncFollowsAnEncryptedRemotesChangeStream() async throws {
        let dir = TemporaryDirectory()
        let (url, _, stop) = try await host(.banyanServe, in: dir)
        let key = RemoteKey.generate()
        let laptop = try device(url, key: key), phone = try device(url, key: key)
        try commit(laptop.repository, "k", "v1")
        _ = try await laptop.sync(branches: ["main"])
        _ = try await phone.sync(branches: ["main"])
        let modes = Mutex<[LiveSync.Mode]>([])
        let events = try phone.live(branches: ["main"], options: .init(onConflict: .record))
        let follower = Task {
            for await event in events {
                if case .following(_, let mode) = event { modes.withLock { $0.append(mode) } }
            }
        }
        defer { follower.cancel() }
        for _ in 0..<100 where modes.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(50)) }
        #expect(modes.withLock { $0 } == [.events])
        try commit(laptop.repository, "k", "v2")
        _ = try await laptop.sync(branches: ["main"])
        for _ in 0..<200 where try text(phone.repository, "k") != "v2" { try await Task.sleep(for: .milliseconds(50)) }
        #expect(try text(phone.repository, "k") == "v2")
        follower.cancel()
        await stop()
    }

    @Test(.timeLimit(.minutes(3)))
    func aRotatedKeyLocksOutTheOldOne() async throws {
        let dir = TemporaryDirectory()
        let (url, path, stop) = try await host(.gitHTTPBackend, in: dir)
        let old = RemoteKey.generate(), new = RemoteKey.generate()
        var laptop = try device(url, key: old)
        let phone = try device(url, key: old)
        try commit(laptop.repository, "k", "before")
        _ = try await laptop.sync(branches: ["main"])
        _ = try await phone.sync(branches: ["main"])
        try await laptop.rotateKey(of: "origin", to: new)
        laptop.remoteKeys["origin"] = new
        await #expect { try await phone.fetch() } throws: { "\($0)".contains("is not the one its data was encrypted with") }
        var renewed = phone
        renewed.remoteKeys["origin"] = new
        try commit(laptop.repository, "k", "after")
        _ = try await laptop.sync(branches: ["main"])
        _ = try await renewed.sync(branches: ["main"])
        #expect(try text(phone.repository, "k") == "after")
        // A new device with the new key clones everything from the one re-encrypted bundle.
        let tablet = try device(url, key: new)
        _ = try await tablet.sync(branches: ["main"])
        #expect(try tablet.repository.branch("main").head() == (try laptop.repository.branch("main").head()))
        #expect(try tablet.repository.log(from: try #require(try tablet.repository.branch("main").head())).count == 2)
        let tree = try GitRunner.run(["ls-tree", "-r", "--name-only", EncryptedRemote.carrierRef], in: path).text
        #expect(tree.split(separator: "\n").filter { $0.hasPrefix("bundles/") }.count == 2, "\(tree)")
        await stop()
    }
}
