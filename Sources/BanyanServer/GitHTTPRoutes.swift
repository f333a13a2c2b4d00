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
            return try await StreamedResponse.run(contentType: GitService.uploadPackResultType, mapError: { httpError($0) }) { write in
                try service.uploadPack(body: body, gitProtocol: gitProtocol, write: write)
            }
        }
        group.post("git-receive-pack") { request, _ -> Response in
            if service.options.readOnly {
                throw APIError(.forbidden, "readOnly", "this server is read-only: pushes are refused")
            }
            guard request.headers[.contentEncoding].map({ $0.lowercased() == "identity" }) ?? true else {
                let body = try await RequestBody.collect(request, limit: service.options.maxRequestBytes)
                return try await respond { try service.receivePack(body: body) }
            }
            let upload = try await spool(request, limit: service.options.maxRequestBytes, service: service)
            return try await respond { try upload.finish() }
        }
    }

    /// Feeds the request body to a receive-pack upload as it arrives, so the
    /// pack goes to disk rather than memory; at most `limit` bytes (413 past it).
    static func spool(_ request: Request, limit: Int, service: GitService) async throws -> ReceivePackUpload {
        do {
            let upload = try service.receivePackUpload()
            var total = 0
            for try await buffer in request.body {
                total += buffer.readableBytes
                guard total <= limit else {
                    throw APIError(.contentTooLarge, "limitExceeded", "the request body is over the \(limit)-byte limit")
                }
                try buffer.withUnsafeReadableBytes { try upload.append($0) }
            }
            return upload
        } catch {
            throw httpError(error)
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
        } catch {
            throw httpError(error)
        }
        var headers = HTTPFields()
        headers[.contentType] = result.contentType
        headers[.cacheControl] = "no-cache"
        return Response(status: .init(code: result.status), headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: result.body)))
    }
}

extension GitHTTPRoutes {
    /// The HTTP error for a service failure: 403 for a refusal, 413 over a
    /// limit, 500 for storage trouble, 400 for the rest; other errors as they are.
    static func httpError(_ error: any Error) -> any Error {
        switch error {
        case let error as ServiceError:
            return APIError(.forbidden, "forbidden", error.description)
        case let error as BanyanError:
            let status: HTTPResponse.Status = switch error.code {
            case .limitExceeded: .contentTooLarge
            case .io, .invalidRepository: .internalServerError
            default: .badRequest
            }
            return APIError(status, error.code.description, error.message)
        default:
            return error
        }
    }
}

extension HTTPField.Name {
    /// `Git-Protocol`, which carries `version=2`.
    static let gitProtocol = HTTPField.Name("Git-Protocol")!
}
