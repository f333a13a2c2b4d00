import Banyan
import Foundation
import HTTPTypes
import Hummingbird

/// An error the server answers with `{"error": {"code", "message"}}`, a
/// status and, for a 401, the `WWW-Authenticate` challenge. Every error the
/// server's HTTP layer produces (REST, Git endpoints, authentication, unknown
/// paths) has this shape; Git protocol errors inside a 200 reply stay `ERR`
/// pkt-lines as Git clients expect.
struct APIError: Error, Sendable, HTTPResponseError {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var headers: HTTPFields
    /// The conflicts of a failed merge, sent beside the error.
    var conflicts: [ConflictBody]?

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:],
         conflicts: [ConflictBody]? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.conflicts = conflicts
    }

    /// The status a library error maps to.
    init(_ error: BanyanError) {
        let status: HTTPResponse.Status = switch error.code {
        case .keyNotFound, .refNotFound, .objectNotFound: .notFound
        case .invalidRevision, .ambiguousRevision, .invalidKey, .invalidRefName, .invalidObjectID,
             .invalidArgument, .notADirectory, .unsupported: .badRequest
        case .alreadyExists, .mergeConflict, .staleRef, .refLocked: .conflict
        case .limitExceeded: .contentTooLarge
        default: .internalServerError
        }
        self.init(status, error.code.description, error.message)
    }

    /// An error Hummingbird or a dependency raised with only a status.
    init(status: HTTPResponse.Status, message: String?, headers: HTTPFields = [:]) {
        let code = switch status {
        case .notFound: "notFound"
        case .methodNotAllowed: "methodNotAllowed"
        case .contentTooLarge: "limitExceeded"
        case .badRequest: "invalidArgument"
        default: "http\(status.code)"
        }
        self.init(status, code, message ?? status.reasonPhrase, headers: headers)
    }

    var response: Response {
        JSONResponse.make(status, ErrorBody(error: .init(code: code, message: message), conflicts: conflicts), headers: headers)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response { response }
}

/// Turns every error thrown below it into a JSON error body, so no reply of
/// the server is an empty or plain-text error. `BanyanServerBuilder` puts it
/// outermost; ``RESTAPI`` also puts it on its route group, for routers built
/// without the builder.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response
        } catch let error as BanyanError {
            return APIError(error).response
        } catch let error as HTTPError {
            return APIError(status: error.status, message: error.body, headers: error.headers).response
        } catch is DecodingError {
            return APIError(.badRequest, "invalidArgument", "the request body is not the JSON this endpoint takes").response
        } catch let error as any HTTPResponseError {
            return APIError(status: error.status, message: String(describing: error)).response
        } catch {
            return APIError(.internalServerError, "internal", String(describing: error)).response
        }
    }
}

/// Building JSON responses.
enum JSONResponse {
    static func make(_ status: HTTPResponse.Status = .ok, _ value: some Encodable, headers: HTTPFields = [:]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var headers = headers
        headers[.contentType] = "application/json"
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
