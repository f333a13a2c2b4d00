import Foundation
import HTTPTypes
import Hummingbird

/// The web console: static files (`Console/` in this target's resources)
/// served at `/` (index.html) and `/console/NAME`. The page itself needs no
/// token; every API call it makes does when the server has one (it asks).
///
/// Only the files shipped in the resource bundle are served, read once into
/// memory: a name that is not one of them is a 404, so no request can reach
/// a path outside the bundle. Each reply carries its content type, an ETag
/// (revalidated with `If-None-Match`), `Cache-Control: no-cache` so a new
/// server version is picked up at once, and a Content-Security-Policy that
/// allows only the console's own scripts and styles.
public enum ConsoleRoutes {
    /// One served file.
    struct File: Sendable {
        var bytes: [UInt8]
        var contentType: String
        var etag: String
    }

    /// The console's files by name, or nil when the resource bundle is not installed.
    static let files: [String: File]? = load()

    /// Adds `GET /` and `GET /console/{name}` to `router`.
    public static func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("/") { request, _ in try serve("index.html", request) }
        router.get("console/{name}") { request, context in
            try serve(context.parameters.get("name") ?? "", request)
        }
    }

    /// True for the console's own files (`GET` or `HEAD` of `/` or `/console/NAME`), which load without a token.
    public static func isPublic(_ request: Request) -> Bool {
        guard request.method == .get || request.method == .head else { return false }
        let path = request.uri.path
        guard path != "/" else { return true }
        let name = path.dropFirst("/console/".count)
        return path.hasPrefix("/console/") && !name.isEmpty && !name.contains("/")
    }

    static func serve(_ name: String, _ request: Request) throws -> Response {
        guard let files else {
            throw APIError(.serviceUnavailable, "unsupported",
                           "the console's files are not installed: Banyan_BanyanServer.resources must sit next to the banyan executable")
        }
        guard let file = files[name] else { throw APIError(.notFound, "notFound", "the console has no file '\(name.prefix(100))'") }
        var headers = HTTPFields()
        headers[.cacheControl] = "no-cache"
        headers[.eTag] = file.etag
        headers[.xContentTypeOptions] = "nosniff"
        if request.headers[.ifNoneMatch] == file.etag {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = file.contentType
        headers[.contentSecurityPolicy] =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        headers[.referrerPolicy] = "no-referrer"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }

    private static func load() -> [String: File]? {
        guard let directory = Bundle.module.url(forResource: "Console", withExtension: nil),
              let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return nil }
        var files: [String: File] = [:]
        for name in names {
            guard let type = contentTypes[(name as NSString).pathExtension],
                  let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)
            else { continue }
            let bytes = Array(data)
            files[name] = File(bytes: bytes, contentType: type, etag: "\"\(String(fnv1a(bytes), radix: 16))\"")
        }
        return files
    }

    private static let contentTypes = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
        "svg": "image/svg+xml", "png": "image/png",
    ]

    /// A content hash for the ETag (not for security: the files are the server's own).
    private static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let contentSecurityPolicy = HTTPField.Name("Content-Security-Policy")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
