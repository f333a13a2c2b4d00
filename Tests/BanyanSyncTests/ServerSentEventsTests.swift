@testable import BanyanSync
import Testing

/// The `text/event-stream` reader live sync follows a `banyan serve` with.
@Suite("Sync: server-sent events")
struct ServerSentEventsTests {
    let stream = ": watching main\n\nid: 1a2b\nevent: update\ndata: {\"a\":1}\n\n: keep-alive\n\r\nevent: error\r\ndata: one\r\ndata:two\r\n\r\n"

    @Test(arguments: [1, 2, 3, 7, 1000])
    func eventsComeWholeHoweverTheBytesArePieced(pieceSize: Int) {
        var reader = ServerSentEvents()
        var events: [ServerSentEvents.Event] = []
        let bytes = Array(stream.utf8)
        for start in stride(from: 0, to: bytes.count, by: pieceSize) {
            events += reader.feed(bytes[start..<min(start + pieceSize, bytes.count)])
        }
        #expect(events == [
            .init(type: "update", id: "1a2b", data: "{\"a\":1}"),
            .init(type: "error", id: "", data: "one\ntwo"),
        ])
    }

    @Test func anUnfinishedEventIsNotDispatched() {
        var reader = ServerSentEvents()
        #expect(reader.feed(Array("id: 1\nevent: update\n".utf8)).isEmpty)
        #expect(reader.feed(Array("\n".utf8)).map(\.id) == ["1"])
    }
}
