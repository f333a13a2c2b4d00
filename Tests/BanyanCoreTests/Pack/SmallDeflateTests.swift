import BanyanTestSupport
@testable import BanyanCore
import Testing

@Suite("SmallDeflate")
struct SmallDeflateTests {
    /// Inputs that reach every length and distance code: runs, repeats at
    /// many distances, text, random bytes, and every size up to the limit.
    static func inputs() -> [[UInt8]] {
        var random = SeededRandom(seed: 7)
        var inputs: [[UInt8]] = [[], [0], [1, 2], Array("abc".utf8), Array("aaaa".utf8)]
        for size in stride(from: 0, through: SmallDeflate.maxInput, by: 37) { inputs.append(random.bytes(size)) }
        inputs.append([UInt8](repeating: 0x61, count: SmallDeflate.maxInput))
        for length in [3, 4, 10, 11, 18, 35, 66, 130, 257, 258, 259, 300] {
            for distance in [1, 2, 3, 5, 8, 24, 100, 150, 200, 240, 490] where distance + length + 8 <= SmallDeflate.maxInput {
                var bytes = random.bytes(distance)
                for i in 0..<length { bytes.append(bytes[bytes.count - distance + i % distance]) }
                bytes += random.bytes(random.below(8))
                inputs.append(bytes)
            }
        }
        for n in [0, 7, 123, 99_999] {
            let unit = Array("h\(n)-\(n * 7919 % 100_000)-".utf8)
            inputs.append((0..<100).map { unit[$0 % unit.count] })
        }
        // Every byte value, including those with 9-bit codes.
        inputs.append((0..<SmallDeflate.maxInput).map { UInt8(truncatingIfNeeded: $0 * 7) })
        return inputs
    }

    @Test("zlib inflates what it writes back to the input")
    func roundTrip() throws {
        var deflater = SmallDeflate()
        for input in Self.inputs() {
            var output: [UInt8] = []
            input.withUnsafeBytes { deflater.compress($0, appendingTo: &output) }
            #expect(try Zlib.inflate(output, sizeHint: input.count) == input, "input of \(input.count) bytes")
        }
    }

    @Test("repetitive input compresses; random input grows by little")
    func ratio() {
        var deflater = SmallDeflate()
        var repetitive: [UInt8] = [], random: [UInt8] = []
        let text = [UInt8](String(repeating: "h123-4567-", count: 10).utf8)
        text.withUnsafeBytes { deflater.compress($0, appendingTo: &repetitive) }
        var source = SeededRandom(seed: 3)
        source.bytes(500).withUnsafeBytes { deflater.compress($0, appendingTo: &random) }
        #expect(repetitive.count < 30)
        #expect(random.count < 500 + 500 / 8 + 16)
    }

    @Test("the pack deflater's output for small and large inputs inflates back", arguments: [1, 6] as [Int32])
    func packDeflater(_ level: Int32) throws {
        let deflater = try PackDeflater(level: level)
        var random = SeededRandom(seed: 11)
        for size in [0, 1, 500, SmallDeflate.maxInput, SmallDeflate.maxInput + 1, 50_000] {
            let input = random.bytes(size)
            var output: [UInt8] = [9, 9]
            let written = try input.withUnsafeBytes { try deflater.deflate($0, appendingTo: &output) }
            #expect(written == output.count - 2)
            #expect(try Zlib.inflate(Array(output.dropFirst(2)), sizeHint: size) == input)
        }
    }
}
