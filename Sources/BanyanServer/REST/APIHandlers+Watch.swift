import Banyan
import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle

extension APIHandlers {
    /// The most events a change stream holds for a client that has not read them.
    static let watchWindow = 64

    /// `GET /api/v1/watch/{branch}?prefix=P`: Server-Sent Events, one `update`
    /// event per commit (id = the commit, data = the update as JSON). A
    /// `Last-Event-ID` header (a commit id) resumes after that commit, so a
    /// client that reconnects misses nothing. Idle streams get a comment line
    /// every `heartbeat`, which is how a dropped client is noticed. When the
    /// server shuts down gracefully (ServiceLifecycle), the stream sends what it
    /// has and ends, so open watches never hold up the shutdown.
    ///
    /// A client slower than the commits holds at most `watchWindow` events
    /// in the server (`WatchWindow`); the rest wait as commit ids in the
    /// watch and reach it, diffs and all, as it catches up.
    func watch(_ request: Request) throws -> Response {
        let path = try PathSegments(request, after: ["api", "v1", "watch"])
        guard path.rest.isEmpty else { throw APIError(.badRequest, "invalidRefName", "encode '/' in a branch name as %2F") }
        let prefix = try request.uri.queryParameters["prefix"].map { try Key(prefix: String($0)) } ?? .root
        let branch = try repository.branch(path.branch)
        guard try branch.exists() else { throw APIError(.notFound, "refNotFound", "branch \(path.branch) does not exist") }
        let since = try request.headers[.lastEventID].map { text -> ObjectID in
            guard let id = ObjectID(hex: text.trimmingCharacters(in: .whitespaces)), try repository.objects.contains(id) else {
                throw APIError(.badRequest, "invalidRevision", "Last-Event-ID '\(text)' is not a commit of this store")
            }
            return id
        }
        let changes = try branch.changes(prefix: prefix, since: since, pollInterval: options.pollInterval)
        let heartbeat = options.heartbeat
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let window = WatchWindow(capacity: Self.watchWindow)
            let producer = Task {
                do {
                    for try await update in changes {
                        guard await window.send("id: \(update.new?.hex ?? "")\nevent: update\ndata: \(try update.jsonLine())\n\n") else { break }
                    }
                } catch {
                    _ = await window.send("event: error\ndata: \(String(describing: error))\n\n")
                }
                window.finish()
            }
            let ticker = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: heartbeat)
                    window.sendIfIdle(": keep-alive\n\n")
                }
            }
            defer {
                window.finish()
                producer.cancel()
                ticker.cancel()
            }
            try await writer.write(ByteBuffer(string: ": watching \(path.branch)\n\n"))
            try await withGracefulShutdownHandler {
                while let event = await window.next() {
                    try await writer.write(ByteBuffer(string: event))
                }
            } onGracefulShutdown: {
                window.finish()
            }
            try await writer.finish(nil)
        })
    }
}
