import BanyanTestSupport
import Foundation

/// `git http-backend` behind a tiny CGI host (Python's http.server) on an
/// ephemeral loopback port, serving the bare repositories under `root`.
/// The host exits by itself after two minutes; `stop()` ends it sooner.
final class GitHTTPBackend: @unchecked Sendable {
    let process: Process
    let port: Int

    var url: String { "http://127.0.0.1:\(port)/" }

    static let script = #"""
import http.server, os, signal, subprocess, sys
import threading
threading.Timer(120, lambda: os._exit(0)).start()
root = sys.argv[1]
v2 = sys.argv[2] == "v2"
class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args): pass
    def run(self):
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        env = dict(os.environ, GIT_PROJECT_ROOT=root, GIT_HTTP_EXPORT_ALL="1", REQUEST_METHOD=self.command,
                   PATH_INFO=path, QUERY_STRING=query, CONTENT_TYPE=self.headers.get("Content-Type") or "",
                   CONTENT_LENGTH=str(len(body)), REMOTE_USER="tester", REMOTE_ADDR="127.0.0.1",
                   HTTP_CONTENT_ENCODING=self.headers.get("Content-Encoding") or "",
                   GIT_PROTOCOL=(self.headers.get("Git-Protocol") or "") if v2 else "")
        out = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True).stdout
        head, _, rest = out.partition(b"\r\n\r\n")
        status, headers = 200, []
        for line in head.decode().split("\r\n"):
            name, _, value = line.partition(": ")
            if name.lower() == "status": status = int(value.split()[0])
            elif name: headers.append((name, value))
        self.send_response(status)
        for name, value in headers: self.send_header(name, value)
        self.send_header("Content-Length", str(len(rest)))
        self.end_headers()
        self.wfile.write(rest)
    do_GET = run
    do_POST = run
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""#

    /// Serves `root`; with `version2: false` the host drops `Git-Protocol`, so git answers in protocol v0.
    init(root: String, version2: Bool = true) throws {
        let scriptPath = root + "/.cgi-host.py"
        try Self.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptPath, root, version2 ? "v2" : "v0"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        guard let port = Int(try pipe.readLine()) else {
            kill(process.processIdentifier, SIGKILL)
            throw CocoaError(.fileReadUnknown)
        }
        self.port = port
    }

    /// Kills the host: SIGKILL, because a child started from the test process
    /// inherits its blocked signals and would ignore SIGTERM.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
