import ArgumentParser
import Banyan
import BanyanPostgres
import BanyanSync
import Foundation

struct Clone: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clone", abstract: "Copy a remote store (a Banyan server, a Git host or a path).")
    @Argument(help: "The URL (http, https), path or bundle file to clone.") var url: String
    @Argument(help: "Where to put the new store: a directory, or a postgres:// URL (default: the URL's last part).") var path: String?
    @Option(help: "Fetch only the last N commits of each branch.") var depth: Int?
    @Option(name: [.short, .customLong("branch")], help: "The branch to check out (default: the remote's HEAD).") var branch: String?
    @Option(name: .customLong("prefix"), help: ArgumentHelp(
        "Make a partial replica that keeps the values under this key or directory (repeatable); the rest is fetched when read.",
        valueName: "key"))
    var prefixes: [String] = []
    @Option(help: ArgumentHelp(
        "The filter of a partial replica: blob:none (the default with --prefix), blob:limit=N[k|m|g], tree:DEPTH or sparse:oid=BLOB.",
        valueName: "spec"))
    var filter: String?
    @OptionGroup var encryption: EncryptionOptions
    @OptionGroup var remote: RemoteOptions

    func run() async throws {
        let partial = try (!prefixes.isEmpty || filter != nil)
            ? PartialReplica(prefixes: prefixes, filter: filter.map(ObjectFilter.init(parsing:)) ?? .blobNone) : nil
        var name = url
        while name.hasSuffix("/") { name.removeLast() }
        name = (name as NSString).lastPathComponent
        if name.hasSuffix(".git") { name.removeLast(4) }
        if PostgresLocation.isURL(url) { name = (try? PostgresLocation(url: url).store) ?? "" }
        let target = path ?? (name.isEmpty || name.contains(":") ? "clone" : name)
        let (url, depth, branch, token, progress, warning) = (url, depth, branch, remote.resolvedToken, remote.progress, remote.warning)
        let caFile = remote.resolvedCAFile
        if encryption.encrypt {
            guard partial == nil else { throw ValidationError("an encrypted remote is cloned whole; --prefix and --filter do not apply") }
            guard depth == nil else { throw ValidationError("an encrypted remote is cloned whole; --depth does not apply") }
            guard !FileManager.default.fileExists(atPath: target) else {
                throw BanyanError(.alreadyExists, "\(target) already exists")
            }
            // The salt of a passphrase comes from the remote: read it through a scratch store.
            let scratch = Sync(repository: try Repository.inMemory(), token: token, caFile: caFile)
            let (key, salt, generated) = try await encryption.resolve(scratch, url: url)
            guard !generated else { throw ValidationError("cloning an encrypted remote needs its --key or --passphrase-file") }
            let repo = try await Sync.cloneEncrypted(url: url, to: target, key: key, salt: salt, branch: branch,
                                                     token: token, caFile: caFile)
            return Output.line("Cloned \(printableLocation(url)) into \(target) (branch \(try repo.currentBranch().name), encrypted)")
        }
        let repo: Repository
        if PostgresLocation.isURL(target) {
            guard partial == nil else { throw ValidationError("a partial replica is a directory store; --prefix and --filter do not apply to a postgres:// clone") }
            let location = try PostgresLocation(url: target)
            repo = try await Sync.clone(url: url, creating: {
                try Repository.create(postgres: location, hashAlgorithm: $0, initialBranch: branch ?? "main")
            }, depth: depth, branch: branch, token: token, progress: progress, warning: warning, caFile: caFile)
        } else {
            repo = try await Sync.clone(url: url, to: target, depth: depth, branch: branch, token: token,
                                        progress: progress, warning: warning, caFile: caFile, partial: partial)
        }
        let head = try repo.currentBranch().name
        let kept = partial.map { partial in
            partial.prefixes.isEmpty ? ", partial: \(partial.filter)" : ", partial: \(partial.prefixes.joined(separator: " "))"
        } ?? ""
        Output.line("Cloned \(printableLocation(url)) into \(printableLocation(target)) (branch \(head)\(kept))")
    }
}

struct Fetch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Fetch a remote's branches into refs/remotes/REMOTE/*.",
        discussion: """
            REMOTE may also be a Git bundle file that is not a remote's name: its branches go to             refs/remotes/bundle/*, its tags are created when absent.
            """)
    @Argument(help: "The remote, or a bundle file (default: origin).") var remoteName = "origin"
    @Option(help: "Fetch only the last N commits of each branch.") var depth: Int?
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var repository: RepositoryOptions

    func run() async throws {
        let sync = try remote.sync(repository)
        let (name, depth) = (remoteName, depth)
        let isBundle = try Remotes.find(name, in: sync.repository) == nil && BundleHeader.isBundle(atPath: name)
        let summary = isBundle ? try await sync.fetch(url: name, trackingPrefix: "refs/remotes/bundle/", depth: depth)
            : try await sync.fetch(remote: name, depth: depth)
        for (ref, id) in summary.updated.sorted(by: { $0.key < $1.key }) {
            Output.line("\(id.abbreviated()) \(ref)")
        }
    }
}

struct Pull: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Fetch, then merge the remote's branch into the local one.",
        discussion: "Exit status 1 when conflicts remain (the branch does not move), 2 on errors.")
    @Argument(help: "The remote (default: origin).") var remoteName = "origin"
    @Argument(help: "The branch (default: HEAD's branch).") var branch: String?
    @Option(name: .customLong("on-conflict"), help: "What to keep where no strategy resolves a conflict: fail, ours, theirs or record (merge, keep the newer side, record the conflict in the inbox).")
    var onConflict: ConflictRule = .fail
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var repository: RepositoryOptions

    func run() async throws {
        let (sync, branch) = try remote.sync(repository, branch: branch)
        let (name, rule) = (remoteName, onConflict)
        let outcome = try await sync.pull(remote: name, branch: branch, onConflict: rule.policy)
        switch outcome {
        case .upToDate: Output.line("already up to date")
        case .fastForward(let id): Output.line("fast-forward to \(id.hex)")
        case .merged(let id): Output.line("merged: \(id.hex)")
        case .recorded(let id, let conflicts):
            Output.line("merged: \(id.hex)")
            for conflict in conflicts { Output.line("conflict recorded: \(conflict.key.path)") }
        case .conflicts(let conflicts):
            for conflict in conflicts { Output.line("conflict: \(conflict.key.path)") }
            Output.error("\(conflicts.count) conflict\(conflicts.count == 1 ? "" : "s"); branch \(branch) was not changed")
            throw ExitCode(1)
        }
    }
}

struct Push: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Send a branch to a remote; the remote ref moves by compare-and-swap.",
        discussion: "Exit status 1 when the remote refused the update, 2 on errors.")
    @Argument(help: "The remote (default: origin).") var remoteName = "origin"
    @Argument(help: "The branch (default: HEAD's branch).") var branch: String?
    @Flag(name: [.short, .customLong("force")], help: "Push even when it is not a fast-forward.") var force = false
    @OptionGroup var remote: RemoteOptions
    @OptionGroup var repository: RepositoryOptions

    func run() async throws {
        let (sync, branch) = try remote.sync(repository, branch: branch)
        let (name, force) = (remoteName, force)
        let result = try await sync.push(remote: name, branch: branch, force: force)
        for (ref, status) in result.statuses.sorted(by: { $0.key < $1.key }) {
            if let status { Output.error("rejected \(ref): \(status)") } else { Output.line("ok \(ref)") }
        }
        if !result.succeeded { throw ExitCode(1) }
    }
}
