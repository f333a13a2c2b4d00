import BanyanTestSupport
import Foundation
import Testing

/// Every code sample in README.md, docs/*.md, Examples/Notes/README.md and
/// the DocC catalogs' front pages is
/// compiled or run, so the documentation cannot drift from the code:
///
/// - ```` ```swift ```` fences become the tests of `DocSamples.generated.swift`
///   (compiled and run); this suite fails when that file and the Markdown disagree.
/// - ```` ```sh ```` fences run with bash (`-euo pipefail`), the built `banyan`
///   and `notes` first on `PATH`, in one fresh directory per file, in order;
///   an ```` ```text output ```` fence right after one is what it must print
///   (give or take the final newline).
/// - ```` ```text help ```` fences start with `$ banyan ... --help` and hold its output.
/// - `swift compile` fences are compiled but not run (a server that runs forever);
/// - `norun` marks a sample no test runs (`sh norun`, `swift norun`);
///   `text` and `json` fences hold output and documents, not code.
@Suite("Doc samples")
struct DocSampleTests {
    @Test func everyFenceIsRunOrMarked() throws {
        let known: [String: Set<String>] = ["swift": ["norun", "compile"], "sh": ["norun"], "text": ["output", "help"], "json": []]
        var previous: Fence?
        var checked = 0
        for fence in try Docs.allFences() {
            #expect(known[fence.language] != nil, """
                \(fence): use swift or sh (run by this suite; add norun when a test cannot run it), \
                or text or json for output and documents
                """)
            #expect(fence.modifiers.isSubset(of: known[fence.language] ?? []), "\(fence): unknown modifier")
            if fence.modifiers.contains("output") {
                #expect(previous?.file == fence.file && previous?.language == "sh" && previous?.isChecked == true,
                        "\(fence): an output fence must follow a runnable sh fence of the same file")
            }
            if fence.isChecked { checked += 1 }
            previous = fence
        }
        #expect(checked > 10)
    }

    @Test func swiftSamplesAreTheGeneratedTests() throws {
        let expected = SwiftSamples.source(for: try Docs.allFences())
        if ProcessInfo.processInfo.environment["BANYAN_UPDATE_DOC_SAMPLES"] == "1" {
            try expected.write(to: SwiftSamples.generatedFile, atomically: true, encoding: .utf8)
        }
        let actual = try String(contentsOf: SwiftSamples.generatedFile, encoding: .utf8)
        #expect(actual == expected, """
            the swift samples of the docs changed: run `BANYAN_UPDATE_DOC_SAMPLES=1 swift test --filter DocSampleTests` \
            and commit Tests/CLITests/Docs/DocSamples.generated.swift
            """)
    }

    @Test(arguments: try Docs.files().filter { file in try Docs.fences(in: file).contains { $0.language == "sh" && $0.isChecked } })
    func shellSamplesRun(file: String) async throws {
        try await offPool(heavy: true) {
            let dir = TemporaryDirectory("banyan-doc-shell")
            let fences = try Docs.fences(in: file)
            for (index, fence) in fences.enumerated() where fence.language == "sh" && fence.isChecked {
                let result = try ProcessRunner.run("/bin/bash", ["-euo", "pipefail", "-c", fence.body], in: dir.path,
                                                   environment: DocShell.environment, check: false)
                #expect(result.status == 0, "\(fence) failed (\(result.status)): \(result.stderr)")
                if index + 1 < fences.count, fences[index + 1].modifiers.contains("output") {
                    // A fence cannot show that output lacks its last newline (`banyan get` prints none).
                    let printed = String(decoding: result.stdout, as: UTF8.self)
                    #expect(printed == fences[index + 1].body || printed + "\n" == fences[index + 1].body,
                            "\(fences[index + 1]) is not what \(fence) prints:\n\(printed)\nstderr: \(result.stderr)")
                }
            }
        }
    }

    @Test func helpBlocksMatchTheBinary() throws {
        let blocks = try Docs.allFences().filter { $0.modifiers.contains("help") }
        for block in blocks {
            let lines = block.body.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            let command = lines.first.map(String.init) ?? ""
            #expect(command.hasPrefix("$ banyan ") && command.hasSuffix(" --help"), "\(block): start with `$ banyan ... --help`")
            let args = command.split(separator: " ").dropFirst(2).map(String.init)
            let result = try CLI.run(args, environment: DocShell.helpEnvironment)
            #expect(lines.count == 2 && result.text + "\n" == lines[1], "\(block) differs from `\(command)`: run scripts/cli-reference.sh")
        }
        let documented = Set(blocks.map { $0.body.prefix { $0 != "\n" } })
        for command in try DocShell.subcommands([]) {
            #expect(documented.contains("$ banyan \(command.joined(separator: " ")) --help"),
                    "docs/cli.md lacks `banyan \(command.joined(separator: " "))`: run scripts/cli-reference.sh")
        }
    }
}

/// The environment of documentation samples.
enum DocShell {
    /// git's deterministic environment, the built binaries first on `PATH`, no `BANYAN_REPO`.
    static let environment: [String: String] = {
        var env = GitRunner.baseEnvironment
        env.removeValue(forKey: "BANYAN_REPO")
        env.removeValue(forKey: "BANYAN_TOKEN")
        env["PATH"] = (CLI.executable as NSString).deletingLastPathComponent + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        return env
    }()

    /// A fixed width for `--help` (the reference is generated with the same).
    static let helpEnvironment = ["COLUMNS": "100"]

    /// Every subcommand path under `banyan parent...`, depth first, from the SUBCOMMANDS sections of `--help`.
    static func subcommands(_ parent: [String]) throws -> [[String]] {
        let help = try CLI.run(parent + ["--help"], environment: helpEnvironment).text
        guard let section = help.components(separatedBy: "SUBCOMMANDS:\n").dropFirst().first else { return [] }
        var found: [[String]] = []
        for line in section.split(separator: "\n") {
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first,
                  name != "See", name != "help" else { continue }
            let path = parent + [String(name)]
            found.append(path)
            found += try subcommands(path)
        }
        return found
    }
}
