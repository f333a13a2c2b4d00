import BanyanTestSupport
@testable import BanyanCore
import Testing

@Suite("Git delta format")
struct DeltaTests {
    @Test("applies the deltas git stored in an aggressive repack", arguments: HashAlgorithm.allCases)
    func gitDeltas(_ algorithm: HashAlgorithm) throws {
        let repository = try PackTestGit.makeHistory(algorithm, commits: 40)
        try PackTestGit.run(["gc", "--quiet", "--aggressive"], in: repository.path)
        let expected = try PackTestGit.allObjects(in: repository.path, algorithm)
        let (packPath, indexPath) = try #require(try PackTestGit.packs(in: repository.path).first)
        let pack = try PackTestGit.read(packPath)
        let index = try PackIndex(bytes: PackTestGit.read(indexPath), algorithm: algorithm)
        let reader = try PackReader(pack: ByteStorage(pack), index: index, cacheEntries: 0)
        let inflater = try PackInflater()
        var applied = 0
        try pack.withUnsafeBytes { bytes in
            for entry in index.entries {
                let header = try PackEntryHeader.parse(bytes, at: Int(entry.offset), end: pack.count - algorithm.digestLength,
                                                       algorithm: algorithm)
                guard case .ofsDelta(let baseOffset) = header.kind else { continue }
                let delta = try inflater.inflate(UnsafeRawBufferPointer(rebasing: bytes[header.dataStart...]),
                                                 exactSize: header.size).output
                let base = try reader.object(at: UInt64(baseOffset))
                let result = try Delta.apply(base: base.body, delta: delta)
                #expect(result == expected[entry.id]?.body)
                applied += 1
            }
        }
        #expect(applied > 50, "git should have stored many deltas")
    }

    @Test("create then apply rebuilds the target", arguments: 0..<12)
    func roundTrip(_ seed: Int) throws {
        var random = SeededRandom(seed: UInt64(seed))
        let base = random.bytes([0, 1, 15, 16, 17, 100, 5000, 70_000, 200_000][seed % 9])
        var target = base
        // Mutations: replace, insert and delete runs, and move a block.
        for _ in 0..<(seed % 5 * 3) where !target.isEmpty {
            let at = random.below(target.count)
            switch random.below(3) {
            case 0: target[at] = UInt8(random.below(256))
            case 1: target.insert(contentsOf: random.bytes(random.below(300)), at: at)
            default: target.removeSubrange(at..<min(target.count, at + random.below(500)))
            }
        }
        if seed % 4 == 3, target.count > 2000 {
            let block = Array(target[100..<1100])
            target.removeSubrange(100..<1100)
            target.append(contentsOf: block)
        }
        let delta = try #require(Delta.create(base: base, target: target, maxSize: Int.max))
        #expect(try Delta.apply(base: base, delta: delta) == target)
        if base.count > 1000 && seed % 5 != 0 {
            #expect(delta.count < target.count / 4, "similar data should make a small delta")
        }
    }

    @Test("a long run of identical bytes and repeated blocks")
    func repetitiveData() throws {
        let base = [UInt8](repeating: 7, count: 300_000) + Array(repeating: Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8), count: 2000).flatMap { $0 }
        var target = base
        target.insert(contentsOf: Array("inserted".utf8), at: 150_000)
        target.append(contentsOf: [1, 2, 3])
        let delta = try #require(Delta.create(base: base, target: target))
        #expect(delta.count < 200)
        #expect(try Delta.apply(base: base, delta: delta) == target)
    }

    @Test("unrelated data makes no delta under the default size cap")
    func unrelatedData() {
        var random = SeededRandom(seed: 99)
        #expect(Delta.create(base: random.bytes(10_000), target: random.bytes(10_000)) == nil)
        #expect(Delta.create(base: [], target: []) == nil)
    }

    @Test("the header gives base and result sizes")
    func header() throws {
        let delta: [UInt8] = [0x80, 0x01, 0x05, 0x05] + Array("hello".utf8)
        let header = try delta.withUnsafeBytes { try Delta.header(of: $0) }
        #expect(header.baseSize == 128 && header.resultSize == 5 && header.length == 3)
        #expect(try Delta.apply(base: [UInt8](repeating: 0, count: 128), delta: delta) == Array("hello".utf8))
    }

    struct Hostile: CustomTestStringConvertible, Sendable {
        var name: String
        var delta: [UInt8]
        var fragment: String
        var code: BanyanError.Code = .corruptObject
        var testDescription: String { name }
    }

    // Base for every hostile case: 10 bytes "0123456789".
    static let hostile: [Hostile] = [
        Hostile(name: "copy past the base end", delta: [10, 5, 0x91, 8, 5], fragment: "copies bytes 8..<13"),
        Hostile(name: "copy with a huge offset", delta: [10, 5, 0x9f, 0xff, 0xff, 0xff, 0xff, 5], fragment: "copies bytes"),
        Hostile(name: "copy of the implicit 0x10000 bytes", delta: [10, 5, 0x80], fragment: "copies bytes 0..<65536"),
        Hostile(name: "reserved instruction 0", delta: [10, 5, 0x00, 1, 2], fragment: "reserved instruction 0"),
        Hostile(name: "result size larger than produced", delta: [10, 6, 0x90, 5], fragment: "produces 5 bytes but declares 6"),
        Hostile(name: "result size smaller than produced", delta: [10, 4, 0x90, 5], fragment: "past its declared result size"),
        Hostile(name: "insert past the result size", delta: [10, 2, 3, 65, 66, 67], fragment: "past its declared result size"),
        Hostile(name: "base size lie", delta: [11, 5, 0x90, 5], fragment: "base of 11 bytes"),
        Hostile(name: "truncated header", delta: [10], fragment: "header is truncated"),
        Hostile(name: "truncated header varint", delta: [0x8a], fragment: "header is truncated"),
        Hostile(name: "truncated copy operands", delta: [10, 5, 0x91, 3], fragment: "copy instruction at byte 2 is truncated"),
        Hostile(name: "truncated insert", delta: [10, 5, 5, 65, 66], fragment: "insert instruction at byte 2 is truncated"),
        Hostile(name: "overlong size varint", delta: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 1], fragment: "does not fit 63 bits"),
        Hostile(name: "result above the limit", delta: [10, 0x80, 0x80, 0x80, 0x80, 0x04, 0x90, 5], fragment: "limit",
                code: .limitExceeded),
    ]

    @Test("hostile deltas are rejected", arguments: hostile)
    func rejectsHostile(_ hostile: Hostile) {
        let error = #expect(throws: BanyanError.self) {
            try Delta.apply(base: Array("0123456789".utf8), delta: hostile.delta, limit: 1 << 20)
        }
        #expect(error?.code == hostile.code)
        #expect(error?.message.contains(hostile.fragment) == true, "\(error?.message ?? "no error")")
    }

    @Test("a large copy splits into 64 KiB instructions that git's format allows")
    func largeCopies() throws {
        var random = SeededRandom(seed: 5)
        let base = random.bytes(300_000)
        let target = Array(base[1000...]) + [1, 2, 3]
        let delta = try #require(Delta.create(base: base, target: target))
        #expect(delta.count < 64)
        #expect(try Delta.apply(base: base, delta: delta) == target)
    }
}
