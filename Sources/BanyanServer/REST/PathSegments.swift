import Banyan
import Foundation
import Hummingbird

/// The branch and key segments of an API path, percent-decoded one
/// `/`-separated segment at a time from the raw request target (so `%2F`
/// stays inside its segment: a branch `feature%2Fx` is `feature/x`).
struct PathSegments {
    var branch: String
    var rest: [String]

    init(_ request: Request, after prefix: [String]) throws {
        let target = request.head.path ?? "/"
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        var segments = try path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { raw in
            guard let decoded = String(raw).removingPercentEncoding else {
                throw APIError(.badRequest, "invalidKey", "'\(raw)' is not valid percent-encoding")
            }
            return decoded
        }
        guard segments.starts(with: prefix), segments.count > prefix.count, !segments[prefix.count].isEmpty else {
            throw APIError(.notFound, "notFound", "no branch in \(path)")
        }
        branch = segments[prefix.count]
        segments.removeFirst(prefix.count + 1)
        if segments.last == "" { segments.removeLast() }   // a trailing slash names the same directory
        rest = segments
    }

    /// The key the remaining segments name; 400 when they name none or an invalid one.
    func key() throws -> Key {
        guard !rest.isEmpty else { throw APIError(.badRequest, "invalidKey", "the URL names no key after the branch") }
        return try Key(segments: rest)
    }
}
