import Banyan
import BanyanPostgres
import Foundation

/// The options git takes before its subcommand, taken the same way:
/// `banyan -C PATH CMD ...` runs `CMD` as if started in `PATH`, so the
/// store defaults to `PATH` and relative paths in the command's arguments
/// resolve from there. Several `-C` compose, each relative to the one
/// before; an empty path leaves the directory as it is (as git's).
/// `-C postgres://…` names a store in a PostgreSQL database instead: it
/// becomes `$BANYAN_REPO` for this process, and the directory stays.
enum GlobalOptions {
    /// The arguments after the leading global options, having applied them.
    static func apply(_ arguments: [String]) throws -> [String] {
        var rest = arguments[...]
        while let first = rest.first, first == "-C" || (first.hasPrefix("-C") && first.count > 2) {
            rest.removeFirst()
            let path: String
            if first == "-C" {
                guard let value = rest.popFirst() else {
                    throw BanyanError(.invalidArgument, "-C needs a path: banyan -C PATH COMMAND ...")
                }
                path = value
            } else {
                path = String(first.dropFirst(2))
            }
            guard !path.isEmpty else { continue }
            if PostgresLocation.isURL(path) {
                // Every command finds its store through $BANYAN_REPO when given no --repo.
                setenv("BANYAN_REPO", path, 1)
                continue
            }
            guard FileManager.default.changeCurrentDirectoryPath(path) else {
                throw BanyanError(.invalidArgument, "cannot change to '\(path)': no such directory")
            }
        }
        return Array(rest)
    }
}
