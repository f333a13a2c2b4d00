import Foundation
import HTTPTypes
import Hummingbird

/// Requires a shared token on every request: `Authorization: Bearer TOKEN`,
/// or HTTP basic with the token as the password (any user name), so `git`
/// works with `http://user:TOKEN@host/`. Others get 401 with a
/// `WWW-Authenticate` challenge (so `git` asks for or sends credentials; only
/// the Bearer one for requests with `X-Requested-With`, the console's) and
/// the server's JSON error body, code `unauthorized`. Requests `isPublic`
/// accepts (the web console's static files) pass without a token.
public struct TokenAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    private let token: [UInt8]
    private let isPublic: @Sendable (Request) -> Bool

    /// A middleware accepting `token`, and no token on the requests `isPublic` accepts.
    public init(token: String, isPublic: @escaping @Sendable (Request) -> Bool = { _ in false }) {
        self.token = Array(token.utf8)
        self.isPublic = isPublic
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard isPublic(request) || authorized(request.headers[.authorization]) else {
            var headers = HTTPFields()
            // A browser answers a Basic challenge with its own login prompt, even to fetch(); the web
            // console asks for the token itself and marks its requests with X-Requested-With.
            headers[.wwwAuthenticate] = request.headers[.xRequestedWith] == nil
                ? "Basic realm=\"banyan\", Bearer realm=\"banyan\"" : "Bearer realm=\"banyan\""
            let message = request.headers[.authorization] == nil
                ? "authentication required: send Authorization: Bearer TOKEN (or basic auth with the token as password)"
                : "the token is wrong"
            return APIError(.unauthorized, "unauthorized", message, headers: headers).response
        }
        return try await next(request, context)
    }

    private func authorized(_ header: String?) -> Bool {
        guard let header else { return false }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return false }
        switch parts[0].lowercased() {
        case "bearer":
            return constantTimeEqual(Array(parts[1].utf8), token)
        case "basic":
            guard let decoded = Data(base64Encoded: String(parts[1])), let colon = decoded.firstIndex(of: 0x3A) else { return false }
            return constantTimeEqual(Array(decoded[(colon + 1)...]), token)
        default:
            return false
        }
    }

    private func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}

extension HTTPField.Name {
    static let xRequestedWith = HTTPField.Name("X-Requested-With")!
}
