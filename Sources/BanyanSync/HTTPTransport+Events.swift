import AsyncHTTPClient
import Banyan
import Foundation
import Synchronization

extension HTTPTransport {
    /// True when the server answers Banyan's REST API (`GET {url}/api/v1/info`
    /// gives JSON): a `banyan serve`, whose change stream can be followed.
    /// False for other Git hosts (and for servers that refuse the request);
    /// throws `io` when the server cannot be reached.
    func servesBanyanAPI() async throws -> Bool {
        do {
            let response = try await start(HTTPClientRequest(url: "\(url)/api/v1/info"), version2: false,
                                           expecting: "application/json")
            _ = try await response.body.collect(upTo: 1 << 16)
            return true
        } catch let error as BanyanError where error.code != .io {
            return false
        }
    }

    /// Follows the server's change stream of `branch` (`GET
    /// {url}/api/v1/watch/BRANCH`, Server-Sent Events): calls `opened` once
    /// the stream is open, then `update` with the commit id of each change
    /// the server announces. Returns when the server ends the stream (it
    /// shut down); throws when the stream cannot be opened, breaks off, or
    /// carries nothing, not even the server's keep-alive comments, for
    /// `stallTimeout` (a network that dropped without a word) (`io`), and on
    /// task cancellation.
    func followChanges(of branch: String, stallTimeout: Duration, opened: () -> Void,
                       update: @escaping @Sendable (String) -> Void) async throws {
        let name = branch.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? branch
        var request = HTTPClientRequest(url: "\(url)/api/v1/watch/\(name)")
        request.headers.add(name: "Accept", value: "text/event-stream")
        let response = try await start(request, version2: false, expecting: "text/event-stream")
        opened()
        let heard = LastHeard()
        let url = url
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var events = ServerSentEvents()
                do {
                    for try await buffer in response.body {
                        heard.now()
                        for event in events.feed(buffer.readableBytesView) where event.type == "update" { update(event.id) }
                    }
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    throw BanyanError(.io, "the change stream of \(url) broke off", cause: error)
                }
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: stallTimeout / 4)
                    guard heard.silence < stallTimeout else {
                        throw BanyanError(.io, "the change stream of \(url) was silent for \(stallTimeout)")
                    }
                }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}

/// When a change stream last carried bytes.
private final class LastHeard: Sendable {
    private let last = Mutex(ContinuousClock.now)

    /// Records that bytes came now.
    func now() { last.withLock { $0 = .now } }

    /// How long ago bytes last came.
    var silence: Duration { ContinuousClock.now - last.withLock { $0 } }
}
