import ArgumentParser
import Banyan
import Foundation

struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Move history offline in Git bundle files, like git bundle.",
        discussion: "Bundles are Git bundle v2 (v3 for SHA-256 stores): git bundle, git clone and git fetch read them.",
        subcommands: [Create.self, Verify.self, ListHeads.self, Unbundle.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Write the refs named and the objects they reach to FILE.",
            discussion: """
                REFS are ref names (main, v1, HEAD), ranges A..B (the commits reachable from A are \
                left out and become prerequisites), ^A exclusions or --all; none means --all.
                """)

        @Argument(help: "The bundle file to write.") var file: String
        @Argument(parsing: .allUnrecognized, help: "What to bundle (default: --all).") var refs: [String] = []
        @OptionGroup var repository: RepositoryOptions

        func run() throws {
            try repository.open().createBundle(at: file, refs: refs)
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check that FILE is a sound bundle that applies to this store.",
            discussion: "Prints the bundle's refs and prerequisites as git bundle verify does; exits 1 when prerequisites are missing.")

        @Argument(help: "The bundle file.") var file: String
        @OptionGroup var repository: RepositoryOptions

        func run() throws {
            let (header, missing) = try repository.open().verifyBundle(at: file)
            var out = header.refs.count == 1 ? "The bundle contains this ref:\n" : "The bundle contains these \(header.refs.count) refs:\n"
            for ref in header.refs { out += "\(ref.id.hex) \(ref.name)\n" }
            switch header.prerequisites.count {
            case 0: out += "The bundle records a complete history.\n"
            case 1: out += "The bundle requires this ref:\n"
            default: out += "The bundle requires these \(header.prerequisites.count) refs:\n"
            }
            for prerequisite in header.prerequisites { out += "\(prerequisite.id.hex) \n" }
            out += "The bundle uses this hash algorithm: \(header.algorithm.rawValue)\n"
            guard missing.isEmpty else {
                Output.error("the store lacks these prerequisite commits:\n" + missing.map(\.hex).joined(separator: "\n"))
                throw ExitCode(1)
            }
            Output.write(Data(out.utf8))
            FileHandle.standardError.write(Data("\(file) is okay\n".utf8))
        }
    }

    struct ListHeads: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list-heads",
            abstract: "List the refs in FILE as '<id> <name>' lines, optionally only those named.")

        @Argument(help: "The bundle file.") var file: String
        @Argument(help: "Only these refs (full names, as git matches them).") var names: [String] = []

        func run() throws {
            for ref in try BundleHeader.read(from: file).refs where names.isEmpty || names.contains(ref.name) {
                Output.line("\(ref.id.hex) \(ref.name)")
            }
        }
    }

    struct Unbundle: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "unbundle",
            abstract: "Store the objects of FILE and set refs from it.",
            discussion: """
                Prints the bundle's refs as git bundle unbundle does. --refs remote (the default) puts \
                branches under refs/remotes/bundle/ and creates missing tags; same creates or \
                fast-forwards refs under their own names; none sets no ref.
                """)

        enum Mode: String, ExpressibleByArgument { case remote, same, none }

        @Argument(help: "The bundle file.") var file: String
        @Option(help: "Which refs to set: remote, same or none.") var refs: Mode = .remote
        @Option(help: "The remote name for --refs remote.") var remote = "bundle"
        @OptionGroup var repository: RepositoryOptions

        func run() throws {
            let mode: BundleRefUpdate = switch refs {
            case .remote: .remoteTracking(remote)
            case .same: .sameNames
            case .none: .none
            }
            let result = try repository.open().unbundle(from: file, updating: mode)
            for ref in result.header.refs { Output.line("\(ref.id.hex) \(ref.name)") }
            for skipped in result.skipped { Output.error("\(skipped.name) not set: \(skipped.reason)") }
            for warning in result.warnings { Output.diagnostic(warning.transferDescription) }
        }
    }
}
