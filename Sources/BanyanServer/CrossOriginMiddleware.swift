import Banyan
import HTTPTypes
import Hummingbird

/// Refuses writes a browser sends on behalf of another site (cross-site
/// request forgery): a request other than `GET`, `HEAD` or `OPTIONS` whose
/// `Sec-Fetch-Site` is `cross-site`, or whose `Origin` is not this server's
/// own (`Origin: null` included), gets 403 with the JSON error code
/// `crossOrigin`, before authentication and before anything is written.
///
/// A page on another site can make the browser send a form post or a
/// no-CORS `fetch` with the user's credentials (basic auth the browser
/// remembers, a token in the URL) without reading the reply; refusing the
/// write is what stops it. Same-origin requests (the web console) pass, and
/// so does every client that is not a browser: `git`, the CLI and the
/// library send no `Origin`. Behind a reverse proxy that rewrites `Host`,
/// the proxy's public origin is one of the trusted origins
/// (``BanyanServerBuilder/Configuration/trustedOrigins``): a write from a
/// trusted origin passes.
struct CrossOriginMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The trusted origins, normalized; ones that are not origins are left out.
    let trusted: Set<String>

    init(trustedOrigins: [String] = []) {
        trusted = Set(trustedOrigins.compactMap { try? BanyanServerBuilder.origin($0) })
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.isCrossSiteWrite(request.head, trusted: trusted) else { return try await next(request, context) }
        throw APIError(.forbidden, "crossOrigin",
                       "a browser write from another site (Origin \(request.headers[.origin] ?? "none")) is refused: use the server's own pages or a client that is not a browser (behind a proxy that rewrites Host, trust the proxy's origin)")
    }

    /// Whether `head` is a write a browser sent from a page of an origin
    /// that is neither the server's own nor one of `trusted`.
    static func isCrossSiteWrite(_ head: HTTPRequest, trusted: Set<String> = []) -> Bool {
        guard ![.get, .head, .options].contains(head.method) else { return false }
        let origin = head.headerFields[.origin]
        if let origin, let normalized = try? BanyanServerBuilder.origin(origin), trusted.contains(normalized) { return false }
        if head.headerFields[.secFetchSite]?.lowercased() == "cross-site" { return true }
        guard let origin else { return false }
        return !sameAuthority(origin: origin, host: head.authority)
    }

    /// Whether `origin` (`scheme://host[:port]`) names `host` (`host[:port]`,
    /// the request's `Host`), the scheme's default port written or not.
    static func sameAuthority(origin: String, host: String?) -> Bool {
        guard let host, let normalized = try? BanyanServerBuilder.origin(origin),
              let separator = normalized.range(of: "://") else { return false }
        let scheme = normalized[..<separator.lowerBound]
        return (try? BanyanServerBuilder.origin("\(scheme)://\(host)")) == normalized
    }
}

extension BanyanServerBuilder {
    /// `text` as the origin a browser sends: `http://` or `https://` and an
    /// authority, lowercased, the scheme's default port dropped, a trailing
    /// `/` allowed (`HTTPS://Notes.Example.com:443/` is
    /// `https://notes.example.com`).
    ///
    /// Throws `invalidArgument` naming `text` when it has another scheme,
    /// no host, a path, a query or user information.
    public static func origin(_ text: String) throws -> String {
        var lowered = Substring(text.lowercased())
        if lowered.hasSuffix("/") { lowered = lowered.dropLast() }
        guard let separator = lowered.range(of: "://") else {
            throw BanyanError(.invalidArgument, "'\(text)' is not an origin: expected http://HOST[:PORT] or https://HOST[:PORT]")
        }
        let scheme = lowered[..<separator.lowerBound]
        var authority = lowered[separator.upperBound...]
        guard scheme == "http" || scheme == "https" else {
            throw BanyanError(.invalidArgument, "'\(text)' is not an origin: its scheme must be http or https")
        }
        guard !authority.isEmpty, !authority.hasPrefix(":"), !authority.contains(where: { "/?#@ ".contains($0) }) else {
            throw BanyanError(.invalidArgument, "'\(text)' is not an origin: it must be a scheme and a host (and port), with no path, query or user")
        }
        let defaultPort = scheme == "https" ? ":443" : ":80"
        if authority.hasSuffix(defaultPort) { authority = authority.dropLast(defaultPort.count) }
        return "\(scheme)://\(authority)"
    }
}

extension HTTPField.Name {
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
}
