import AsyncHTTPClient
import Banyan
import NIOSSL
import Synchronization

extension HTTPTransport {
    /// The clients that trust one file of certificate authorities each
    /// (`--ca`, `http.sslCAInfo`), made once per file for the process.
    private static let trustingClients = Mutex<[String: HTTPClient]>([:])

    /// The client for https remotes checked against the system's trust
    /// store.
    static let verifyingClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpsConfiguration(nil))

    /// `clientConfiguration` for https: a server whose certificate is
    /// refused fails the request at once, as in git, where the pool would
    /// retry the handshake until the connect timeout (30 s).
    private static func httpsConfiguration(_ tls: TLSConfiguration?) -> HTTPClient.Configuration {
        var configuration = clientConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        if let tls { configuration.tlsConfiguration = tls }
        return configuration
    }

    /// A client that verifies servers against the PEM certificates in
    /// `caFile` instead of the system's trust store.
    ///
    /// Throws `invalidArgument` when the file cannot be read or holds no
    /// PEM certificate.
    static func client(trusting caFile: String) throws -> HTTPClient {
        if let client = trustingClients.withLock({ $0[caFile] }) { return client }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(caFile)
        } catch {
            throw BanyanError(.invalidArgument, "cannot read certificate authorities from \(caFile): \(error)")
        }
        guard !certificates.isEmpty else { throw BanyanError(.invalidArgument, "\(caFile) holds no PEM certificate") }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(certificates)
        let configuration = httpsConfiguration(tls)
        return trustingClients.withLock { clients in
            if let client = clients[caFile] { return client }
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[caFile] = client
            return client
        }
    }

    /// What a TLS failure means, when `error` is one: the server's
    /// certificate was not trusted, named another host, or the handshake
    /// failed otherwise.
    static func tlsRefusal(_ error: any Error) -> String? {
        let detail: String
        switch error {
        case let error as NIOSSLError: detail = "\(error)"
        case let error as NIOSSLExtraError: detail = "\(error)"
        default: return nil
        }
        if detail.contains("CERTIFICATE_VERIFY_FAILED") {
            return """
                the server's certificate is not signed by an authority this client trusts; \
                name the authority's certificate with --ca FILE (or http.sslCAInfo, GIT_SSL_CAINFO)
                """
        }
        if detail.contains("failedToValidateHostname") || detail.contains("hostname") {
            return "the server's certificate is for another host name"
        }
        return "the handshake failed (\(detail.prefix(300)))"
    }
}
