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
            if started == nil { started = startServer() }
            return try started!.get()
        }
    }

    /// The repository root (this file is Sources/BanyanTestSupport/PostgresTestServer.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    private static func startServer() -> Result<String, Unavailable> {
        let script = packageRoot.appendingPathComponent("scripts/postgres-test-server.sh").path
        let hasInitdb = FileManager.default.fileExists(atPath: "/usr/bin/initdb")
            || ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).contains {
                FileManager.default.fileExists(atPath: "/usr/lib/postgresql/\($0)/bin/initdb")
            }
        guard hasInitdb else {
            return .failure(Unavailable(description: "the PostgreSQL tests need a real server: set BANYAN_TEST_POSTGRES_URL=postgres://USER@HOST:PORT/DB, or install Debian's postgresql package (apt-get install postgresql) so that they start one with \(script)"))
        }
        // posix_spawn and waitpid rather than Foundation's Process, whose
        // waitUntilExit was seen never to return here once the script had exited.
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("banyan-postgres-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let command = "exec /bin/bash '\(script)' start --owner-pid \(getpid()) > '\(output)'"
        var pid: pid_t = 0
        let arguments = ["/bin/bash", "-c", command]
        var argv = arguments.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        guard posix_spawn(&pid, "/bin/bash", nil, nil, &argv, environ) == 0 else {
            return .failure(Unavailable(description: "cannot run \(script): errno \(errno)"))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitCode = (status >> 8) & 0xff
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let prefix = "BANYAN_TEST_POSTGRES_URL="
        guard exitCode == 0,
              let line = text.split(separator: "\n").last(where: { $0.hasPrefix(prefix) }) else {
            return .failure(Unavailable(description: "\(script) start failed (exit \(exitCode)): \(text)"))
        }
        return .success(String(line.dropFirst(prefix.count)))
    }
}
