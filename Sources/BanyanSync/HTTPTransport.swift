import AsyncHTTPClient
import Banyan
import Foundation
import NIOCore
import NIOHTTP1

/// Git smart HTTP over AsyncHTTPClient: `GET {url}/info/refs?service=…`
/// and `POST {url}/{service}`.
///
/// Credentials come from `token` (sent as `Authorization: Bearer`) or from
/// the URL's `user:password@` (sent as HTTP basic, as `git` does). A 401
/// becomes an error naming the URL without its password.
public struct HTTPTransport: Transport {
    /// The repository URL without credentials or trailing slash.
    public let url: String
    private let authorization: String?
    private let client: HTTPClient
    /// The largest response accepted.
    public var maxResponseBytes: Int
    /// How long one request may take.
    public var timeout: TimeAmount

    /// The client transports share: like `HTTPClient.shared`, but a server may
    /// think for minutes (building a large pack) before its first byte.
    public static let sharedClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)

    /// A client like `sharedClient` that fails at once when the server
    /// cannot be reached, where the pool would retry until the connect
    /// timeout (30 s): for a read that fetches a missing value, which
    /// should say "offline" without making a person wait.
    static let failFastClient: HTTPClient = {
        var configuration = clientConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The configuration of `sharedClient`: a server may think for minutes
    /// before its first byte.
    static var clientConfiguration: HTTPClient.Configuration {
        HTTPClient.Configuration(timeout: .init(connect: .seconds(30), read: .seconds(1800)))
    }

    /// A transport to `url` (http or https); `token` overrides credentials in the URL.
    ///
    /// An https server's certificate is verified against the system's trust
    /// store, or, with `caFile`, against the PEM certificate authorities in
    /// that file (git's `http.sslCAInfo`); a server it does not trust is
    /// refused. Throws `invalidArgument` for a URL that is not http(s) and a
    /// `caFile` that holds no certificate.
    public init(url: String, token: String? = nil, caFile: String? = nil, client: HTTPClient = HTTPTransport.sharedClient,
                maxResponseBytes: Int = 2 << 30, timeout: TimeAmount = .seconds(3600)) throws {
        guard var components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", components.host != nil else {
            throw BanyanError(.invalidArgument, "\(url.debugDescription) is not an http:// or https:// URL")
        }
        if let token {
            authorization = "Bearer \(token)"
        } else if let user = components.user {
            let pair = "\(user.removingPercentEncoding ?? user):\(components.password?.removingPercentEncoding ?? "")"
            authorization = "Basic \(Data(pair.utf8).base64EncodedString())"
        } else {
            authorization = nil
        }
        components.user = nil
        components.password = nil
        var base = components.string ?? url
        while base.hasSuffix("/") { base.removeLast() }
        self.url = base
        self.client = switch (scheme, caFile) {
        case ("https", let caFile?): try Self.client(trusting: caFile)
        case ("https", nil) where client === HTTPTransport.sharedClient: Self.verifyingClient
        default: client
        }
        self.maxResponseBytes = maxResponseBytes
        self.timeout = timeout
    }

    public func advertisement(service: GitService.Service, version2: Bool) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: "\(url)/info/refs?service=\(service.rawValue)")
        request.method = .GET
        let response = try await start(request, version2: version2, expecting: "application/x-\(service.rawValue)-advertisement")
        return Array(try await response.body.collect(upTo: maxResponseBytes).readableBytesView)
    }

    public func exchange(service: GitService.Service, body: [UInt8], version2: Bool) async throws -> [UInt8] {
        let response = try await start(post(service, body: body), version2: version2, expecting: "application/x-\(service.rawValue)-result")
        return Array(try await response.body.collect(upTo: maxResponseBytes).readableBytesView)
    }

    public func exchange(service: GitService.Service, body: [UInt8], version2: Bool,
                         receive: (UnsafeRawBufferPointer) throws -> Void) async throws {
        let response = try await start(post(service, body: body), version2: version2, expecting: "application/x-\(service.rawValue)-result")
        var total = 0
        do {
            for try await buffer in response.body {
                total += buffer.readableBytes
                guard total <= maxResponseBytes else {
                    throw BanyanError(.limitExceeded, "\(url) sent more than the \(maxResponseBytes)-byte response limit")
                }
                try buffer.withUnsafeReadableBytes(receive)
            }
        } catch let error as BanyanError {
            throw error
        } catch {
            throw BanyanError(.io, "the connection to \(url) broke off", cause: error)
        }
    }

    private func post(_ service: GitService.Service, body: [UInt8]) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: "\(url)/\(service.rawValue)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-\(service.rawValue)-request")
        request.headers.add(name: "Accept", value: "application/x-\(service.rawValue)-result")
        request.body = .bytes(ByteBuffer(bytes: body))
        return request
    }

    /// Sends `request` and checks the status and content type; the body is the caller's to read.
    func start(_ request: HTTPClientRequest, version2: Bool, expecting contentType: String) async throws -> HTTPClientResponse {
        var request = request
        request.headers.add(name: "User-Agent", value: "git/2.39-compatible \(GitService.agent)")
        if version2 { request.headers.add(name: "Git-Protocol", value: "version=2") }
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: timeout)
        } catch {
            if let refusal = Self.tlsRefusal(error) {
                throw BanyanError(.io, "cannot reach \(url): TLS failed: \(refusal)")
            }
            throw BanyanError(.io, "cannot reach \(url)", cause: error)
        }
        guard response.status.code == 200 else {
            let text = String(buffer: try await response.body.collect(upTo: 1 << 16)).trimmingCharacters(in: .whitespacesAndNewlines)
            switch response.status.code {
            case 401: throw BanyanError(.invalidArgument, "\(url) refused the credentials (HTTP 401): give a token with --token or in the URL")
            case 403: throw BanyanError(.invalidArgument, "\(url) refused the request (HTTP 403): \(text)")
            case 404: throw BanyanError(.invalidRepository, "no repository at \(url) (HTTP 404)")
            default: throw BanyanError(.io, "\(url) answered HTTP \(response.status.code): \(text.prefix(200))")
            }
        }
        let received = response.headers.first(name: "Content-Type") ?? ""
        guard received.hasPrefix(contentType) else {
            throw BanyanError(.unsupported, "\(url) is not a smart Git server (Content-Type \(received.debugDescription), expected \(contentType))")
        }
        return response
    }
}
