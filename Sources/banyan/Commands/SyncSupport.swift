import ArgumentParser
import Banyan
import BanyanSync
import Foundation

/// Flags shared by the commands that talk to a remote.
struct RemoteOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A token for HTTP remotes (default: $BANYAN_TOKEN).", valueName: "token"))
    var token: String?

    @Option(name: .customLong("ca"), help: ArgumentHelp(
        "Verify https remotes against the certificate authorities in this PEM file (default: $GIT_SSL_CAINFO, else the store's http.sslCAInfo, else the system's).",
        valueName: "file"))
    var caFile: String?

    @Flag(name: [.short, .customLong("quiet")], help: "Print no progress.")
    var quiet = false

    /// The token given, or the environment's.
    var resolvedToken: String? { token ?? environment("BANYAN_TOKEN") }

    /// The certificate authorities given, or git's environment variable's.
    var resolvedCAFile: String? {
        caFile ?? environment("GIT_SSL_CAINFO").flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A progress printer on stderr, or nil when quiet or stderr is not a terminal.
    var progress: (@Sendable (String) -> Void)? {
        guard !quiet, isatty(STDERR_FILENO) == 1 else { return nil }
        return { text in FileHandle.standardError.write(Data(text.utf8)) }
    }

    /// Prints what Git's fsck rules found in fetched objects, as git does:
    /// `warning: object 1f2e…: zeroPaddedFilemode: …` on stderr, quiet or not.
    var warning: @Sendable (FsckFinding) -> Void {
        { finding in Output.diagnostic(finding.transferDescription) }
    }

    /// A `Sync` on the store `repository` names, with this token, progress and warnings.
    func sync(_ repository: RepositoryOptions) throws -> Sync {
        let sync = Sync(repository: try repository.open(), token: resolvedToken, progress: progress, warning: warning,
                        caFile: resolvedCAFile)
        try sync.enableLazyFetch()
        return sync
    }

    /// A `Sync` as above, and the branch to sync: `branch`, or HEAD's when nil.
    func sync(_ repository: RepositoryOptions, branch: String?) throws -> (sync: Sync, branch: String) {
        let sync = try sync(repository)
        return (sync, try branch ?? sync.repository.currentBranch().name)
    }
}
