import Banyan
import Foundation
import HTTPTypes
import Hummingbird

/// An error the REST API answers with `{"error": {"code", "message"}}` and a status.
struct APIError: Error, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    /// The conflicts of a failed merge, sent beside the error.
    var conflicts: [ConflictBody]?

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, conflicts: [ConflictBody]? = nil) {
        self.status = status
        self.code = code
        self.message = message
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

    var response: Response {
        JSONResponse.make(status, ErrorBody(error: .init(code: code, message: message), conflicts: conflicts))
    }
}

/// Turns every error under the API into a JSON error body.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response
        } catch let error as BanyanError {
            return APIError(error).response
        } catch let error as HTTPResponseError {
            let code = error.status == .notFound ? "notFound" : "http\(error.status.code)"
            return APIError(error.status, code, String(describing: error)).response
        } catch is DecodingError {
            return APIError(.badRequest, "invalidArgument", "the request body is not the JSON this endpoint takes").response
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
