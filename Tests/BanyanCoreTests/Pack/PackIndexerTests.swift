import BanyanTestSupport
@testable import BanyanCore
import Testing

@Suite("Pack indexer")
struct PackIndexerTests {
    @Test("indexing git's packs gives git's idx byte for byte, with git's sizes and chain depths",
          arguments: HashAlgorithm.allCases)
    func gitPacks(_ algorithm: HashAlgorithm) throws {
        let repository = try PackTestGit.makeHistory(algorithm, commits: 100)
        for repack in [["gc", "--quiet", "--aggressive"], ["repack", "-a", "-d", "-f", "-q", "--depth=250", "--window=250"]] {
            try PackTestGit.run(repack, in: repository.path)
            let (packPath, indexPath) = try #require(try PackTestGit.packs(in: repository.path).first)
            let result = try PackIndexer.index(pack: PackTestGit.read(packPath), algorithm: algorithm)
            #expect(result.externalBases.isEmpty)
            #expect(try result.indexBytes() == PackTestGit.read(indexPath))

            // verify-pack -v: "<id> <type> <size> <size-in-pack> <offset> [<depth> <base id>]".
            let verbose = try PackTestGit.run(["verify-pack", "-v", indexPath], in: repository.path).text
            var expected: [ObjectID: (kind: String, size: Int, offset: UInt64, depth: Int)] = [:]
            for line in verbose.split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count >= 5, let id = ObjectID(hex: fields[0]) else { continue }
                expected[id] = (String(fields[1]), Int(fields[2])!, UInt64(fields[4])!, fields.count == 7 ? Int(fields[5])! : 0)
            }
            #expect(expected.count == result.entries.count)
            for entry in result.entries {
                let git = try #require(expected[entry.id])
                #expect(git.kind == entry.kind.rawValue && git.offset == entry.offset && git.depth == entry.depth)
                // For deltas, verify-pack prints the delta's size rather than the object's.
                if entry.depth == 0 { #expect(git.size == entry.size) }
            }
            #expect(result.entries.contains { $0.depth > 1 })
        }
    }

    @Test("a thin pack from git pack-objects --thin resolves through baseLookup and completes like --fix-thin",
          arguments: HashAlgorithm.allCases)
    func thinPack(_ algorithm: HashAlgorithm) throws {
        let repository = try PackTestGit.makeHistory(algorithm, commits: 60)
        try PackTestGit.run(["gc", "--quiet"], in: repository.path)
        let objects = try PackTestGit.allObjects(in: repository.path, algorithm)
        for offsets in [false, true] {
            try checkThinPack(algorithm, repository: repository.path, objects: objects, ofsDeltas: offsets)
        }
    }

    func checkThinPack(_ algorithm: HashAlgorithm, repository: String, objects: [ObjectID: RawObject], ofsDeltas: Bool) throws {
        let flags = ["pack-objects", "--thin", "--stdout", "--revs", "-q"] + (ofsDeltas ? ["--delta-base-offset"] : [])
        let thin = try PackTestGit.run(flags, in: repository, input: Array("main\n^main~20\n".utf8)).stdout
        let lookups = LookupLog()
        let result = try PackIndexer.index(pack: thin, algorithm: algorithm) { id in
            lookups.ids.append(id)
            return objects[id]
        }
        #expect(!result.externalBases.isEmpty)
        #expect(Set(result.externalBases) == Set(lookups.ids))
        for entry in result.entries { #expect(objects[entry.id]?.kind == entry.kind) }
        let missing = #expect(throws: BanyanError.self) { try PackIndexer.index(pack: thin, algorithm: algorithm) }
        #expect(missing?.message.contains("not in the pack") == true, "\(missing?.message ?? "")")
        let wrong = #expect(throws: BanyanError.self) {
            try PackIndexer.index(pack: thin, algorithm: algorithm) { _ in RawObject(kind: .blob, body: [1]) }
        }
        #expect(wrong?.message.contains("hashes to") == true, "\(wrong?.message ?? "")")

        let (complete, completed) = try PackIndexer.completeThinPack(thin, indexed: result, algorithm: algorithm) { objects[$0] }
        #expect(completed.entries.count == result.entries.count + result.externalBases.count)
        #expect(completed.externalBases.isEmpty)
        let reindexed = try PackIndexer.index(pack: complete, algorithm: algorithm)
        #expect(reindexed.entries == completed.entries && reindexed.checksum == completed.checksum)

        // A fresh repository has none of the bases: git must accept the completed pack on its own.
        let empty = try PackTestGit.makeBareRepository(algorithm)
        let directory = TemporaryDirectory("banyan-pack")
        try PackTestGit.write(thin, to: directory.appending("thin.pack"))
        #expect(try PackTestGit.run(["index-pack", directory.appending("thin.pack")], in: empty.path, check: false).status != 0)
        try PackTestGit.write(complete, to: directory.appending("complete.pack"))
        try PackTestGit.run(["index-pack", directory.appending("complete.pack")], in: empty.path)
        #expect(try PackTestGit.read(directory.appending("complete.idx")) == completed.indexBytes())
        let reader = try PackReader(pack: complete, index: completed.indexBytes(), algorithm: algorithm)
        for entry in completed.entries { #expect(try reader.get(entry.id) == objects[entry.id]) }
    }

    @Test("our own thin packs complete into packs git accepts", arguments: HashAlgorithm.allCases)
    func ownThinPack(_ algorithm: HashAlgorithm) throws {
        let base = RawObject(kind: .blob, body: Array(String(repeating: "a line the receiver already has\n", count: 40).utf8))
        var versions: [RawObject] = []
        for i in 0..<5 { versions.append(RawObject(kind: .blob, body: base.body + Array("version \(i)\n".utf8))) }
        let output = try PackWriter.write(versions, algorithm: algorithm, bases: [base.id(algorithm): base])
        #expect(output.externalBases == [base.id(algorithm)])
        let result = try PackIndexer.index(pack: output.pack, algorithm: algorithm) { $0 == base.id(algorithm) ? base : nil }
        #expect(result.externalBases == [base.id(algorithm)])
        #expect(Set(result.entries.map(\.indexEntry)) == Set(output.entries))
        let (complete, completed) = try PackIndexer.completeThinPack(output.pack, indexed: result, algorithm: algorithm) {
            $0 == base.id(algorithm) ? base : nil
        }
        let empty = try PackTestGit.makeBareRepository(algorithm)
        let directory = TemporaryDirectory("banyan-pack")
        try PackTestGit.write(complete, to: directory.appending("complete.pack"))
        try PackTestGit.run(["index-pack", directory.appending("complete.pack")], in: empty.path)
        #expect(try PackTestGit.read(directory.appending("complete.idx")) == completed.indexBytes())
        #expect(throws: BanyanError.self) {
            try PackIndexer.completeThinPack(output.pack, indexed: result, algorithm: algorithm) { _ in nil }
        }
    }

    struct Damage: CustomTestStringConvertible, Sendable {
        var name: String
        var fragment: String
        var code: BanyanError.Code? = .corruptObject
        var apply: @Sendable (inout [UInt8], _ firstEntryData: Int, _ hashLength: Int) -> Void
        var testDescription: String { name }
    }

    static let damages: [Damage] = [
        Damage(name: "truncated in the middle", fragment: "zlib stream is truncated", code: .decompression) { pack, _, _ in
            pack.removeLast(pack.count / 2)
        },
        Damage(name: "trailer cut off", fragment: "pack entry 5 at offset", code: nil) { pack, _, h in pack.removeLast(h) },
        Damage(name: "one byte short", fragment: "pack entry 5 at offset", code: nil) { pack, _, _ in pack.removeLast() },
        Damage(name: "only a header", fragment: "too short") { pack, _, _ in pack.removeLast(pack.count - 12) },
        Damage(name: "flipped byte in zlib data", fragment: "pack entry 0 at offset 12", code: nil) { pack, data, _ in
            pack[data + 3] ^= 0x55
        },
        Damage(name: "wrong trailer", fragment: "checksum mismatch") { pack, _, _ in pack[pack.count - 1] ^= 1 },
        Damage(name: "bad signature", fragment: "signature 'PACK'") { pack, _, _ in pack[0] = UInt8(ascii: "J") },
        Damage(name: "unknown version", fragment: "version 4", code: .unsupported) { pack, _, _ in pack[7] = 4 },
        Damage(name: "count too high", fragment: "truncated: it ends after 6 of the 7 objects") { pack, _, _ in pack[11] = 7 },
        Damage(name: "count too low", fragment: "unexpected bytes") { pack, _, _ in pack[11] = 5 },
        Damage(name: "reserved type 5", fragment: "invalid type 5") { pack, _, _ in pack[12] = (pack[12] & 0x8f) | 0x50 },
        Damage(name: "size larger than the data", fragment: "header says") { pack, _, _ in pack[12] = (pack[12] & 0xf0) | 0x0f },
    ]

    @Test("damaged packs are rejected with a clear error", arguments: damages)
    func damagedPacks(_ damage: Damage) throws {
        let objects = (0..<6).map { RawObject(kind: .blob, body: Array(String(repeating: "damage test \($0) ", count: 9 - $0).utf8)) }
        let output = try PackWriter.write(objects, algorithm: .sha1, options: .init(window: 0))
        var pack = output.pack
        let dataStart = try pack.withUnsafeBytes { try PackEntryHeader.parse($0, at: 12, end: pack.count - 20, algorithm: .sha1).dataStart }
        damage.apply(&pack, dataStart, 20)
        let error = #expect(throws: BanyanError.self) { try PackIndexer.index(pack: pack, algorithm: .sha1) }
        if let code = damage.code { #expect(error?.code == code) }
        #expect(error?.message.contains(damage.fragment) == true, "\(error?.message ?? "no error")")
    }

    @Test("delta entries with bad bases are rejected", arguments: HashAlgorithm.allCases)
    func badBases(_ algorithm: HashAlgorithm) throws {
        let (loop, _) = try PackReaderTests.loopPack(algorithm)
        #expect(throws: BanyanError.self) { try PackIndexer.index(pack: loop, algorithm: algorithm) }

        // An OFS_DELTA that points into the middle of an entry.
        let encoder = try PackEntryEncoder(algorithm: algorithm)
        var pack = PackEntryEncoder.packHeader(objectCount: 2)
        try encoder.append(.object(RawObject(kind: .blob, body: Array("base object".utf8))), to: &pack)
        try encoder.append(.ofsDelta(baseOffset: 13, delta: [11, 4, 0x90, 4]), to: &pack)
        PackEntryEncoder.appendTrailer(to: &pack, algorithm: algorithm)
        let error = #expect(throws: BanyanError.self) { try PackIndexer.index(pack: pack, algorithm: algorithm) }
        #expect(error?.message.contains("not an entry") == true, "\(error?.message ?? "")")

        // A delta whose declared base size disagrees with its base.
        var sizes = PackEntryEncoder.packHeader(objectCount: 2)
        try encoder.append(.object(RawObject(kind: .blob, body: Array("base object".utf8))), to: &sizes)
        try encoder.append(.ofsDelta(baseOffset: 12, delta: [12, 4, 0x90, 4]), to: &sizes)
        PackEntryEncoder.appendTrailer(to: &sizes, algorithm: algorithm)
        let sizeError = #expect(throws: BanyanError.self) { try PackIndexer.index(pack: sizes, algorithm: algorithm) }
        #expect(sizeError?.message.contains("base of 12 bytes") == true, "\(sizeError?.message ?? "")")
    }

    @Test("an entry claiming far more bytes than its data could inflate to is rejected before allocating")
    func inflationClaim() throws {
        var pack = PackEntryEncoder.packHeader(objectCount: 1)
        PackEntryEncoder.appendEntryHeader(code: ObjectKind.blob.packCode, size: 1 << 29, to: &pack)
        pack += Zlib.deflate(Array("x".utf8))
        PackEntryEncoder.appendTrailer(to: &pack, algorithm: .sha1)
        let error = #expect(throws: BanyanError.self) { try PackIndexer.index(pack: pack, algorithm: .sha1) }
        #expect(error?.message.contains("claims 536870912 bytes") == true, "\(error?.message ?? "")")
    }

    private final class LookupLog: @unchecked Sendable {
        var ids: [ObjectID] = []
    }
}
