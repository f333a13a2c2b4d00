import BanyanTestSupport
import Foundation
import Testing

/// `remote add --encrypt`, `clone --encrypt`, `key export|import` and sync
/// through an encrypted remote, as a person runs them against `banyan serve`.
@Suite("Encrypted remote CLI", .serialized)
struct EncryptedRemoteCLITests {
    @Test(.timeLimit(.minutes(1)))
    func aGeneratedKeyAddsADeviceAndAWrongOneIsRefused() throws {
        let dir = TemporaryDirectory()
        let cloud = dir.appending("cloud")
        try CLI.ok(cloud, ["init"])
        let serve = try ServeProcess(repo: cloud)
        defer { serve.stop(SIGKILL) }
        let laptop = dir.appending("laptop"), phone = dir.appending("phone")
        try CLI.ok(laptop, ["init"])
        try CLI.ok(laptop, ["set", "diary/today", "a private entry"])
        let added = try CLI.run(["remote", "add", "origin", serve.url, "--encrypt", "-C", laptop])
        #expect(added.status == 0 && added.stderr.contains("another device needs it"))
        let key = added.text
        #expect(key.utf8.count == 64)
        #expect(try CLI.ok(laptop, ["key", "export", "origin"]) == key)
        #expect(try CLI.ok(laptop, ["remote", "list", "-v"]) == "origin\t\(serve.url)\t(encrypted)")
        #expect(try CLI.ok(laptop, ["sync"]).hasPrefix("origin main: up to date; pushed"))
        #expect(try CLI.ok(cloud, ["branch", "list"]) == "  banyan-encrypted")

        let cloned = try CLI.run(["clone", serve.url, phone, "--encrypt", "--key", key])
        #expect(cloned.status == 0 && cloned.text.hasSuffix("(branch main, encrypted)"), "\(cloned.stderr)")
        #expect(try CLI.ok(phone, ["get", "diary/today"]) == "a private entry")
        try CLI.ok(phone, ["set", "diary/tomorrow", "from the phone"])
        try CLI.ok(phone, ["sync"])
        try CLI.ok(laptop, ["sync"])
        #expect(try CLI.ok(laptop, ["get", "diary/tomorrow"]) == "from the phone")

        let stranger = dir.appending("stranger")
        let refused = try CLI.run(["clone", serve.url, stranger, "--encrypt", "--key", String(repeating: "ab", count: 32)])
        #expect(refused.status != 0 && refused.stderr.contains("is not the one its data was encrypted with"))
        #expect(!FileManager.default.fileExists(atPath: stranger), "a failed clone left a store")
        let noKey = try CLI.run(["clone", serve.url, stranger, "--encrypt"])
        #expect(noKey.status != 0 && noKey.stderr.contains("needs its --key or --passphrase-file"))
        let badKey = try CLI.run(["clone", serve.url, stranger, "--encrypt", "--key", "xyz"])
        #expect(badKey.status != 0 && badKey.stderr.contains("64 hex digits"))

        // A device that added the remote plainly imports the key afterwards.
        let tablet = dir.appending("tablet")
        try CLI.ok(tablet, ["init"])
        try CLI.ok(tablet, ["remote", "add", "origin", serve.url])
        try CLI.ok(tablet, ["key", "import", "origin", "-"], input: Data((key + "\n").utf8))
        #expect(try CLI.ok(tablet, ["sync"]).hasPrefix("origin main: fast-forwarded to "))
        #expect(try CLI.ok(tablet, ["get", "diary/today"]) == "a private entry")

        // A new key: the laptop re-encrypts, the phone is locked out until it imports the key.
        let rotated = try CLI.run(["key", "rotate", "origin", "-C", laptop])
        #expect(rotated.status == 0 && rotated.text.utf8.count == 64 && rotated.text != key, "\(rotated.stderr)")
        try CLI.ok(laptop, ["set", "diary/later", "after the rotation"])
        try CLI.ok(laptop, ["sync"])
        let locked = try CLI.run(["sync", "-C", phone])
        #expect(locked.status == 2 && locked.stderr.contains("is not the one its data was encrypted with"))
        try CLI.ok(phone, ["key", "import", "origin", rotated.text])
        try CLI.ok(phone, ["sync"])
        #expect(try CLI.ok(phone, ["get", "diary/later"]) == "after the rotation")
        try GitRunner.run(["fsck", "--strict"], in: cloud)
    }

    @Test(.timeLimit(.minutes(1)))
    func aPassphraseGivesTheSameKeyOnEveryDevice() throws {
        let dir = TemporaryDirectory()
        let cloud = dir.appending("cloud.git")
        try GitRunner.run(["init", "--bare", "-q", cloud], in: dir.path)
        let passphrase = dir.appending("passphrase"), wrong = dir.appending("wrong")
        try "correct horse battery staple\n".write(toFile: passphrase, atomically: true, encoding: .utf8)
        try "correct horse battery stable\n".write(toFile: wrong, atomically: true, encoding: .utf8)
        let laptop = dir.appending("laptop")
        try CLI.ok(laptop, ["init"])
        try CLI.ok(laptop, ["set", "k", "v"])
        #expect(try CLI.ok(laptop, ["remote", "add", "origin", cloud, "--encrypt", "--passphrase-file", passphrase]) == "")
        try CLI.ok(laptop, ["sync"])
        let phone = dir.appending("phone")
        #expect(try CLI.run(["clone", cloud, phone, "--encrypt", "--passphrase-file", passphrase]).status == 0)
        #expect(try CLI.ok(phone, ["get", "k"]) == "v")
        #expect(try CLI.ok(phone, ["key", "export", "origin"]) == (try CLI.ok(laptop, ["key", "export", "origin"])))
        let refused = try CLI.run(["clone", cloud, dir.appending("other"), "--encrypt", "--passphrase-file", wrong])
        #expect(refused.status != 0 && refused.stderr.contains("is not the one its data was encrypted with"))
        let mixed = try CLI.run(["remote", "add", "x", cloud, "--key", String(repeating: "0", count: 64), "-C", laptop])
        #expect(mixed.status != 0 && mixed.stderr.contains("--key and --passphrase-file go with --encrypt"))
    }
}
