import HTTPTypes
import NIOHTTPTypes
import NIOCore

/// Gives the server's JSON error body to the 400 that Hummingbird sends, empty
/// and with `Connection: close`, when a request is not valid HTTP/1.1 (a
/// control character in a header, a broken request line) and so never reaches
/// the router. It sits between the HTTP codec and the request handling and
/// rewrites only that reply: every 400 the router makes already has a
/// `Content-Type`.
final class ParseErrorBodyHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    static let body = #"{"error":{"code":"invalidHTTP","message":"the request is not valid HTTP/1.1 (a bad request line, header name or header value); the connection is closed"}}"#

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(var head) = unwrapOutboundIn(data), head.status == .badRequest,
              head.headerFields[.contentType] == nil, head.headerFields[.contentLength] == "0"
        else {
            context.write(data, promise: promise)
            return
        }
        let body = ByteBuffer(string: Self.body)
        head.headerFields[.contentType] = "application/json"
        head.headerFields[.contentLength] = String(body.readableBytes)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: promise)
    }
}
