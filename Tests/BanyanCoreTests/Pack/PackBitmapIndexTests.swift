@testable import BanyanCore
import BanyanTestSupport
import Foundation
import Testing

@Suite("Reachability bitmaps: EWAH and the .bitmap codec")
struct PackBitmapIndexTests {
    /// A repository git packed with bitmaps (`git repack -adb`), its pack index and bitmap bytes.
    private struct Bitmapped {
        let directory: TemporaryDirectory
        let index: PackIndex
        let bitmapPath: String
        var bitmap: [UInt8]

        init(_ algorithm: HashAlgorithm) throws {
            directory = try PackTestGit.makeHistory(algorithm)
            try PackTestGit.run(["repack", "-adb", "-q"], in: directory.path)
            let packs = try PackTestGit.packs(in: directory.path)
            try #require(packs.count == 1)
            index = try PackIndex(bytes: try PackTestGit.read(packs[0].index), algorithm: algorithm)
            bitmapPath = String(packs[0].pack.dropLast(".pack".count)) + ".bitmap"
            bitmap = try PackTestGit.read(bitmapPath)
        }

        /// `git rev-list --objects commit`'s ids.
        func revList(_ commit: ObjectID) throws -> Set<ObjectID> {
            let output = try PackTestGit.run(["rev-list", "--objects", commit.hex], in: directory.path).text
            return Set(output.split(separator: "\n").compactMap { ObjectID(hex: $0.prefix { $0 != " " }) })
        }

        /// Each object's kind, as `git cat-file` tells it.
        func kinds() throws -> [ObjectID: ObjectKind] {
            let output = try PackTestGit.run(["cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)"],
                                             in: directory.path).text
            var kinds: [ObjectID: ObjectKind] = [:]
            for line in output.split(separator: "\n") {
                let fields = line.split(separator: " ")
                kinds[try #require(ObjectID(hex: fields[0]))] = try #require(ObjectKind(rawValue: String(fields[1])))
            }
            return kinds
        }
    }

    private static func ids(_ set: BitSet, _ bitmaps: PackBitmapIndex) -> Set<ObjectID> {
        var ids = Set<ObjectID>()
        set.forEach { ids.insert(bitmaps.id(ofBit: $0)) }
        return ids
    }

    @Test("EWAH: any set survives encoding, runs of zeros and ones included")
    func ewahRoundTrip() throws {
        var random = SeededRandom(seed: 7)
        for count in [0, 1, 63, 64, 65, 127, 128, 1_000, 64 * 300 + 17] {
            for pattern in 0..<5 {
                var set = BitSet(count: count)
                var bit = 0
                while bit < count {
                    // Long runs of ones and of zeros, single bits, dense noise.
                    let length = 1 + random.below(pattern == 0 ? 3 : 64 * (1 + pattern * 20))
                    let on = pattern == 4 || random.below(2) == 0
                    for b in bit..<min(count, bit + length) where on && (pattern != 3 || random.below(2) == 0) { set.insert(b) }
                    bit += length
                }
                var bytes: [UInt8] = [9, 9]
                EWAH.encode(set, into: &bytes)
                bytes += [7]
                let (decoded, next) = try bytes.withUnsafeBytes { try EWAH.decode($0, at: 2, end: $0.count, count: count) }
                #expect(decoded == set, "count \(count) pattern \(pattern)")
                #expect(next == bytes.count - 1)
            }
        }
    }

    @Test("EWAH: damaged bitmaps are refused, none allocates past its objects")
    func ewahRefusesDamage() throws {
        var set = BitSet(count: 200)
        for bit in stride(from: 0, to: 200, by: 3) { set.insert(bit) }
        var good: [UInt8] = []
        EWAH.encode(set, into: &good)
        func decode(_ bytes: [UInt8], count: Int = 200) throws {
            _ = try bytes.withUnsafeBytes { try EWAH.decode($0, at: 0, end: $0.count, count: count) }
        }
        try decode(good)
        for cut in [0, 4, 7, 10, 11, 12, good.count - 1] {
            #expect(throws: BanyanError.self, "cut at \(cut)") { try decode(Array(good.prefix(cut))) }
        }
        #expect(throws: BanyanError.self, "a bit past the objects") { try decode(good, count: 150) }
        // No words, and the last-word position cut off: refused, not read past the end (found by the fuzzer).
        #expect(throws: BanyanError.self) { try decode([0, 0, 0, 200, 0, 0, 0, 0, 0, 0]) }
        // One run-length word repeating ones for 2^32 - 1 words: refused, not allocated.
        var ones: [UInt8] = []
        PackBytes.appendUInt32(200, to: &ones)
        PackBytes.appendUInt32(1, to: &ones)
        PackBytes.appendUInt64(1 | UInt64(UInt32.max) << 1, to: &ones)
        PackBytes.appendUInt32(0, to: &ones)
        #expect(throws: BanyanError.self) { try decode(ones) }
        // More literal words announced than follow.
        var literals: [UInt8] = []
        PackBytes.appendUInt32(200, to: &literals)
        PackBytes.appendUInt32(1, to: &literals)
        PackBytes.appendUInt64(5 << 33, to: &literals)
        PackBytes.appendUInt32(0, to: &literals)
        #expect(throws: BanyanError.self) { try decode(literals) }
    }

    @Test("git's bitmaps parse: every commit's bitmap is what rev-list --objects reaches, every type bit is cat-file's",
          arguments: HashAlgorithm.allCases)
    func gitBitmapsParse(_ algorithm: HashAlgorithm) throws {
        let repository = try Bitmapped(algorithm)
        let bitmaps = try PackBitmapIndex(ByteStorage(repository.bitmap), index: repository.index)
        #expect(bitmaps.flags.contains(.hashCache), "git 2.39 writes the name-hash cache by default, so it is skipped here")
        #expect(bitmaps.commitIDs.count >= 5)
        for commit in bitmaps.commitIDs {
            let reached = try #require(try bitmaps.reachable(from: commit))
            #expect(Self.ids(reached, bitmaps) == (try repository.revList(commit)), "commit \(commit)")
        }
        for (id, kind) in try repository.kinds() {
            let bit = try #require(bitmaps.bit(of: id))
            #expect(bitmaps.kind(ofBit: bit) == kind)
            #expect(bitmaps.id(ofBit: bit) == id)
        }
        #expect(try bitmaps.reachable(from: .zero(algorithm)) == nil)
    }

    @Test("bitmaps written here are read by git: rev-list --test-bitmap passes for every commit",
          arguments: HashAlgorithm.allCases)
    func gitReadsWrittenBitmaps(_ algorithm: HashAlgorithm) throws {
        var repository = try Bitmapped(algorithm)
        let theirs = try PackBitmapIndex(ByteStorage(repository.bitmap), index: repository.index)
        var kinds = [ObjectKind](repeating: .blob, count: repository.index.count)
        for bit in 0..<repository.index.count { kinds[bit] = theirs.kind(ofBit: bit) }
        let reachable = try theirs.commitIDs.map { commit -> (commit: ObjectID, bitmap: [UInt8]) in
            var bytes: [UInt8] = []
            EWAH.encode(try #require(try theirs.reachable(from: commit)), into: &bytes)
            return (commit, bytes)
        }
        let ours = PackBitmapIndexWriter.write(index: repository.index, order: theirs.order, kinds: kinds, reachable: reachable)
        try FileManager.default.removeItem(atPath: repository.bitmapPath)
        try PackTestGit.write(ours, to: repository.bitmapPath)
        repository.bitmap = ours
        let reread = try PackBitmapIndex(ByteStorage(ours), index: repository.index)
        #expect(reread.commitIDs == theirs.commitIDs)
        for commit in theirs.commitIDs {
            let result = try PackTestGit.run(["rev-list", "--test-bitmap", commit.hex], in: repository.directory.path, check: false)
            #expect(result.status == 0 && result.stderr.contains("OK!"), "\(commit): \(result.stderr)")
        }
    }

    @Test("a damaged or foreign bitmap index is refused naming the problem", arguments: HashAlgorithm.allCases)
    func damagedIndexesAreRefused(_ algorithm: HashAlgorithm) throws {
        let repository = try Bitmapped(algorithm)
        let good = repository.bitmap
        func open(_ bytes: [UInt8]) throws -> PackBitmapIndex {
            try PackBitmapIndex(ByteStorage(bytes), index: repository.index)
        }
        _ = try open(good)
        var flipped = good
        flipped[good.count / 2] ^= 0x40
        #expect(throws: BanyanError.self, "a flipped bit fails the checksum") { try open(flipped) }
        var version = good
        version[5] = 2
        #expect { try open(version) } throws: { ($0 as? BanyanError)?.code == .unsupported }
        var foreign = good
        foreign[12] ^= 1
        #expect { try open(foreign) } throws: { ($0 as? BanyanError)?.message.contains("belongs to pack") == true }
        for cut in [0, 11, 40, good.count - 30] {
            #expect(throws: BanyanError.self, "cut to \(cut) bytes") { try open(Array(good.prefix(cut))) }
        }
        // Damage behind a correct checksum is caught by the structure checks.
        var unchecked = good
        unchecked[10] = 0xFF
        let hashLength = algorithm.digestLength
        unchecked.replaceSubrange((unchecked.count - hashLength)..., with: Array(algorithm.digest(unchecked.dropLast(hashLength)).bytes))
        #expect(throws: BanyanError.self, "an entry count past the file") { try open(unchecked) }
    }
}
