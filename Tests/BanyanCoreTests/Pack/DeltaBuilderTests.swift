import BanyanTestSupport
@testable import BanyanCore
import Testing

@Suite("DeltaBuilder")
struct DeltaBuilderTests {
    @Test("copies and inserts in target order rebuild the target", arguments: 0..<10)
    func rebuilds(_ seed: Int) throws {
        var random = SeededRandom(seed: UInt64(seed) + 99)
        let base = random.bytes([0, 10, 300, 70_000][seed % 4])
        var target: [UInt8] = []
        var steps: [(copy: Range<Int>?, insert: [UInt8])] = []
        for _ in 0..<(seed * 3) {
            if !base.isEmpty && random.below(2) == 0 {
                let start = random.below(base.count)
                let range = start..<min(base.count, start + random.below(70_000))
                steps.append((range, []))
                target += base[range]
            } else {
                let bytes = random.bytes(random.below(300))
                steps.append((nil, bytes))
                target += bytes
            }
        }
        var builder = DeltaBuilder(baseCount: base.count, targetCount: target.count)
        for step in steps {
            if let range = step.copy { builder.copy(range) } else { builder.insert(step.insert) }
        }
        let delta = builder.finish()
        #expect(try Delta.apply(base: base, delta: delta) == target)
    }
}
