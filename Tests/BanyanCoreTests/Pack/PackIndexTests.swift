@testable import BanyanCore
import Testing

@Suite("Pack index (.idx v2)")
struct PackIndexTests {
    @Test("parses git's idx, finds every object and re-encodes it byte for byte", arguments: HashAlgorithm.allCases)
    func gitIndexRoundTrip(_ algorithm: HashAlgorithm) throws {
        let repository = try PackTestGit.makeHistory(algorithm, commits: 40)
        try PackTestGit.run(["gc", "--quiet"], in: repository.path)
        let (_, indexPath) = try #require(try PackTestGit.packs(in: repository.path).first)
        let bytes = try PackTestGit.read(indexPath)
        let index = try PackIndex(bytes: bytes, algorithm: algorithm)

        // git show-index prints "<offset> <id> (<crc>)" for every entry.
        let shown = try PackTestGit.run(["show-index", "--object-format=\(algorithm.rawValue)"], in: repository.path, input: bytes).text
        let expected = shown.split(separator: "\n").map { line -> PackIndex.Entry in
            let fields = line.split(separator: " ")
            return PackIndex.Entry(id: ObjectID(hex: fields[1])!, offset: UInt64(fields[0])!,
                                   crc32: UInt32(fields[2].dropFirst().dropLast(), radix: 16)!)
        }
        #expect(index.entries == expected)
        #expect(index.count == expected.count)
        for entry in expected {
            #expect(index.offset(of: entry.id) == entry.offset)
            #expect(index.crc32(at: index.position(of: entry.id)!) == entry.crc32)
        }
        #expect(try PackIndexWriter.encode(expected.shuffled(), packChecksum: index.packChecksum) == bytes)
        let packName = indexPath.split(separator: "/").last!.dropFirst("pack-".count).dropLast(".idx".count)
        #expect(index.packChecksum.hex == packName)
    }

    @Test("unknown ids are absent", arguments: HashAlgorithm.allCases)
    func absentIDs(_ algorithm: HashAlgorithm) throws {
        let index = try Self.syntheticIndex(algorithm, count: 300)
        #expect(index.offset(of: RawObject(kind: .blob, body: Array("nope".utf8)).id(algorithm)) == nil)
        #expect(index.offset(of: .zero(algorithm)) == nil)
        let other: HashAlgorithm = algorithm == .sha1 ? .sha256 : .sha1
        #expect(index.offset(of: .zero(other)) == nil)
    }

    @Test("abbreviated ids match by hex prefix in either case", arguments: HashAlgorithm.allCases)
    func hexPrefixes(_ algorithm: HashAlgorithm) throws {
        let index = try Self.syntheticIndex(algorithm, count: 2000)
        let all = index.ids
        for prefix in ["", "a", "0", "f", "3c", "abc", String(all[17].hex.prefix(6)), all[99].hex, all[5].hex.uppercased()] {
            let expected = all.filter { $0.hex.hasPrefix(prefix.lowercased()) }
            #expect(index.ids(withHexPrefix: prefix) == expected, "prefix \(prefix)")
        }
        #expect(index.ids(withHexPrefix: "xyz").isEmpty)
        #expect(index.ids(withHexPrefix: all[0].hex + "0").isEmpty)
    }

    @Test("offsets of 2 GiB and more go through the 64-bit table", arguments: HashAlgorithm.allCases)
    func largeOffsets(_ algorithm: HashAlgorithm) throws {
        let entries = (0..<50).map { i in
            let large: UInt64 = (1 << 31) + UInt64(i) * 1_000_003
            let small = UInt64(12 + i * 100)
            return PackIndex.Entry(id: RawObject(kind: .blob, body: Array("large \(i)".utf8)).id(algorithm),
                                   offset: i % 3 == 0 ? large : small, crc32: UInt32(i) &* 2_654_435_761)
        }
        let checksum = algorithm.digest([1, 2, 3])
        let bytes = try PackIndexWriter.encode(entries, packChecksum: checksum)
        let hashLength = algorithm.digestLength
        let expectedSize: Int = 8 + 1024 + 50 * (hashLength + 8) + 17 * 8 + 2 * hashLength
        #expect(bytes.count == expectedSize)
        let index = try PackIndex(bytes: bytes, algorithm: algorithm)
        for entry in entries {
            #expect(index.offset(of: entry.id) == entry.offset)
            #expect(index.crc32(at: index.position(of: entry.id)!) == entry.crc32)
        }
        #expect(index.packChecksum == checksum)
    }

    @Test("ids sharing their first eight bytes are ordered by the rest, whatever order they come in", arguments: HashAlgorithm.allCases)
    func sharedLeadingBytes(_ algorithm: HashAlgorithm) throws {
        let entries = (0..<64).map { i -> PackIndex.Entry in
            var digest = [UInt8](repeating: 0xab, count: algorithm.digestLength)
            digest[0] = UInt8(i % 2)
            digest[algorithm.digestLength - 1] = UInt8(63 - i)
            return PackIndex.Entry(id: ObjectID(bytes: digest)!, offset: UInt64(12 + i * 10), crc32: UInt32(i))
        }
        let checksum = algorithm.digest([4, 5, 6])
        let sorted = entries.sorted { $0.id < $1.id }
        let bytes = try PackIndexWriter.encode(sorted, packChecksum: checksum)
        for _ in 0..<3 {
            #expect(try PackIndexWriter.encode(entries.shuffled(), packChecksum: checksum) == bytes)
        }
        let index = try PackIndex(bytes: bytes, algorithm: algorithm)
        #expect(index.entries == sorted)
    }

    @Test("an empty index is valid", arguments: HashAlgorithm.allCases)
    func emptyIndex(_ algorithm: HashAlgorithm) throws {
        let bytes = try PackIndexWriter.encode([], packChecksum: algorithm.digest([]))
        let index = try PackIndex(bytes: bytes, algorithm: algorithm)
        #expect(index.count == 0)
        #expect(index.ids(withHexPrefix: "a").isEmpty)
        #expect(index.offset(of: algorithm.emptyTreeID) == nil)
    }

    @Test("damaged indexes are rejected with a clear error", arguments: HashAlgorithm.allCases)
    func damagedIndexes(_ algorithm: HashAlgorithm) throws {
        let good = try PackIndexWriter.encode(Self.syntheticEntries(algorithm, count: 100), packChecksum: algorithm.digest([9]))
        func rejects(_ bytes: [UInt8], _ fragment: String, code: BanyanError.Code = .corruptObject) {
            let error = #expect(throws: BanyanError.self) { try PackIndex(bytes: bytes, algorithm: algorithm) }
            #expect(error?.code == code)
            #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "") should mention \(fragment)")
        }
        var flipped = good
        flipped[8 + 1024 + 5] ^= 0x40
        rejects(flipped, "checksum mismatch")
        rejects(Array(good.dropLast(7)), "claims 100 objects")
        rejects(good + [0, 0, 0, 0], "64-bit offset table")
        rejects(Array(good.prefix(100)), "too short")
        var magic = good
        magic[1] = 0
        rejects(magic, "magic", code: .unsupported)
        var version = good
        version[7] = 3
        rejects(version, "version 3", code: .unsupported)
        var fanout = good
        fanout[8 + 4 * 10 + 3] = 0xff
        rejects(fanout, "fan-out decreases")
        var unsorted = good
        let h = algorithm.digestLength
        let firstBucketEnd = Int(PackBytes.uint32(good.withUnsafeBytes { $0 }, 8 + 4 * 255))
        #expect(firstBucketEnd == 100)
        // Swap two ids in the same bucket so the order breaks but the fan-out still holds.
        let index = try PackIndex(bytes: good, algorithm: algorithm)
        let pair = try #require((1..<100).first { index.id(at: $0).firstByte == index.id(at: $0 - 1).firstByte })
        for i in 0..<h { unsorted.swapAt(1032 + (pair - 1) * h + i, 1032 + pair * h + i) }
        #expect(throws: BanyanError.self) { try PackIndex(bytes: unsorted, algorithm: algorithm, verifyChecksum: false) }
        var largeSlot = good
        largeSlot[1032 + 100 * (h + 4)] = 0x80
        let error = #expect(throws: BanyanError.self) { try PackIndex(bytes: largeSlot, algorithm: algorithm, verifyChecksum: false) }
        #expect(error?.message.contains("64-bit offset") == true)
    }

    static func syntheticEntries(_ algorithm: HashAlgorithm, count: Int) -> [PackIndex.Entry] {
        (0..<count).map { i in
            PackIndex.Entry(id: RawObject(kind: .blob, body: Array("object \(i)".utf8)).id(algorithm),
                            offset: UInt64(12 + 37 * i), crc32: UInt32(i))
        }
    }

    static func syntheticIndex(_ algorithm: HashAlgorithm, count: Int) throws -> PackIndex {
        try PackIndex(bytes: PackIndexWriter.encode(syntheticEntries(algorithm, count: count),
                                                    packChecksum: algorithm.digest([7])), algorithm: algorithm)
    }
}
