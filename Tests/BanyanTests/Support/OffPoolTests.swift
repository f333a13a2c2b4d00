import BanyanTestSupport
import Foundation
import Synchronization
import Testing

/// `offPool`, which the long process-driving tests run in: its bodies hold
/// threads of their own, not the cooperative pool's, and stay in the
/// calling test.
@Suite("offPool")
struct OffPoolTests {
    /// As many blocked bodies as the pool has threads: async work on the
    /// pool still runs (it releases them once all have started), and each
    /// body sees the test it runs for. A body may wait long for its
    /// release: beside other tests' bodies, dispatch may start the last one
    /// late. Only a blocked pool keeps it waiting for ever.
    @Test func blockedBodiesLeaveThePoolFreeAndKeepTheirTest() async throws {
        let count = ProcessInfo.processInfo.activeProcessorCount
        let release = DispatchSemaphore(value: 0)
        let started = StartCount()
        let results = try await withThrowingTaskGroup(of: (released: Bool, inTest: Bool).self) { group in
            for _ in 0..<count {
                group.addTask {
                    try await offPool {
                        started.value.add(1, ordering: .sequentiallyConsistent)
                        return (release.wait(timeout: .now() + 300) == .success, Test.current != nil)
                    }
                }
            }
            // Suspends, never blocks: it runs only while the pool is free.
            group.addTask {
                while started.value.load(ordering: .sequentiallyConsistent) < count {
                    try await Task.sleep(for: .milliseconds(5))
                }
                for _ in 0..<count { release.signal() }
                return (true, true)
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == count + 1)
        #expect(results.allSatisfy { $0.released }, "a body waited out its release: the pool was blocked")
        #expect(results.allSatisfy { $0.inTest })
    }
}

/// How many bodies have started, shared by reference with the tasks.
private final class StartCount: Sendable {
    let value = Atomic<Int>(0)
}
