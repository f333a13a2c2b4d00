import Banyan
import Hummingbird
import NIOCore

/// Reading request bodies with a bound, for the Git endpoints and the REST API alike.
enum RequestBody {
    /// The body, gunzipped when `Content-Encoding: gzip`, at most `limit`
    /// bytes before and after inflating: 413 `limitExceeded` past it (so a
    /// gzip bomb costs at most `limit` bytes of memory), 400 for a broken gzip
    /// stream, 415 for other encodings.
    static func collect(_ request: Request, limit: Int) async throws -> [UInt8] {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "limitExceeded", "the request body is over the \(limit)-byte limit")
        }
        let bytes = Array(buffer.readableBytesView)
        guard let encoding = request.headers[.contentEncoding]?.lowercased(), encoding != "identity" else { return bytes }
        guard encoding == "gzip" || encoding == "x-gzip" else {
            throw APIError(.unsupportedMediaType, "unsupported", "Content-Encoding \(encoding) is not supported (gzip or identity)")
        }
        do {
            return try Zlib.gunzip(bytes, limit: limit)
        } catch let error as BanyanError where error.code == .limitExceeded {
            throw APIError(.contentTooLarge, "limitExceeded", "the request body inflates past the \(limit)-byte limit")
        } catch let error as BanyanError {
            throw APIError(.badRequest, "invalidArgument", "the gzip request body is damaged: \(error.message)")
        }
    }
}
