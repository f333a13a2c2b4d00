import BanyanTestSupport
import Foundation
import Testing

/// `offPool`, which the long process-driving tests run in: its bodies hold
/// threads of their own, not the cooperative pool's, and stay in the
/// calling test.
@Suite("offPool")
struct OffPoolTests {
    /// As many blocked bodies as the pool has threads: async work still runs
    /// (it releases them), and each body sees the test it runs for.
    @Test func blockedBodiesLeaveThePoolFreeAndKeepTheirTest() async throws {
        let width = ProcessInfo.processInfo.activeProcessorCount
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        let results = try await withThrowingTaskGroup(of: (released: Bool, inTest: Bool).self) { group in
            for _ in 0..<width {
                group.addTask {
                    try await offPool {
                        started.signal()
                        return (release.wait(timeout: .now() + 20) == .success, Test.current != nil)
                    }
                }
            }
            // Runs on the pool only while the bodies above do not hold it.
            group.addTask {
                for _ in 0..<width { await Task.yield(); started.wait() }
                for _ in 0..<width { release.signal() }
                return (true, true)
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == width + 1)
        #expect(results.allSatisfy { $0.released }, "a body waited out its release: the pool was blocked")
        #expect(results.allSatisfy { $0.inTest })
    }
}
