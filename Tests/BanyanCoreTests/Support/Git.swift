import BanyanCore
import Foundation

/// A failure of the `git` command line, with what it printed.
struct GitFailure: Error, CustomStringConvertible {
    var arguments: [String]
    var status: Int32
    var stderr: String
    var description: String { "git \(arguments.joined(separator: " ")) exited \(status): \(stderr)" }
}

/// A throwaway bare repository driven through the real `git`, removed on deinit.
///
/// Runs with no user or system config and fixed identities, so every object
/// it makes is the same on every machine.
final class GitRepo {
    let directory: URL
    let algorithm: HashAlgorithm

    /// Environment every command gets: no config files, fixed names and dates.
    static let baseEnvironment: [String: String] = [
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_AUTHOR_NAME": "Ada Author",
        "GIT_AUTHOR_EMAIL": "ada@example.com",
        "GIT_AUTHOR_DATE": "1700000000 +0530",
        "GIT_COMMITTER_NAME": "Cy Committer",
        "GIT_COMMITTER_EMAIL": "cy@example.com",
        "GIT_COMMITTER_DATE": "1700000100 -0800",
        "LC_ALL": "C",
    ]

    init(_ algorithm: HashAlgorithm) throws {
        self.algorithm = algorithm
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("banyan-git-\(UUID().uuidString).git")
        try run(["init", "--quiet", "--bare", "--object-format=\(algorithm.rawValue)", directory.path], inRepo: false)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `git args` in this repository and returns its standard output.
    @discardableResult
    func run(
        _ arguments: [String], input: [UInt8] = [], environment: [String: String] = [:], inRepo: Bool = true
    ) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + (inRepo ? ["--git-dir", directory.path] : []) + arguments
        process.environment = ProcessInfo.processInfo.environment
            .merging(Self.baseEnvironment) { _, new in new }
            .merging(environment) { _, new in new }
        // Files, not pipes, for stdin and stderr: nothing can fill up and deadlock.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("banyan-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inputURL = scratch.appendingPathComponent("in"), errorURL = scratch.appendingPathComponent("err")
        try Data(input).write(to: inputURL)
        try Data().write(to: errorURL)
        let inputHandle = try FileHandle(forReadingFrom: inputURL)
        let errorHandle = try FileHandle(forWritingTo: errorURL)
        defer {
            try? inputHandle.close()
            try? errorHandle.close()
        }
        let output = Pipe()
        process.standardInput = inputHandle
        process.standardOutput = output
        process.standardError = errorHandle
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let stderr = String(decoding: (try? Data(contentsOf: errorURL)) ?? Data(), as: UTF8.self)
            throw GitFailure(arguments: arguments, status: process.terminationStatus, stderr: stderr)
        }
        return Array(data)
    }

    /// Runs `git args` and returns its output as text without the trailing newline.
    func text(
        _ arguments: [String], input: [UInt8] = [], environment: [String: String] = [:]
    ) throws -> String {
        let bytes = try run(arguments, input: input, environment: environment)
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    /// Runs a command that prints one object id.
    func id(_ arguments: [String], input: [UInt8] = [], environment: [String: String] = [:]) throws -> ObjectID {
        try ObjectID(validating: text(arguments, input: input, environment: environment))
    }

    /// Writes `body` as an object of `kind` with `git hash-object` and returns git's id.
    @discardableResult
    func hashObject(_ kind: ObjectKind, _ body: [UInt8]) throws -> ObjectID {
        try id(["hash-object", "-t", kind.rawValue, "-w", "--stdin"], input: body)
    }

    /// Writes a blob and returns its id.
    func blob(_ text: String) throws -> ObjectID {
        try hashObject(.blob, Array(text.utf8))
    }

    /// Builds a tree with `git mktree` from `ls-tree`-style lines.
    func mktree(_ lines: [String]) throws -> ObjectID {
        try id(["mktree"], input: Array(lines.map { $0 + "\n" }.joined().utf8))
    }

    /// The exact body git stores for `id`.
    func catFile(_ kind: ObjectKind, _ id: ObjectID) throws -> [UInt8] {
        try run(["cat-file", kind.rawValue, id.hex])
    }

    /// The path of the loose object file for `id`.
    func looseObjectURL(_ id: ObjectID) -> URL {
        let hex = id.hex
        return directory.appendingPathComponent("objects")
            .appendingPathComponent(String(hex.prefix(2)))
            .appendingPathComponent(String(hex.dropFirst(2)))
    }
}
