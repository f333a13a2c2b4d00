import BanyanTestSupport
import Foundation

/// Runs the built `banyan` binary.
enum CLI {
    /// The `banyan` executable next to the test bundle.
    static let executable: String = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [beside, beside.deletingLastPathComponent()] {
            let candidate = dir.appendingPathComponent("banyan").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/banyan").path
    }()

    /// Runs `banyan args` with `input` on stdin; never throws on a non-zero exit.
    ///
    /// `launcher` runs it through another program (`ip netns exec NS`).
    @discardableResult
    static func run(_ args: [String], input: Data? = nil, in directory: String? = nil,
                    environment: [String: String] = [:], launcher: [String] = []) throws -> GitRunner.Result {
        let command = launcher + [executable] + args
        return try ProcessRunner.run(command[0], Array(command.dropFirst()), in: directory, input: input,
                                     environment: self.environment(environment), check: false)
    }

    /// The environment `banyan` runs with: the test's, without `BANYAN_REPO`, plus `extra`.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "BANYAN_REPO")
        env.merge(extra) { $1 }
        return env
    }

    /// Runs `banyan -C repo args` and returns stdout text, failing on a non-zero exit.
    @discardableResult
    static func ok(_ repo: String, _ args: [String], input: Data? = nil) throws -> String {
        let result = try run(args + ["-C", repo], input: input)
        guard result.status == 0 else {
            throw ProcessRunner.Failure(command: "banyan " + args.joined(separator: " "), result: result)
        }
        return result.text
    }
}

/// A `banyan serve` child process, listening once constructed.
final class ServeProcess: @unchecked Sendable {
    /// The process (after `ip netns exec`, which execs, it is `banyan` itself).
    let process: Process
    /// `http://HOST:PORT/` (or `https://`) as the server printed it.
    let url: String
    private let log = NSLock()
    private var stderrText = ""

    /// Starts `[launcher…] banyan serve -C repo --port 0 arguments…` (in
    /// `directory`, else this process's) and waits for its "Serving … at URL"
    /// line; the rest of its stderr is drained (and kept for failure
    /// messages) so it never blocks on a full pipe.
    init(repo: String, arguments: [String] = [], launcher: [String] = [], directory: String? = nil) throws {
        let command = launcher + [CLI.executable, "serve", "-C", repo, "--port", "0"] + arguments
        process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.arguments = Array(command.dropFirst())
        process.environment = CLI.environment()
        process.standardOutput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardError = pipe
        try process.run()
        let text = try pipe.readLine()
        guard let range = text.range(of: "https://") ?? text.range(of: "http://") else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw StartFailure(description: "\(command.joined(separator: " ")) did not start: \(text)")
        }
        url = String(text[range.lowerBound...])
        Thread { [self] in
            let rest = pipe.fileHandleForReading.readDataToEndOfFile()
            log.withLock { stderrText = String(decoding: rest, as: UTF8.self) }
        }.start()
    }

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Sends `signal` and waits for the process to end.
    func stop(_ signal: Int32 = SIGTERM) {
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
    }

    /// What the server wrote to stderr after its first line (complete once it has ended).
    var stderr: String { log.withLock { stderrText } }
}
