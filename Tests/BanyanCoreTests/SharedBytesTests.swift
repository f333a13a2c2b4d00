import BanyanCore
import BanyanTestSupport
import Testing

/// `SharedBytes` counts the bytes two buffers share at either end, eight at
/// a time and then byte by byte; checked against a plain byte loop.
@Suite struct SharedBytesTests {
    static func plainPrefix(_ a: [UInt8], _ b: [UInt8]) -> Int {
        zip(a, b).prefix { $0 == $1 }.count
    }

    static func plainSuffix(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int {
        min(limit, zip(a.reversed(), b.reversed()).prefix { $0 == $1 }.count)
    }

    @Test func agreesWithAByteLoop() {
        var random = SeededRandom(seed: 3)
        for _ in 0..<2000 {
            let a = (0..<random.below(40)).map { _ in UInt8(random.below(3)) }
            var b = random.below(2) == 0 ? a : (0..<random.below(40)).map { _ in UInt8(random.below(3)) }
            if !b.isEmpty, random.below(2) == 0 { b[random.below(b.count)] ^= 1 }
            let limit = random.below(45)
            a.withUnsafeBytes { x in
                b.withUnsafeBytes { y in
                    #expect(SharedBytes.prefix(x, y) == Self.plainPrefix(a, b))
                    #expect(SharedBytes.suffix(x, y, limit: limit) == Self.plainSuffix(a, b, limit: limit))
                }
            }
        }
    }

    @Test func countsFromEitherEnd() {
        let a: [UInt8] = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        var b = a
        b[3] = 0
        b[30] = 0
        a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in
                #expect(SharedBytes.prefix(x, y) == 3)
                #expect(SharedBytes.suffix(x, y, limit: a.count) == 5)
                #expect(SharedBytes.suffix(x, y, limit: 2) == 2)
                #expect(SharedBytes.prefix(x, x) == a.count)
                #expect(SharedBytes.suffix(x, UnsafeRawBufferPointer(rebasing: x[10...]), limit: 40) == 26)
            }
        }
    }
}
