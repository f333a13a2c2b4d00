import Banyan
import NIOSSL

extension BanyanServerBuilder {
    /// The PEM files `banyan serve --tls-cert FILE --tls-key FILE` serves
    /// HTTPS with: the server's certificate, then any intermediates, and its
    /// private key.
    public struct TLSFiles: Sendable, Hashable {
        /// The certificate chain, the server's certificate first.
        public var certificateChain: String
        /// The private key of the server's certificate.
        public var privateKey: String

        /// The files at these paths.
        public init(certificateChain: String, privateKey: String) {
            self.certificateChain = certificateChain
            self.privateKey = privateKey
        }

        /// The server's TLS configuration (TLS 1.2 and later), checked by
        /// building it once: throws `invalidArgument` naming the file that
        /// cannot be read, holds no PEM of its kind, or a key that is not
        /// the certificate's.
        public func serverConfiguration() throws -> TLSConfiguration {
            let chain: [NIOSSLCertificate]
            do {
                chain = try NIOSSLCertificate.fromPEMFile(certificateChain)
            } catch {
                throw BanyanError(.invalidArgument, "cannot read a PEM certificate chain from \(certificateChain): \(error)")
            }
            guard !chain.isEmpty else {
                throw BanyanError(.invalidArgument, "\(certificateChain) holds no PEM certificate")
            }
            let key: NIOSSLPrivateKey
            do {
                key = try NIOSSLPrivateKey(file: privateKey, format: .pem)
            } catch {
                throw BanyanError(.invalidArgument, "cannot read a PEM private key from \(privateKey): \(error)")
            }
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = .tlsv12
            do {
                _ = try NIOSSLContext(configuration: configuration)
            } catch {
                throw BanyanError(.invalidArgument, "the key \(privateKey) does not serve the certificate \(certificateChain): \(error)")
            }
            return configuration
        }
    }
}
