@testable import BanyanCore
import Testing

/// Packs and indexes built to attack the reader: each must fail with a
/// `BanyanError` naming the problem, after work bounded by the input's size
/// (never following a loop, never allocating what a header merely claims).
@Suite("Hostile packs")
struct HostilePackTests {
    static let base = RawObject(kind: .blob, body: Array("base object".utf8))

    /// A pack of `base` followed by one hand-made entry (`header` then the deflated `data`).
    static func pack(_ algorithm: HashAlgorithm, count: UInt32 = 2, entry: (_ offset: Int) -> (header: [UInt8], data: [UInt8])) throws -> [UInt8] {
        var pack = PackEntryEncoder.packHeader(objectCount: count)
        try PackEntryEncoder(algorithm: algorithm).append(.object(base), to: &pack)
        let (header, data) = entry(pack.count)
        pack += header + Zlib.deflate(data)
        PackEntryEncoder.appendTrailer(to: &pack, algorithm: algorithm)
        return pack
    }

    /// An OFS_DELTA entry header for a delta of `size` bytes whose base lies `distance` bytes back.
    static func ofsDeltaHeader(size: Int, distance: UInt64) -> [UInt8] {
        var header: [UInt8] = []
        PackEntryEncoder.appendEntryHeader(code: PackFormat.ofsDeltaCode, size: size, to: &header)
        PackEntryEncoder.appendOffsetDistance(distance, to: &header)
        return header
    }

    static func rejects(_ pack: [UInt8], _ algorithm: HashAlgorithm, maxObjectSize: Int = Zlib.defaultInflateLimit,
                        code: BanyanError.Code = .corruptObject, _ fragment: String) {
        let error = #expect(throws: BanyanError.self) {
            try PackIndexer.index(pack: pack, algorithm: algorithm, maxObjectSize: maxObjectSize)
        }
        #expect(error?.code == code, "\(error?.message ?? "no error")")
        #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "no error") should mention '\(fragment)'")
    }

    /// A delta turning `base` into "base": base size 11, result 4, copy 4 bytes from 0.
    static let delta: [UInt8] = [11, 4, 0x90, 4]

    @Test("an OFS_DELTA whose base is itself is refused, not followed", arguments: HashAlgorithm.allCases)
    func ofsDeltaOntoItself(_ algorithm: HashAlgorithm) throws {
        let pack = try Self.pack(algorithm) { _ in (Self.ofsDeltaHeader(size: Self.delta.count, distance: 0), Self.delta) }
        Self.rejects(pack, algorithm, "points 0 bytes back")
    }

    @Test("an OFS_DELTA whose base lies before the pack's start is refused", arguments: HashAlgorithm.allCases)
    func ofsDeltaBeforeThePack(_ algorithm: HashAlgorithm) throws {
        for distance: UInt64 in [13, 1 << 40, UInt64(Int64.max)] {
            let pack = try Self.pack(algorithm) { _ in (Self.ofsDeltaHeader(size: Self.delta.count, distance: distance), Self.delta) }
            Self.rejects(pack, algorithm, "OFS_DELTA")
        }
    }

    @Test("a delta whose result differs from the size it declares is refused", arguments: HashAlgorithm.allCases)
    func deltaResultSizeLies(_ algorithm: HashAlgorithm) throws {
        let lying: [UInt8] = [11, 100, 0x90, 4]  // declares 100 bytes, copies 4
        let pack = try Self.pack(algorithm) { offset in
            (Self.ofsDeltaHeader(size: lying.count, distance: UInt64(offset - 12)), lying)
        }
        #expect(throws: BanyanError.self) { try PackIndexer.index(pack: pack, algorithm: algorithm) }
        let error = #expect(throws: BanyanError.self) { try Delta.apply(base: Self.base.body, delta: lying) }
        #expect(error?.code == .corruptObject)
    }

    @Test("an entry whose data inflates to more or fewer bytes than its header says is refused", arguments: HashAlgorithm.allCases)
    func objectSizeLies(_ algorithm: HashAlgorithm) throws {
        let body = Array("eleven byte".utf8)
        for claimed in [3, body.count + 1] {
            let pack = try Self.pack(algorithm) { _ in
                var header: [UInt8] = []
                PackEntryEncoder.appendEntryHeader(code: ObjectKind.blob.packCode, size: claimed, to: &header)
                return (header, body)
            }
            Self.rejects(pack, algorithm, claimed < body.count ? "more than the \(claimed) bytes" : "but the header says \(claimed)")
        }
    }

    /// 64 MiB of zeros in about 64 KiB of zlib data; inflation must stop where
    /// the header or the limit says, whatever the stream would go on to produce.
    static let bomb = Zlib.deflate([UInt8](repeating: 0, count: 64 << 20), level: 9)

    @Test("a zlib bomb stops at the entry's declared size or the object size limit")
    func zlibBomb() throws {
        #expect(Self.bomb.count < 128 << 10)
        let small = try Self.pack(.sha1) { _ in
            var header: [UInt8] = []
            PackEntryEncoder.appendEntryHeader(code: ObjectKind.blob.packCode, size: 16, to: &header)
            return (header, [])
        }
        // Swap the deflated empty body for the bomb, keeping a valid trailer.
        var bombed = Array(small.dropLast(20 + Zlib.deflate([]).count)) + Self.bomb
        PackEntryEncoder.appendTrailer(to: &bombed, algorithm: .sha1)
        Self.rejects(bombed, .sha1, "more than the 16 bytes")

        var honest = PackEntryEncoder.packHeader(objectCount: 1)
        PackEntryEncoder.appendEntryHeader(code: ObjectKind.blob.packCode, size: 64 << 20, to: &honest)
        honest += Self.bomb
        PackEntryEncoder.appendTrailer(to: &honest, algorithm: .sha1)
        Self.rejects(honest, .sha1, maxObjectSize: 1 << 20, code: .limitExceeded, "limit")

        let error = #expect(throws: BanyanError.self) { try Zlib.inflate(Self.bomb, limit: 1 << 20) }
        #expect(error?.code == .limitExceeded)
        #expect(error?.message.contains("1048576-byte limit") == true, "\(error?.message ?? "")")
    }

    @Test("a header promising four billion objects costs what the pack holds, not what it claims", arguments: HashAlgorithm.allCases)
    func hugeObjectCount(_ algorithm: HashAlgorithm) throws {
        let pack = try Self.pack(algorithm, count: UInt32.max) { _ in
            var header: [UInt8] = []
            PackEntryEncoder.appendEntryHeader(code: ObjectKind.blob.packCode, size: 1, to: &header)
            return (header, [1])
        }
        Self.rejects(pack, algorithm, "ends after 2 of the 4294967295 objects")
    }

    @Test("many tiny objects index in one pass", arguments: HashAlgorithm.allCases)
    func manyTinyObjects(_ algorithm: HashAlgorithm) throws {
        let objects = (0..<20_000).map { RawObject(kind: .blob, body: [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)]) }
        let output = try PackWriter.write(objects, algorithm: algorithm, options: .init(window: 0))
        let indexed = try PackIndexer.index(pack: output.pack, algorithm: algorithm)
        #expect(indexed.entries.count == Set(objects.map { $0.id(algorithm) }).count)
    }

    @Test("an index whose offsets point outside the pack or between entries fails on read", arguments: HashAlgorithm.allCases)
    func indexOffsetsOutOfRange(_ algorithm: HashAlgorithm) throws {
        let output = try PackWriter.write([Self.base], algorithm: algorithm)
        let id = Self.base.id(algorithm)
        let checksum = output.checksum
        for offset: UInt64 in [UInt64(output.pack.count) + 100, UInt64(output.pack.count - 1), 13, 0, 1 << 40] {
            let index = try PackIndexWriter.encode([PackIndex.Entry(id: id, offset: offset, crc32: 0)], packChecksum: checksum)
            let reader = try PackReader(pack: output.pack, index: index, algorithm: algorithm)
            let error = #expect(throws: BanyanError.self) { try reader.get(id) }
            #expect(error?.code == .corruptObject || error?.code == .decompression, "\(error?.message ?? "")")
        }
    }

    @Test("verify catches an index listing an id its entry does not hash to", arguments: HashAlgorithm.allCases)
    func indexWithWrongID(_ algorithm: HashAlgorithm) throws {
        let output = try PackWriter.write([Self.base], algorithm: algorithm)
        let entry = try #require(output.entries.first)
        let wrong = algorithm.digest(Array("not the base".utf8))
        let index = try PackIndexWriter.encode([PackIndex.Entry(id: wrong, offset: entry.offset, crc32: entry.crc32)], packChecksum: output.checksum)
        let error = #expect(throws: BanyanError.self) {
            try output.pack.withUnsafeBytes { pack in
                try index.withUnsafeBytes { try PackVerifier.verify(pack: pack, index: $0, algorithm: algorithm) }
            }
        }
        #expect(error?.code == .corruptObject)
    }
}
