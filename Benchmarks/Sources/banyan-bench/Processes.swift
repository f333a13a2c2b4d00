import Banyan
import Foundation

/// The child processes the workloads time: `git` and the `banyan` executable.
enum Processes {
    /// The `banyan` executable: `$BANYAN_BIN`, else the one built next to this
    /// harness (`swift build --product banyan` in the same configuration).
    static func banyanExecutable() throws -> String {
        if let path = ProcessInfo.processInfo.environment["BANYAN_BIN"] { return path }
        let harness = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let path = harness.deletingLastPathComponent().appendingPathComponent("banyan").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BanyanError(.invalidArgument,
                              "no banyan executable at \(path): build it (swift build --product banyan, with -c release for release figures) or set BANYAN_BIN")
        }
        return path
    }

    /// Runs `executable args` in `directory` with no user Git configuration and
    /// returns its wall time in seconds; throws when it exits non-zero.
    @discardableResult
    static func run(_ executable: String, _ args: [String], in directory: String? = nil) throws -> Double {
        let process = configured(executable, args, in: directory)
        process.standardOutput = FileHandle.nullDevice
        let start = Date()
        try process.run()
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        guard process.terminationStatus == 0 else {
            throw BanyanError(.io, "\(executable) \(args.joined(separator: " ")) exited \(process.terminationStatus)")
        }
        return seconds
    }

    /// Runs `executable args` under `/usr/bin/time` and returns its wall
    /// time in seconds and its peak resident set size in bytes; throws when
    /// it exits non-zero.
    static func measured(_ executable: String, _ args: [String]) throws -> (seconds: Double, peakRSS: Double) {
        let report = NSTemporaryDirectory() + "banyan-bench-time-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: report) }
        let seconds = try run("/usr/bin/time", ["-f", "%M", "-o", report, executable] + args)
        let text = try String(contentsOfFile: report, encoding: .utf8)
        guard let kilobytes = Double(text.split(separator: "\n").last ?? "") else {
            throw BanyanError(.io, "/usr/bin/time reported no peak RSS: \(text)")
        }
        return (seconds, kilobytes * 1024)
    }

    /// Runs `executable args` and returns what it printed on stdout; throws when it exits non-zero.
    static func output(_ executable: String, _ args: [String]) throws -> String {
        let process = configured(executable, args)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BanyanError(.io, "\(executable) \(args.joined(separator: " ")) exited \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs `git args` in `directory`; returns its wall time in seconds.
    @discardableResult
    static func git(_ args: [String], in directory: String? = nil) throws -> Double {
        try run("/usr/bin/env", ["git"] + args, in: directory)
    }

    /// A process for `executable args` with Git's user and system configuration off.
    static func configured(_ executable: String, _ args: [String], in directory: String? = nil) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = args
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0"]) { $1 }
        return process
    }
}

/// A `banyan serve` child on a free loopback port, stopped by `stop()`.
final class BanyanServeProcess {
    let process: Process
    /// The server's base URL, `http://127.0.0.1:PORT/`.
    let url: String

    /// Serves the store at `path` (a directory or a `postgres://` URL);
    /// its stderr goes to `log` (default: beside a directory store).
    init(repository path: String, log: String? = nil) throws {
        process = Processes.configured(try Processes.banyanExecutable(), ["serve", "--port", "0", "-C", path])
        // stderr goes to a file, so a chatty server never blocks on a full pipe.
        let log = log ?? path + "-serve.log"
        guard FileManager.default.createFile(atPath: log, contents: nil) else {
            throw BanyanError(.io, "cannot create \(log)")
        }
        defer { try? FileManager.default.removeItem(atPath: log) }
        process.standardError = FileHandle(forWritingAtPath: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // The server prints "Serving PATH at http://HOST:PORT/" once it listens.
        let deadline = Date().addingTimeInterval(60)
        var found: String?
        while found == nil, process.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "http://"), let end = text[range.lowerBound...].firstIndex(of: "\n") {
                found = String(text[range.lowerBound..<end])
            }
        }
        guard let found else {
            if process.isRunning { process.terminate() }
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw BanyanError(.io, "banyan serve did not start within 60 s: \(output.prefix(500))")
        }
        url = found
    }

    /// Stops the server and waits for it to exit.
    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
