import Banyan
import Foundation
import HTTPTypes
import Hummingbird

/// The REST/JSON API under `/api/v1` (docs/openapi.json): keys, branches,
/// atomic commits, log (of a branch or one key), diff, branch comparison,
/// merge and its preview, and a Server-Sent Events change stream.
///
/// Errors are `{"error": {"code", "message"}}` with a matching status. Keys
/// and branch names in URLs are percent-decoded per `/`-separated segment and
/// validated as everywhere else. Writes are refused with 403 on a read-only
/// server or from a browser page of another site (`CrossOriginMiddleware`),
/// and bodies over `maxBodyBytes` with 413.
public enum RESTAPI {
    /// Limits and switches.
    public struct Options: Sendable {
        /// Refuse every write (403).
        public var readOnly: Bool
        /// The largest request body accepted.
        public var maxBodyBytes: Int
        /// How often an idle change stream sends a comment, so dropped clients are noticed.
        public var heartbeat: Duration
        /// How often watches look for other processes' commits.
        public var pollInterval: Duration
        /// Origins besides the server's own whose browser writes are
        /// accepted, as ``BanyanServerBuilder/Configuration/trustedOrigins``;
        /// ones that are not origins match nothing.
        public var trustedOrigins: [String] = []

        /// Options; defaults: writable, 16 MiB bodies, 15 s heartbeat, 100 ms polling.
        public init(readOnly: Bool = false, maxBodyBytes: Int = 16 << 20, heartbeat: Duration = .seconds(15),
                    pollInterval: Duration = .milliseconds(100)) {
            self.readOnly = readOnly
            self.maxBodyBytes = maxBodyBytes
            self.heartbeat = heartbeat
            self.pollInterval = pollInterval
        }
    }

    /// Adds the API routes for `repository` to `router`.
    public static func add<Context: RequestContext>(to router: Router<Context>, repository: Repository, options: Options = .init()) {
        let api = APIHandlers(repository: repository, options: options)
        let group = router.group("api/v1").add(middleware: JSONErrorMiddleware<Context>())
            .add(middleware: CrossOriginMiddleware<Context>(trustedOrigins: options.trustedOrigins))
        group.get("openapi.json") { _, _ in
            guard let document = OpenAPIDocument.json else {
                throw APIError(.internalServerError, "io", "the OpenAPI document is missing from the server's resources")
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
        group.get("info") { _, _ in try api.info() }
        group.get("branches") { _, _ in try api.branches() }
        group.post("branches") { request, _ in try await api.createBranch(request) }
        group.delete("branches/**") { request, _ in try api.deleteBranch(request) }
        group.get("kv/**") { request, _ in try api.getValue(request) }
        group.put("kv/**") { request, _ in try await api.putValue(request) }
        group.delete("kv/**") { request, _ in try api.deleteValue(request) }
        group.get("list/**") { request, _ in try api.list(request) }
        group.post("commit/**") { request, _ in try await api.commit(request) }
        group.get("log/**") { request, _ in try api.log(request) }
        group.get("diff") { request, _ in try api.diff(request) }
        group.post("merge") { request, _ in try await api.merge(request) }
        group.get("merge/preview") { request, _ in try api.mergePreview(request) }
        group.get("compare") { request, _ in try api.compare(request) }
        group.get("watch/**") { request, _ in try api.watch(request) }
        group.get("conflicts") { request, _ in try api.conflicts(request) }
        group.get("conflicts/**") { request, _ in try api.conflict(request) }
        group.post("conflicts/**") { request, _ in try await api.resolveConflict(request) }
    }
}

extension BanyanServerBuilder {
    /// Adds the REST API (``RESTAPI``) for `repository` to this server, read-only when the Git service is.
    public func addRESTAPI(repository: Repository, maxBodyBytes: Int = 16 << 20) {
        var options = RESTAPI.Options(readOnly: configuration.git.readOnly, maxBodyBytes: maxBodyBytes)
        options.trustedOrigins = configuration.trustedOrigins
        RESTAPI.add(to: router, repository: repository, options: options)
    }
}
