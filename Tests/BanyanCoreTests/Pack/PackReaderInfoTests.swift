import BanyanTestSupport
import Foundation
@testable import BanyanCore
import Testing

/// Types and sizes from entry headers (`PackReader.info`), as `git cat-file
/// --batch-check` reads them: the same as reading each object whole, for
/// OFS_DELTA and REF_DELTA chains alike.
@Suite("Pack reader: types and sizes from headers")
struct PackReaderInfoTests {
    @Test("every object of git's packs, deltas by offset and by id", arguments: [true, false])
    func matchesTheObjects(offsetDeltas: Bool) throws {
        let repository = try PackTestGit.makeHistory(.sha1, commits: 120, files: 8)
        try PackTestGit.run(["repack", "-a", "-d", "-f", "-q", "--depth=80"], in: repository.path)
        if !offsetDeltas {
            // git pack-objects without --delta-base-offset names each base by id.
            let objects = try PackTestGit.run(["rev-list", "--objects", "--all"], in: repository.path).text
            let ids = objects.split(separator: "\n").map { String($0.prefix(40)) }.joined(separator: "\n") + "\n"
            try PackTestGit.run(["pack-objects", "-q", "--no-reuse-delta", "objects/pack/ref"], in: repository.path,
                                input: Array(ids.utf8))
            for (pack, index) in try PackTestGit.packs(in: repository.path) where !pack.contains("/ref-") {
                try FileManager.default.removeItem(atPath: pack)
                try FileManager.default.removeItem(atPath: index)
            }
        }
        let (packPath, indexPath) = try #require(try PackTestGit.packs(in: repository.path).first)
        let reader = try PackReader(pack: PackTestGit.read(packPath), index: PackTestGit.read(indexPath), algorithm: .sha1)
        let verify = try PackTestGit.run(["verify-pack", "-v", indexPath], in: repository.path).text
        #expect(verify.contains(offsetDeltas ? "chain length = 2" : "chain length = 1"), "git made no deltas")
        for id in reader.index.ids {
            let object = try reader.get(id)
            let info = try #require(try reader.info(id))
            #expect(info.kind == object.kind && info.size == object.body.count, "\(id)")
        }
        let absent = ObjectID(hexDigits: Array(String(repeating: "ab", count: 20).utf8))!
        #expect(try reader.info(absent) == nil)
    }

    /// A delta whose data ends inside its header is reported, not guessed.
    @Test func aDeltaCutInItsHeaderIsCorrupt() throws {
        let base = RawObject(kind: .blob, body: Array("base object".utf8))
        var pack = PackEntryEncoder.packHeader(objectCount: 2)
        let baseOffset = UInt64(pack.count)
        try PackEntryEncoder(algorithm: .sha1).append(.object(base), to: &pack)
        let deltaOffset = UInt64(pack.count)
        // An OFS_DELTA whose whole data is one byte of a size that goes on.
        PackEntryEncoder.appendEntryHeader(code: PackFormat.ofsDeltaCode, size: 1, to: &pack)
        PackEntryEncoder.appendOffsetDistance(deltaOffset - baseOffset, to: &pack)
        pack += Zlib.deflate([0x80])
        let checksum = PackEntryEncoder.appendTrailer(to: &pack, algorithm: .sha1)
        let delta = ObjectID(hexDigits: Array(String(repeating: "cd", count: 20).utf8))!
        let index = try PackIndexWriter.encode([.init(id: base.id(.sha1), offset: baseOffset, crc32: 0),
                                                .init(id: delta, offset: deltaOffset, crc32: 0)], packChecksum: checksum)
        let reader = try PackReader(pack: pack, index: index, algorithm: .sha1)
        let info = try #require(try reader.info(base.id(.sha1)))
        #expect(info.kind == .blob && info.size == base.body.count)
        #expect { try reader.info(delta) } throws: {
            ($0 as? BanyanError)?.code == .corruptObject && "\($0)".contains("offset \(deltaOffset)")
        }
    }
}
