import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// `banyan serve --tls-cert --tls-key` and the client's certificate checks,
/// with a certificate authority and certificates `openssl` makes for each
/// run, and real `git clone https://…` against the server.
@Suite("TLS")
struct TLSTests {
    /// A certificate authority, a server certificate it signed for
    /// 127.0.0.1 and localhost, and an authority that signed nothing here.
    struct Certificates {
        let directory: String
        var authority: String { directory + "/ca.pem" }
        var otherAuthority: String { directory + "/other-ca.pem" }
        var certificate: String { directory + "/server.pem" }
        var key: String { directory + "/server.key" }
        var otherKey: String { directory + "/other-ca.key" }

        init(in directory: String) throws {
            self.directory = directory
            let script = """
                set -e
                curve="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
                openssl req -x509 $curve -keyout ca.key -out ca.pem -days 2 -subj "/CN=Banyan Test CA" 2>/dev/null
                openssl req -x509 $curve -keyout other-ca.key -out other-ca.pem -days 2 -subj "/CN=Other CA" 2>/dev/null
                openssl req $curve -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
                printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > ext
                openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext 2>/dev/null
                """
            try ProcessRunner.run("/bin/sh", ["-c", script], in: directory)
        }
    }

    private func store(_ path: String) throws {
        try CLI.ok(path, ["init"])
        try CLI.ok(path, ["set", "notes/a", "over TLS"])
    }

    @Test("git clone and banyan clone, fetch and push over https; a certificate nobody vouched for is refused")
    func serveOverTLS() throws {
        let temporary = TemporaryDirectory("banyan-tls")
        do {
            let directory = temporary.path
            let certificates = try Certificates(in: directory)
            try store(directory + "/store")
            let server = try ServeProcess(repo: directory + "/store", arguments: [
                "--tls-cert", certificates.certificate, "--tls-key", certificates.key, "--token", "s3cret"])
            defer { server.stop() }
            #expect(server.url.hasPrefix("https://127.0.0.1:"))
            let withToken = server.url.replacingOccurrences(of: "https://", with: "https://x:s3cret@")

            // Real git, trusting the authority through GIT_SSL_CAINFO.
            let gitClone = try GitRunner.run(["clone", "-q", withToken, directory + "/git-clone"],
                                             environment: ["GIT_SSL_CAINFO": certificates.authority], check: false)
            #expect(gitClone.status == 0, "\(gitClone.stderr)")
            #expect(try GitRunner.run(["-C", directory + "/git-clone", "show", "HEAD:notes/a"]).text == "over TLS")
            // And refusing a server its trust store does not vouch for.
            let gitRefused = try GitRunner.run(["clone", "-q", withToken, directory + "/git-refused"],
                                               environment: ["GIT_SSL_CAINFO": certificates.otherAuthority], check: false)
            #expect(gitRefused.status != 0)

            // banyan with --ca: clone, then a push and a fetch through the kept http.sslCAInfo
            // (GIT_SSL_CAINFO, which would come first as in git, cleared).
            let noCA = ["GIT_SSL_CAINFO": ""]
            let clone = try CLI.run(["clone", server.url, directory + "/clone", "--token", "s3cret", "--ca", certificates.authority],
                                    environment: noCA)
            #expect(clone.status == 0, "\(clone.stderr)")
            #expect(try CLI.ok(directory + "/clone", ["get", "notes/a"]) == "over TLS")
            #expect(try GitRunner.run(["config", "-f", directory + "/clone/config", "http.sslCAInfo"]).text == certificates.authority)
            try CLI.ok(directory + "/clone", ["set", "notes/b", "pushed over TLS"])
            let push = try CLI.run(["push", "--token", "s3cret", "-C", directory + "/clone"], environment: noCA)
            #expect(push.status == 0, "\(push.stderr)")
            // The environment's authority comes before the store's, as in git.
            let overridden = try CLI.run(["fetch", "--token", "s3cret", "-C", directory + "/clone"],
                                         environment: ["GIT_SSL_CAINFO": certificates.otherAuthority])
            #expect(overridden.status != 0)
            #expect(try CLI.ok(directory + "/store", ["get", "notes/b"]) == "pushed over TLS")
            let fetch = try CLI.run(["fetch", "--token", "s3cret", "-C", directory + "/clone"], environment: noCA)
            #expect(fetch.status == 0, "\(fetch.stderr)")

            // Without the authority (the system's trust store does not know it), or with another one: refused, clearly.
            for extra in [[], ["--ca", certificates.otherAuthority]] {
                let refused = try CLI.run(["clone", server.url, directory + "/refused", "--token", "s3cret"] + extra,
                                          environment: noCA)
                #expect(refused.status != 0)
                #expect(refused.stderr.contains("TLS failed: the server's certificate is not signed by an authority"), "\(refused.stderr)")
                #expect(refused.stderr.contains("--ca"), "\(refused.stderr)")
                #expect(!FileManager.default.fileExists(atPath: directory + "/refused/objects"))
            }
            // A CA file that holds no certificate is named.
            let notPEM = try CLI.run(["clone", server.url, directory + "/bad-ca", "--ca", certificates.key], environment: noCA)
            #expect(notPEM.status != 0)
            #expect(notPEM.stderr.contains(certificates.key), "\(notPEM.stderr)")

            // Plain HTTP to the TLS port gets nothing it can read.
            let plain = try CLI.run(["clone", server.url.replacingOccurrences(of: "https://", with: "http://"),
                                     directory + "/plain", "--token", "s3cret"], environment: noCA)
            #expect(plain.status != 0)
        }
    }

    @Test("serve refuses missing, unreadable or mismatched certificate files before it listens")
    func badCertificateFiles() throws {
        let temporary = TemporaryDirectory("banyan-tls")
        do {
            let directory = temporary.path
            let certificates = try Certificates(in: directory)
            try store(directory + "/store")
            let cases: [([String], String)] = [
                (["--tls-cert", certificates.certificate], "--tls-key"),
                (["--tls-cert", directory + "/missing.pem", "--tls-key", certificates.key], directory + "/missing.pem"),
                (["--tls-cert", certificates.key, "--tls-key", certificates.key], certificates.key),
                (["--tls-cert", certificates.certificate, "--tls-key", certificates.certificate], certificates.certificate),
                (["--tls-cert", certificates.certificate, "--tls-key", certificates.otherKey], "does not serve"),
            ]
            for (arguments, named) in cases {
                let result = try CLI.run(["serve", "-C", directory + "/store", "--port", "0"] + arguments)
                #expect(result.status != 0, "\(arguments)")
                #expect(result.stderr.contains(named), "\(arguments): \(result.stderr)")
            }
        }
    }
}
