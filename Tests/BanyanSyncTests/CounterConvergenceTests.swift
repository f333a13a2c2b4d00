import Banyan
import Testing

/// The merge property the multi-node test (Tests/CLITests/MultiNodeTests)
/// relies on, checked directly.
@Suite("Sync: counter convergence")
struct CounterConvergenceTests {
    @Test func identicalCounterChangesAreBothCounted() throws {
        let repo = try Repository.inMemory()
        let main = try repo.branch("main")
        _ = try main.transaction(message: "seed", author: signature(0)) { tx in
            tx.set(key(".gitattributes"), data("counters/* merge=counter\n"))
            tx.set(key("counters/total"), data("3"))
        }
        let side = try repo.createBranch("side")
        try main.set(key("counters/total"), data("4"), message: "main +1", author: signature(1))
        try side.set(key("counters/total"), data("4"), message: "side +1", author: signature(2))
        try side.set(key("other"), data("x"), message: "side other", author: signature(3))
        _ = try repo.merge(from: side, into: main)
        let merged = String(decoding: try main.get(key("counters/total")), as: UTF8.self)
        #expect(merged == "5")
    }
}
