import Foundation

/// Runs the real `git` for tests that check Banyan against it.
public enum GitRunner {
    /// The result of one run.
    public struct Result: Sendable {
        /// Exit status.
        public var status: Int32
        /// Standard output bytes.
        public var stdout: Data
        /// Standard error text.
        public var stderr: String
        /// Standard output as text, trailing newline removed.
        public var text: String {
            var text = String(decoding: stdout, as: UTF8.self)
            if text.hasSuffix("\n") { text.removeLast() }
            return text
        }
    }

    /// An environment that makes git deterministic and independent of the user's config.
    public static let baseEnvironment: [String: String] = {
        var env = ProcessInfo.processInfo.environment
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        env["GIT_CONFIG_GLOBAL"] = "/dev/null"
        env["GIT_AUTHOR_NAME"] = "Test Author"
        env["GIT_AUTHOR_EMAIL"] = "author@example.com"
        env["GIT_COMMITTER_NAME"] = "Test Committer"
        env["GIT_COMMITTER_EMAIL"] = "committer@example.com"
        env["GIT_AUTHOR_DATE"] = "1700000000 +0000"
        env["GIT_COMMITTER_DATE"] = "1700000000 +0000"
        env["LC_ALL"] = "C"
        return env
    }()

    /// Runs `git args` in `directory`, feeding `input`; throws when git exits non-zero and `check` is set.
    @discardableResult
    public static func run(
        _ args: [String], in directory: String? = nil, input: Data? = nil,
        environment: [String: String] = [:], check: Bool = true
    ) throws -> Result {
        try ProcessRunner.run("/usr/bin/env", ["git"] + args, in: directory, input: input,
                              environment: baseEnvironment.merging(environment) { $1 }, check: check)
    }
}

/// Runs any program and collects its output.
public enum ProcessRunner {
    /// A program exited with an unexpected status.
    public struct Failure: Error, CustomStringConvertible {
        /// The command line.
        public var command: String
        /// What it returned.
        public var result: GitRunner.Result
        public var description: String {
            "\(command) exited \(result.status): \(result.stderr)"
        }

        /// Creates a failure report.
        public init(command: String, result: GitRunner.Result) {
            self.command = command
            self.result = result
        }
    }

    /// Runs `executable args`, feeding `input`; throws `Failure` when `check` is set and it exits non-zero.
    public static func run(
        _ executable: String, _ args: [String], in directory: String? = nil, input: Data? = nil,
        environment: [String: String]? = nil, check: Bool = true
    ) throws -> GitRunner.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = args
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment { process.environment = environment }
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        // Feed stdin and drain stdout/stderr concurrently so large outputs cannot deadlock.
        let writer = Thread {
            if let input { stdin.fileHandleForWriting.write(input) }
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let errorData = LockedData()
        let errorReader = Thread { errorData.set(stderr.fileHandleForReading.readDataToEndOfFile()) }
        errorReader.start()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { usleep(1000) }
        let result = GitRunner.Result(status: process.terminationStatus, stdout: out,
                                      stderr: String(decoding: errorData.value, as: UTF8.self))
        if check && result.status != 0 {
            throw Failure(command: ([executable] + args).joined(separator: " "), result: result)
        }
        return result
    }

    private final class LockedData: @unchecked Sendable {
        private let lock = NSLock()
        private var data: Data?
        func set(_ value: Data) { lock.withLock { data = value } }
        var isSet: Bool { lock.withLock { data != nil } }
        var value: Data { lock.withLock { data ?? Data() } }
    }
}

/// A fresh directory under the system temp dir, removed when the value is deinitialised.
public final class TemporaryDirectory: @unchecked Sendable {
    /// Its path.
    public let path: String

    /// Creates the directory.
    public init(_ label: String = "banyan-test") {
        let base = FileManager.default.temporaryDirectory.path
        path = "\(base)/\(label)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A path inside the directory.
    public func appending(_ name: String) -> String {
        "\(path)/\(name)"
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
