import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// A response whose body a blocking producer writes while it is being
/// sent: upload-pack's pack goes out as it is built, and the receiver
/// indexes the first objects while the server writes the rest.
enum StreamedResponse {
    /// Set once the connection stops taking the body, to end the producer.
    private final class Stop: Sendable {
        let flag = Mutex(false)
    }

    /// Runs `produce` on a dispatch thread (not one of the few cooperative
    /// ones) and sends each piece it writes as part of the body, at most
    /// `window` pieces ahead of the connection. An error thrown before the
    /// first piece becomes the response (mapped by `mapError`); one thrown
    /// later ends the body early, and the receiver sees a cut-off response.
    static func run(
        contentType: String, window: Int = 16, mapError: @escaping @Sendable (any Error) -> any Error,
        _ produce: @escaping @Sendable (_ write: @escaping ([UInt8]) throws -> Void) throws -> Void
    ) async throws -> Response {
        let (pieces, continuation) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let gate = DispatchSemaphore(value: window)
        let stop = Stop()
        continuation.onTermination = { _ in
            stop.flag.withLock { $0 = true }
            for _ in 0..<window { gate.signal() }
        }
        do {
            try await withCheckedThrowingContinuation { (start: CheckedContinuation<Void, any Error>) in
                DispatchQueue.global().async {
                    var started = false
                    do {
                        try produce { bytes in
                            gate.wait()
                            if stop.flag.withLock({ $0 }) { throw CancellationError() }
                            continuation.yield(ByteBuffer(bytes: bytes))
                            if !started {
                                started = true
                                start.resume()
                            }
                        }
                        continuation.finish()
                        if !started { start.resume() }
                    } catch {
                        continuation.finish(throwing: error)
                        if !started { start.resume(throwing: error) }
                    }
                }
            }
        } catch {
            throw mapError(error)
        }
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            for try await piece in pieces {
                gate.signal()
                try await writer.write(piece)
            }
            try await writer.finish(nil)
        })
    }
}
