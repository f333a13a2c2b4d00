import Banyan
import BanyanSync
import Foundation
import HTTPTypes
import Hummingbird

/// Git's smart-HTTP endpoints on a Hummingbird router:
/// `GET /info/refs?service=…`, `POST /git-upload-pack`, `POST /git-receive-pack`.
public enum GitHTTPRoutes {
    /// Adds the Git endpoints for `service` to `router`, under `prefix` (empty for the root).
    public static func add<Context: RequestContext>(to router: Router<Context>, service: GitService, prefix: String = "") {
        let group = prefix.isEmpty ? router.group() : router.group(RouterPath(prefix))
        group.get("info/refs") { request, _ -> Response in
            let name = request.uri.queryParameters["service"].map(String.init) ?? ""
            guard !name.isEmpty else {
                throw APIError(.forbidden, "unsupported", "dumb HTTP is not served: use a smart Git client (service=git-upload-pack)")
            }
            let gitProtocol = request.headers[.gitProtocol]
            return try await respond { try service.infoRefs(service: name, gitProtocol: gitProtocol) }
        }
        group.post("git-upload-pack") { request, _ -> Response in
            let body = try await RequestBody.collect(request, limit: service.options.maxRequestBytes)
            let gitProtocol = request.headers[.gitProtocol]
            return try await respond { try service.uploadPack(body: body, gitProtocol: gitProtocol) }
        }
        group.post("git-receive-pack") { request, _ -> Response in
            if service.options.readOnly {
                throw APIError(.forbidden, "readOnly", "this server is read-only: pushes are refused")
            }
            let body = try await RequestBody.collect(request, limit: service.options.maxRequestBytes)
            return try await respond { try service.receivePack(body: body) }
        }
    }

    /// Runs a service call on a dispatch thread, so a long pack build does not
    /// hold one of the few cooperative threads, and maps its errors to HTTP statuses.
    static func respond(_ body: @escaping @Sendable () throws -> GitResponse) async throws -> Response {
        let result: GitResponse
        do {
            result = try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
            }
        } catch let error as ServiceError {
            throw APIError(.forbidden, "forbidden", error.description)
        } catch let error as BanyanError {
            let status: HTTPResponse.Status = switch error.code {
            case .limitExceeded: .contentTooLarge
            case .io, .invalidRepository: .internalServerError
            default: .badRequest
            }
            throw APIError(status, error.code.description, error.message)
        }
        var headers = HTTPFields()
        headers[.contentType] = result.contentType
        headers[.cacheControl] = "no-cache"
        return Response(status: .init(code: result.status), headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: result.body)))
    }
}

extension HTTPField.Name {
    /// `Git-Protocol`, which carries `version=2`.
    static let gitProtocol = HTTPField.Name("Git-Protocol")!
}
