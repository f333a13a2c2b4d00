import Synchronization

/// The events of one change stream on their way to its client, at most
/// `capacity` at a time: the producer waits while the window is full, so a
/// slow client holds the server to `capacity` events and not to every
/// commit made while it lagged.
///
/// Nothing is dropped: a waiting producer stops taking updates from
/// `BranchChanges`, which remembers where it is (the last head it
/// reported and the commits still to report, their diffs computed when
/// taken), so the client gets every commit once it catches up. Heartbeats
/// are sent only into an empty window. Thread-safe; one producer and one
/// consumer at a time.
final class WatchWindow: Sendable {
    private struct State {
        var events: [String] = []
        var first = 0
        var finished = false
        var producer: CheckedContinuation<Void, Never>?
        var consumer: CheckedContinuation<Void, Never>?

        var count: Int { events.count - first }

        subscript(_ party: Party) -> CheckedContinuation<Void, Never>? {
            get { party == .producer ? producer : consumer }
            set { if party == .producer { producer = newValue } else { consumer = newValue } }
        }
    }

    private enum Party { case producer, consumer }

    /// The most events the window holds.
    let capacity: Int
    private let state = Mutex(State())

    /// A window of `capacity` events (at least one).
    init(capacity: Int = 64) {
        self.capacity = max(1, capacity)
    }

    /// The events waiting for the client.
    var count: Int { state.withLock { $0.count } }

    /// Adds `event`, waiting while the window is full; returns false, adding
    /// nothing, once the window is finished or the task cancelled.
    func send(_ event: String) async -> Bool {
        while true {
            let added: Bool? = state.withLock { state in
                if state.finished || Task.isCancelled { return false }
                guard state.count < capacity else { return nil }
                state.events.append(event)
                state.consumer.take()?.resume()
                return true
            }
            if let added { return added }
            await wait(.producer) { $0.count < self.capacity }
        }
    }

    /// Adds `event` when the window is empty (a heartbeat: the stream is idle).
    func sendIfIdle(_ event: String) {
        state.withLock { state in
            guard !state.finished, state.count == 0 else { return }
            state.events.append(event)
            state.consumer.take()?.resume()
        }
    }

    /// The next event, waiting for one; nil once the window is finished and
    /// empty, or the task cancelled.
    func next() async -> String? {
        while true {
            let taken: String?? = state.withLock { state in
                guard state.count > 0 else { return state.finished || Task.isCancelled ? .some(nil) : nil }
                let event = state.events[state.first]
                state.first += 1
                if state.first * 2 >= state.events.count {
                    state.events.removeFirst(state.first)
                    state.first = 0
                }
                state.producer.take()?.resume()
                return .some(event)
            }
            if let taken { return taken }
            await wait(.consumer) { $0.count > 0 }
        }
    }

    /// Ends the stream: the consumer gets what is in the window, then nil;
    /// the producer's sends return false.
    func finish() {
        state.withLock { state in
            state.finished = true
            state.producer.take()?.resume()
            state.consumer.take()?.resume()
        }
    }

    /// Waits, as `party`, until the other side resumes it, the
    /// window finishes or the task is cancelled; returns at once when
    /// `ready` holds already.
    private func wait(_ party: Party, until ready: (State) -> Bool) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                state.withLock { state in
                    if state.finished || Task.isCancelled || ready(state) {
                        continuation.resume()
                    } else {
                        state[party] = continuation
                    }
                }
            }
        } onCancel: {
            state.withLock { $0[party].take()?.resume() }
        }
    }
}
