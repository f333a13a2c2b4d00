@testable import BanyanServer
import Synchronization
import Testing

/// The window between a change stream's producer and its client.
@Suite("Change stream window")
struct WatchWindowTests {
    /// A client reading slowly gets every event, in order, while the window
    /// never holds more than its capacity: the producer waits instead.
    @Test func aSlowClientIsHeldToTheWindowWithoutLoss() async throws {
        let window = WatchWindow(capacity: 8)
        let largest = Mutex(0)
        let producer = Task {
            for n in 0..<200 {
                guard await window.send("\(n)") else { return }
                largest.withLock { $0 = max($0, window.count) }
            }
            window.finish()
        }
        var received: [String] = []
        while let event = await window.next() {
            received.append(event)
            if received.count % 20 == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
        await producer.value
        #expect(received == (0..<200).map { "\($0)" })
        #expect(largest.withLock { $0 } <= 8)
    }

    /// A full window makes the producer wait, a heartbeat is only added to
    /// an empty one, and finishing wakes the waiting producer (its send
    /// fails) while the client still gets what the window holds.
    @Test func theWindowBoundsTheQueue() async throws {
        let window = WatchWindow(capacity: 2)
        #expect(await window.send("a"))
        window.sendIfIdle(": keep-alive")
        #expect(await window.send("b"))
        #expect(window.count == 2)
        let blocked = Task { await window.send("c") }
        try await Task.sleep(for: .milliseconds(50))
        #expect(window.count == 2)
        window.finish()
        #expect(await blocked.value == false)
        #expect(await window.next() == "a")
        #expect(await window.next() == "b")
        #expect(await window.next() == nil)
    }

    /// A cancelled producer (the client went away) stops waiting on a full window.
    @Test func cancellingAWaitingProducerEndsItsWait() async throws {
        let window = WatchWindow(capacity: 1)
        #expect(await window.send("a"))
        let blocked = Task { await window.send("b") }
        try await Task.sleep(for: .milliseconds(20))
        blocked.cancel()
        #expect(await blocked.value == false)
        #expect(window.count == 1)
    }
}
