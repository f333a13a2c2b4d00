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
/// the proxy must pass the original one on.
struct CrossOriginMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.isCrossSiteWrite(request.head) else { return try await next(request, context) }
        throw APIError(.forbidden, "crossOrigin",
                       "a browser write from another site (Origin \(request.headers[.origin] ?? "none")) is refused: use the server's own pages or a client that is not a browser")
    }

    /// Whether `head` is a write a browser sent from a page of another origin.
    static func isCrossSiteWrite(_ head: HTTPRequest) -> Bool {
        guard ![.get, .head, .options].contains(head.method) else { return false }
        if head.headerFields[.secFetchSite]?.lowercased() == "cross-site" { return true }
        guard let origin = head.headerFields[.origin] else { return false }
        return !sameAuthority(origin: origin, host: head.authority)
    }

    /// Whether `origin` (`scheme://host[:port]`) names `host` (`host[:port]`,
    /// the request's `Host`), the scheme's default port written or not.
    static func sameAuthority(origin: String, host: String?) -> Bool {
        guard let host, let separator = origin.range(of: "://") else { return false }
        let scheme = origin[..<separator.lowerBound].lowercased()
        let defaultPort = scheme == "https" ? ":443" : scheme == "http" ? ":80" : nil
        func normalized(_ authority: Substring) -> Substring {
            let lowered = Substring(authority.lowercased())
            guard let defaultPort, lowered.hasSuffix(defaultPort) else { return lowered }
            return lowered.dropLast(defaultPort.count)
        }
        return normalized(origin[separator.upperBound...]) == normalized(Substring(host))
    }
}

extension HTTPField.Name {
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
}
