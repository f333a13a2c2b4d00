import ArgumentParser
import Banyan
import BanyanSync
import Foundation

/// How `remote add --encrypt` and `clone --encrypt` get the remote's key.
struct EncryptionOptions: ParsableArguments {
    @Flag(help: "The remote holds only ciphertext: keys, values, paths, branch names and messages are encrypted (docs/security.md).")
    var encrypt = false
    @Option(help: ArgumentHelp("The key, as 64 hex digits (from `banyan key export` on another device).", valueName: "hex"))
    var key: String?
    @Option(help: ArgumentHelp("Derive the key from the passphrase on this file's first line (scrypt).", valueName: "file"))
    var passphraseFile: String?

    func validate() throws {
        if !encrypt, key != nil || passphraseFile != nil {
            throw ValidationError("--key and --passphrase-file go with --encrypt")
        }
        if key != nil, passphraseFile != nil { throw ValidationError("give --key or --passphrase-file, not both") }
    }

    /// The key (and the scrypt salt when it comes from a passphrase): the
    /// one given, one derived with the remote's salt (or a new salt when
    /// the remote is empty), or a new random key (`generated`).
    func resolve(_ sync: Sync, url: String) async throws -> (key: RemoteKey, salt: [UInt8]?, generated: Bool) {
        if let key { return (try RemoteKey(hex: key), nil, false) }
        guard let passphraseFile else { return (RemoteKey.generate(), nil, true) }
        guard let text = try? String(contentsOfFile: passphraseFile, encoding: .utf8) else {
            throw BanyanError(.invalidArgument, "cannot read the passphrase file \(passphraseFile)")
        }
        let passphrase = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        let salt = try await sync.encryptedRemoteSalt(url: url) ?? (0..<16).map { _ in UInt8.random(in: 0...255) }
        return (try RemoteKey.derive(passphrase: passphrase, salt: salt), salt, false)
    }
}

/// Prints a generated key once, with what to do with it.
func announce(generated key: RemoteKey, for remote: String) {
    Output.line(key.hex)
    Output.error("this is the key of the encrypted remote \(remote); another device needs it: `banyan key import \(remote) KEY` (or `banyan clone URL --encrypt --key KEY`). Keep a copy: without it the remote's data cannot be read")
}

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Export or import the key of an encrypted remote, to add a device.",
        subcommands: [Export.self, Import.self, Rotate.self])

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export", abstract: "Print the key of an encrypted remote (64 hex digits). Anyone with it can read the remote.")
        @Argument(help: "The remote.") var name: String
        @OptionGroup var repository: RepositoryOptions

        func run() throws {
            let repo = try repository.open()
            _ = try Remotes.get(name, in: repo)
            guard let key = try RemoteKeys.load(for: name, in: repo) else {
                throw BanyanError(.invalidArgument, "this store has no key for remote \(name); is it encrypted?")
            }
            Output.line(key.hex)
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate",
            abstract: "Re-encrypt an encrypted remote under a new key (printed once) or a new passphrase.",
            discussion: "Every other device then needs the new key (`banyan key import NAME KEY`) before its next sync.")
        @Argument(help: "The remote.") var name: String
        @Option(help: ArgumentHelp("Derive the new key from the passphrase on this file's first line.", valueName: "file"))
        var passphraseFile: String?
        @OptionGroup var remote: RemoteOptions
        @OptionGroup var repository: RepositoryOptions

        func run() async throws {
            let sync = try remote.sync(repository)
            var key = RemoteKey.generate()
            var salt: [UInt8]?
            if let passphraseFile {
                guard let text = try? String(contentsOfFile: passphraseFile, encoding: .utf8) else {
                    throw BanyanError(.invalidArgument, "cannot read the passphrase file \(passphraseFile)")
                }
                salt = (0..<16).map { _ in UInt8.random(in: 0...255) }
                key = try RemoteKey.derive(passphrase: String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""),
                                           salt: salt!)
            }
            try await sync.rotateKey(of: name, to: key, salt: salt)
            if passphraseFile == nil { announce(generated: key, for: name) }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import", abstract: "Keep KEY as the key of encrypted remote NAME (replacing the one kept).")
        @Argument(help: "The remote.") var name: String
        @Argument(help: "The key, 64 hex digits, or - to read it from standard input.") var key: String
        @OptionGroup var repository: RepositoryOptions

        func run() throws {
            let repo = try repository.open()
            _ = try Remotes.get(name, in: repo)
            let text = key == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : key
            let parsed = try RemoteKey(hex: text)
            try repo.updateConfig { try $0.set("true", forKey: "remote.\(name).banyanencrypted") }
            try RemoteKeys.save(parsed, for: name, in: repo)
        }
    }
}
