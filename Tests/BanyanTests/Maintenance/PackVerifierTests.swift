import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// `PackVerifier` over packs git made, and over indexes damaged in ways
/// that keep their own checksum valid (so only the cross-check finds them).
@Suite("pack verifier")
struct PackVerifierTests {
    private func fixturePack(_ name: String) throws -> (pack: [UInt8], index: [UInt8], algorithm: HashAlgorithm) {
        let directory = PackFixtures.directory + "/" + name + "/objects/pack/"
        let file = try FileManager.default.contentsOfDirectory(atPath: directory).first { $0.hasSuffix(".pack") }!
        let base = directory + file.dropLast(".pack".count)
        let pack = try [UInt8](Data(contentsOf: URL(fileURLWithPath: base + ".pack")))
        let index = try [UInt8](Data(contentsOf: URL(fileURLWithPath: base + ".idx")))
        return (pack, index, name.hasPrefix("sha256") ? .sha256 : .sha1)
    }

    private func verify(_ pack: [UInt8], _ index: [UInt8]) throws -> PackVerifier.Report {
        try pack.withUnsafeBytes { pack in try index.withUnsafeBytes { try PackVerifier.verify(pack: pack, index: $0) } }
    }

    /// `index` with its trailing checksum recomputed after an edit.
    private func resealed(_ index: [UInt8], _ algorithm: HashAlgorithm) -> [UInt8] {
        var bytes = Array(index.dropLast(algorithm.digestLength))
        bytes += algorithm.digest(bytes).bytes
        return bytes
    }

    @Test("git's packs verify, with the hash function detected", arguments: PackFixtures.names)
    func gitPacksVerify(fixture: String) throws {
        let (pack, index, algorithm) = try fixturePack(fixture)
        let report = try verify(pack, index)
        #expect(report.algorithm == algorithm)
        #expect(report.objects.count == (try PackIndex(bytes: index, algorithm: algorithm)).count)
        #expect(report.objects.allSatisfy { ($0.depth == 0) == ($0.base == nil) })
        #expect(report.nonDeltaCount + report.chainLengths.reduce(0) { $0 + $1.count } == report.objects.count)
    }

    @Test("a CRC-32, an offset or a pack checksum the index gets wrong is named")
    func damagedIndexesAreCaught() throws {
        let (pack, index, algorithm) = try fixturePack("sha1-deep.git")
        let count = try PackIndex(bytes: index, algorithm: algorithm).count
        let crcStart = 8 + 256 * 4 + count * algorithm.digestLength
        var badCRC = index
        badCRC[crcStart + 3] ^= 0xff
        #expect { try verify(pack, resealed(badCRC, algorithm)) } throws: { "\($0)".contains("CRC-32 mismatch") }

        var badOffset = index
        badOffset[crcStart + count * 4 + 3] ^= 0x04
        #expect { try verify(pack, resealed(badOffset, algorithm)) } throws: { "\($0)".contains("offset") }

        let other = try fixturePack("sha1-large.git")
        #expect { try verify(pack, other.index) } throws: { "\($0)".contains("describes pack") }

        var unsealed = index
        unsealed[crcStart] ^= 0x01
        #expect { try verify(pack, unsealed) } throws: { "\($0)".contains("index") && "\($0)".contains("checksum") }

        #expect { try verify(Array(pack.dropLast(1)), index) } throws: { "\($0)".contains("checksum") }
    }
}
