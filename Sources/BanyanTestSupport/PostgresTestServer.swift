import Foundation
import Synchronization

/// The PostgreSQL server the tests run against: the one
/// `BANYAN_TEST_POSTGRES_URL` names (`.ci/run` starts one), or else one this
/// process starts through scripts/postgres-test-server.sh, stopped when the
/// process exits. Without either, every test fails saying so: these tests
/// never pass without a real server.
public enum PostgresTestServer {
    /// Why no server is at hand.
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    private static let started = Mutex<Result<String, Unavailable>?>(nil)

    /// The server's URL, `postgres://USER@HOST:PORT/DATABASE`.
    public static func url() throws -> String {
        if let url = ProcessInfo.processInfo.environment["BANYAN_TEST_POSTGRES_URL"], !url.isEmpty { return url }
        return try started.withLock { started in
            if started == nil { started = startServer().map(\.url) }
            return try started!.get()
        }
    }

    /// The URL of a store on the server that no test used before: its name
    /// is `label` and a fresh UUID.
    public static func freshStoreURL(_ label: String) throws -> String {
        try url() + "?store=\(label)-\(UUID().uuidString.lowercased())"
    }

    /// The repository root (this file is Sources/BanyanTestSupport/PostgresTestServer.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A server of its own, for a test that restarts it: its URL and
    /// directory (for ``restart(_:)``); stopped when this process exits.
    public static func startDedicated() throws -> (url: String, directory: String) {
        let started = try startServer().get()
        return (started.url, started.directory)
    }

    /// Restarts the server in `directory`; its clients' connections drop.
    public static func restart(_ directory: String) throws {
        let (status, text) = runScript("restart '\(directory)'")
        guard status == 0 else { throw Unavailable(description: "restarting the server in \(directory) failed (exit \(status)): \(text)") }
    }

    private static func startServer() -> Result<(url: String, directory: String), Unavailable> {
        let script = packageRoot.appendingPathComponent("scripts/postgres-test-server.sh").path
        let hasInitdb = FileManager.default.fileExists(atPath: "/usr/bin/initdb")
            || ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).contains {
                FileManager.default.fileExists(atPath: "/usr/lib/postgresql/\($0)/bin/initdb")
            }
        guard hasInitdb else {
            return .failure(Unavailable(description: "the PostgreSQL tests need a real server: set BANYAN_TEST_POSTGRES_URL=postgres://USER@HOST:PORT/DB, or install Debian's postgresql package (apt-get install postgresql) so that they start one with \(script)"))
        }
        let (status, text) = runScript("start --owner-pid \(getpid())")
        func value(_ name: String) -> String? {
            text.split(separator: "\n").last(where: { $0.hasPrefix(name + "=") }).map { String($0.dropFirst(name.count + 1)) }
        }
        guard status == 0, let url = value("BANYAN_TEST_POSTGRES_URL"), let directory = value("BANYAN_TEST_POSTGRES_DIR") else {
            return .failure(Unavailable(description: "\(script) start failed (exit \(status)): \(text)"))
        }
        return .success((url, directory))
    }

    /// Runs scripts/postgres-test-server.sh with `arguments` (shell words); its exit status and stdout.
    ///
    /// posix_spawn and waitpid rather than Foundation's Process. The script
    /// starts a server that outlives it, so nothing of this process but the
    /// standard streams goes with it: a pipe another test's child writes to,
    /// inherited by the server, would never reach end-of-file for the test
    /// reading it (seen: a `git` run by the power-loss tests, exited, its
    /// output pipe held open by the server started at that moment).
    private static func runScript(_ arguments: String) -> (status: Int32, output: String) {
        let script = packageRoot.appendingPathComponent("scripts/postgres-test-server.sh").path
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("banyan-postgres-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        var pid: pid_t = 0
        let command = ["/bin/bash", "-c", "exec /bin/bash '\(script)' \(arguments) > '\(output)'"]
        var argv = command.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        // glibc's posix_spawn_file_actions_addclosefrom_np (2.34), which Swift does not import.
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3)
        }
        guard posix_spawn(&pid, "/bin/bash", &actions, nil, &argv, environ) == 0 else { return (-1, "cannot run \(script)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return ((status >> 8) & 0xff, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }
}
