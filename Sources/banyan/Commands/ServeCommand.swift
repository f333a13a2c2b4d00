import ArgumentParser
import Banyan
import BanyanServer
import BanyanSync
import Foundation
import Hummingbird

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the store over Git's smart HTTP protocol, the REST API (/api/v1) and a web console (/).",
        discussion: """
            git clone, fetch and push (protocol v2 and v0) and banyan's own sync commands work against \
            http://HOST:PORT/. With --token, every request needs `Authorization: Bearer TOKEN` or HTTP \
            basic auth with the token as password (git: http://user:TOKEN@HOST:PORT/). On SIGINT or SIGTERM it \
            stops accepting connections, lets requests in flight finish (for up to 3 s, then closes what is \
            still open), ends the watch streams, makes every write visible to git and exits 0. \
            With --tls-cert and --tls-key it serves https://HOST:PORT/ instead (TLS 1.2 or later); \
            clients that do not trust the certificate's authority by default need it named \
            (banyan --ca FILE, git's GIT_SSL_CAINFO or http.sslCAInfo). \
            The web console at / loads without the token and asks for it before its first API call.
            """)

    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on (0 picks a free one).") var port = 8080
    @Option(help: "A token every request must carry (default: $BANYAN_TOKEN, else none).") var token: String?
    @Flag(help: "Refuse pushes.") var readOnly = false
    @Flag(help: "Accept pushes that are not fast-forwards.") var allowNonFastForward = false
    @Option(help: "The largest request body and pack accepted, in bytes.") var maxRequestBytes = 1 << 30
    @Option(help: ArgumentHelp("Serve HTTPS with this PEM certificate chain (needs --tls-key).", valueName: "file"))
    var tlsCert: String?
    @Option(help: ArgumentHelp("The PEM private key of --tls-cert.", valueName: "file")) var tlsKey: String?
    @Flag(help: "Do not serve the web console at /.") var noConsole = false
    @Option(help: ArgumentHelp("Accept browser writes from this origin too (http[s]://HOST[:PORT]): the public origin of a reverse proxy that rewrites Host. Repeat for more.", valueName: "origin"))
    var trustedOrigin: [String] = []
    @OptionGroup var repository: RepositoryOptions

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-cert and --tls-key go together: give both to serve HTTPS, or neither")
        }
        for origin in trustedOrigin {
            do { _ = try BanyanServerBuilder.origin(origin) } catch let error as BanyanError {
                throw ValidationError("--trusted-origin: \(error.message)")
            }
        }
    }

    func run() async throws {
        let tls = tlsCert.map { BanyanServerBuilder.TLSFiles(certificateChain: $0, privateKey: tlsKey ?? "") }
        // Bad certificate files are refused before the store is opened or a port taken.
        _ = try tls?.serverConfiguration()
        let repo = try repository.open(maintenance: .background)
        let options = GitService.Options(readOnly: readOnly, allowNonFastForward: allowNonFastForward,
                                         maxRequestBytes: maxRequestBytes, maxPackBytes: maxRequestBytes)
        let token = token ?? environment("BANYAN_TOKEN")
        var configuration = BanyanServerBuilder.Configuration(host: host, port: port, token: token, git: options,
                                                              shutdownGracePeriod: StopSignals.gracePeriod, tls: tls, console: !noConsole)
        configuration.trustedOrigins = trustedOrigin
        let builder = BanyanServerBuilder(repository: repo, configuration: configuration)
        builder.addRESTAPI(repository: repo)
        let host = host
        let path = printableLocation(repository.path)
        let scheme = tls == nil ? "http" : "https"
        let server = try builder.serviceGroup(stoppingOn: []) { port in
            FileHandle.standardError.write(Data("Serving \(path) at \(scheme)://\(host):\(port)/\n".utf8))
        }
        // A stop before the server runs is remembered by the group and applied once it does.
        StopSignals.trap(onStop: { Task { await server.triggerGracefulShutdown() } },
                         atDeadline: { try? repo.flush() })
        let trimming = MallocPolicy.applyWhileServing()
        defer { trimming.cancel() }
        try await server.run()
        // The open append pack is sealed, so `git` sees every acknowledged write.
        try repo.flush()
    }
}
