@testable import BanyanCore
import BanyanTestSupport
import Foundation
import Testing

@Suite("Multi-pack-index codec")
struct MultiPackIndexTests {
    /// A repository git spread over four packs, with each pack's index.
    private struct Packs {
        let directory: TemporaryDirectory
        var path: String { directory.path }
        /// `pack-<hex>` names, sorted: a pack's number in a multi-pack-index.
        let names: [String]
        let indexes: [PackIndex]

        init(_ algorithm: HashAlgorithm, packs: Int = 4, overlapping: Bool = false) throws {
            let directory = TemporaryDirectory("banyan-midx")
            try MultiPackRepository.make(at: directory.path, algorithm: algorithm, packs: packs)
            if overlapping { try MultiPackRepository.addOverlappingPack(to: directory.path) }
            let names = try MultiPackRepository.packNames(in: directory.path)
            indexes = try names.map { try PackIndex(bytes: PackTestGit.read("\(directory.path)/objects/pack/\($0).idx"), algorithm: algorithm) }
            self.directory = directory
            self.names = names
        }

        func writerPacks() throws -> [MultiPackIndexWriter.Pack] {
            try zip(names, indexes).map { name, index in
                let attributes = try FileManager.default.attributesOfItem(atPath: "\(path)/objects/pack/\(name).pack")
                let modified = try #require(attributes[.modificationDate] as? Date)
                return MultiPackIndexWriter.Pack(name: name + ".idx", index: index, modified: Int64(modified.timeIntervalSince1970.rounded(.down)))
            }
        }

        func gitWrite() throws -> [UInt8] {
            try PackTestGit.run(["multi-pack-index", "write"], in: path)
            return try PackTestGit.read(path + "/objects/pack/multi-pack-index")
        }
    }

    @Test("parses git's multi-pack-index; every lookup equals the pack index's", arguments: HashAlgorithm.allCases)
    func gitIndexParses(_ algorithm: HashAlgorithm) throws {
        let packs = try Packs(algorithm)
        #expect(packs.indexes.count == 4 && packs.indexes.allSatisfy { $0.count >= 10 }, "\(packs.indexes.map(\.count))")
        let midx = try MultiPackIndex(bytes: try packs.gitWrite(), algorithm: algorithm)
        #expect(midx.version == 1)
        #expect(midx.packNames == packs.names.map { $0 + ".idx" })
        #expect(midx.count == packs.indexes.reduce(0) { $0 + $1.count }, "the packs share no object")
        var expected: [MultiPackIndex.Entry] = []
        for (number, index) in packs.indexes.enumerated() {
            for entry in index.entries {
                #expect(midx.location(of: entry.id) == MultiPackIndex.Location(pack: number, offset: entry.offset))
                expected.append(MultiPackIndex.Entry(id: entry.id, location: .init(pack: number, offset: entry.offset)))
            }
        }
        #expect(midx.entries == expected.sorted { $0.id < $1.id })
        #expect(midx.location(of: RawObject(kind: .blob, body: Array("absent".utf8)).id(algorithm)) == nil)
        #expect(midx.location(of: .zero(algorithm)) == nil)
        #expect(!midx.contains(.zero(algorithm == .sha1 ? .sha256 : .sha1)))
    }

    @Test("encodes git's bytes for packs that share no object", arguments: HashAlgorithm.allCases)
    func encodesGitBytes(_ algorithm: HashAlgorithm) throws {
        let packs = try Packs(algorithm)
        let ours = try MultiPackIndexWriter.encode(try packs.writerPacks().shuffled(), algorithm: algorithm)
        #expect(ours == (try packs.gitWrite()))
    }

    @Test("a shared object goes to the newest pack: git's bytes when modification times differ", arguments: HashAlgorithm.allCases)
    func sharedObjectsNewestPack(_ algorithm: HashAlgorithm) throws {
        let packs = try Packs(algorithm, packs: 3, overlapping: true)
        // Distinct times, the second pack by name the newest.
        for (number, name) in packs.names.enumerated() {
            try MultiPackRepository.setModified(1_700_000_000 - 100 * number + (number == 1 ? 1_000 : 0), pack: name, in: packs.path)
        }
        let writerPacks = try packs.writerPacks()
        let ours = try MultiPackIndexWriter.encode(writerPacks, algorithm: algorithm)
        #expect(ours == (try packs.gitWrite()))
        let midx = try MultiPackIndex(bytes: ours, algorithm: algorithm)
        for entry in midx.entries {
            let holders = packs.indexes.indices.filter { packs.indexes[$0].contains(entry.id) }
            let newest = holders.max { writerPacks[$0].modified < writerPacks[$1].modified }
            #expect(entry.location.pack == newest)
            #expect(packs.indexes[entry.location.pack].offset(of: entry.id) == entry.location.offset)
        }
    }

    @Test("equally new copies go to the pack whose name sorts first; git verify accepts it", arguments: HashAlgorithm.allCases)
    func sharedObjectsSameTime(_ algorithm: HashAlgorithm) throws {
        let packs = try Packs(algorithm, packs: 3, overlapping: true)
        for name in packs.names { try MultiPackRepository.setModified(1_700_000_000, pack: name, in: packs.path) }
        let ours = try MultiPackIndexWriter.encode(try packs.writerPacks(), algorithm: algorithm)
        let midx = try MultiPackIndex(bytes: ours, algorithm: algorithm)
        for entry in midx.entries {
            #expect(entry.location.pack == packs.indexes.firstIndex { $0.contains(entry.id) })
        }
        try PackTestGit.write(ours, to: packs.path + "/objects/pack/multi-pack-index")
        try PackTestGit.run(["multi-pack-index", "verify"], in: packs.path)
    }

    @Test("offsets of 2 GiB and more: LOFF only when one needs 64 bits, as git writes", arguments: HashAlgorithm.allCases)
    func largeOffsets(_ algorithm: HashAlgorithm) throws {
        for largest in [UInt64(UInt32.max), UInt64(UInt32.max) + 1, 1 << 40] {
            let packs = try (0..<3).map { number in
                let entries = (0..<40).map { i in
                    let offset: UInt64 = i % 4 == 0 ? largest - UInt64(i) : i % 4 == 1 ? (1 << 31) + UInt64(i) : 12 + UInt64(i) * 100
                    return PackIndex.Entry(id: RawObject(kind: .blob, body: Array("pack \(number) object \(i)".utf8)).id(algorithm),
                                           offset: offset, crc32: 0)
                }
                let index = try PackIndex(bytes: PackIndexWriter.encode(entries, packChecksum: algorithm.digest([UInt8(number)])), algorithm: algorithm)
                return MultiPackIndexWriter.Pack(name: "pack-\(number).idx", index: index, modified: 0)
            }
            let bytes = try MultiPackIndexWriter.encode(packs, algorithm: algorithm)
            #expect(bytes[6] == (largest > UInt64(UInt32.max) ? 5 : 4), "chunk count for largest offset \(largest)")
            let midx = try MultiPackIndex(bytes: bytes, algorithm: algorithm)
            #expect(midx.count == 120)
            for (number, pack) in packs.enumerated() {
                for entry in pack.index.entries {
                    #expect(midx.location(of: entry.id) == MultiPackIndex.Location(pack: number, offset: entry.offset))
                }
            }
        }
    }

    @Test("no packs make a valid, empty index", arguments: HashAlgorithm.allCases)
    func emptyIndex(_ algorithm: HashAlgorithm) throws {
        let midx = try MultiPackIndex(bytes: MultiPackIndexWriter.encode([], algorithm: algorithm), algorithm: algorithm)
        #expect(midx.count == 0)
        #expect(midx.packNames.isEmpty)
        #expect(midx.location(of: algorithm.emptyTreeID) == nil)
    }

    @Test("the writer refuses a repeated pack name, a NUL in a name and an index of the other hash function")
    func writerRefusesBadPacks() throws {
        let index = try PackIndex(bytes: PackIndexWriter.encode([], packChecksum: HashAlgorithm.sha1.digest([])), algorithm: .sha1)
        for packs in [
            [MultiPackIndexWriter.Pack(name: "pack-a.idx", index: index, modified: 0), .init(name: "pack-a.idx", index: index, modified: 1)],
            [.init(name: "pack\0a.idx", index: index, modified: 0)],
            [.init(name: "", index: index, modified: 0)],
        ] {
            #expect(throws: BanyanError.self) { try MultiPackIndexWriter.encode(packs, algorithm: .sha1) }
        }
        #expect(throws: BanyanError.self) {
            try MultiPackIndexWriter.encode([.init(name: "pack-a.idx", index: index, modified: 0)], algorithm: .sha256)
        }
    }

    // MARK: - Damaged bytes

    /// A small index over three synthetic packs, one with a 64-bit offset (so LOFF is there).
    private static func sample(_ algorithm: HashAlgorithm) throws -> [UInt8] {
        let packs = try (0..<3).map { number in
            let entries = (0..<30).map { i in
                PackIndex.Entry(id: RawObject(kind: .blob, body: Array("sample \(number) \(i)".utf8)).id(algorithm),
                                offset: i == 0 && number == 1 ? 1 << 33 : 12 + UInt64(i) * 50, crc32: 0)
            }
            let index = try PackIndex(bytes: PackIndexWriter.encode(entries, packChecksum: algorithm.digest([UInt8(number)])), algorithm: algorithm)
            return MultiPackIndexWriter.Pack(name: "pack-\(String(repeating: "\(number)", count: algorithm.hexLength)).idx", index: index, modified: 0)
        }
        return try MultiPackIndexWriter.encode(packs, algorithm: algorithm)
    }

    /// Where chunk `name` starts in `bytes`, read from the chunk table.
    private static func chunkStart(_ name: String, in bytes: [UInt8]) throws -> Int {
        let id = Array(name.utf8)
        for entry in 0..<Int(bytes[6]) {
            let at = 12 + 12 * entry
            if Array(bytes[at..<(at + 4)]) == id {
                return bytes[(at + 4)..<(at + 12)].reduce(0) { $0 << 8 | Int($1) }
            }
        }
        throw BanyanError(.invalidArgument, "no chunk \(name)")
    }

    /// Writes `value` big-endian at `offset`.
    private static func store(_ value: UInt64, at offset: Int, in bytes: inout [UInt8]) {
        for i in 0..<8 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (56 - 8 * i)) }
    }

    /// `bytes` with its trailing checksum recomputed, so a parse gets past it to the damage.
    private static func resealed(_ bytes: [UInt8], _ algorithm: HashAlgorithm) -> [UInt8] {
        let body = Array(bytes.dropLast(algorithm.digestLength))
        return body + algorithm.digest(body).bytes
    }

    private static func expectError(_ bytes: [UInt8], _ algorithm: HashAlgorithm, _ code: BanyanError.Code, _ words: String,
                                     sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try MultiPackIndex(bytes: bytes, algorithm: algorithm)
            Issue.record("parsed damaged bytes; expected '\(words)'", sourceLocation: sourceLocation)
        } catch let error as BanyanError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            #expect(error.message.contains(words), "\(error)", sourceLocation: sourceLocation)
            #expect(error.message.hasPrefix("multi-pack-index"), "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("threw \(error), not a BanyanError", sourceLocation: sourceLocation)
        }
    }

    @Test("damaged bytes throw an error that names the damage", arguments: HashAlgorithm.allCases)
    func damagedBytes(_ algorithm: HashAlgorithm) throws {
        let good = try Self.sample(algorithm)
        _ = try MultiPackIndex(bytes: good, algorithm: algorithm)
        let hashLength = algorithm.digestLength
        let names = try Self.chunkStart("PNAM", in: good)
        let fanout = try Self.chunkStart("OIDF", in: good)
        let ids = try Self.chunkStart("OIDL", in: good)
        let offsets = try Self.chunkStart("OOFF", in: good)
        func damaged(_ change: (inout [UInt8]) -> Void) -> [UInt8] {
            var bytes = good
            change(&bytes)
            return Self.resealed(bytes, algorithm)
        }
        let other: HashAlgorithm = algorithm == .sha1 ? .sha256 : .sha1

        Self.expectError(Array(good.prefix(20)), algorithm, .corruptObject, "too short")
        Self.expectError(damaged { $0[0] = UInt8(ascii: "m") }, algorithm, .corruptObject, "signature")
        Self.expectError(damaged { $0[4] = 3 }, algorithm, .unsupported, "version 3")
        Self.expectError(damaged { $0[5] = 9 }, algorithm, .corruptObject, "hash version 9")
        Self.expectError(damaged { $0[5] = MultiPackIndex.hashVersion(other) }, algorithm, .invalidRepository, "repository uses \(algorithm)")
        Self.expectError(damaged { $0[7] = 1 }, algorithm, .unsupported, "base files")
        var empty = try MultiPackIndexWriter.encode([], algorithm: algorithm)
        empty[6] = 255
        Self.expectError(Self.resealed(empty, algorithm), algorithm, .corruptObject, "chunk table of 255 chunks runs past")
        Self.expectError(damaged { $0[6] = 200 }, algorithm, .corruptObject, "chunk 0 starts at offset")
        Self.expectError(damaged { $0[12 + 12 + 4 + 3] = 0xff; $0[12 + 12 + 4 + 2] = 0xff }, algorithm, .corruptObject, "outside the chunk data")
        Self.expectError(damaged { Self.store(UInt64(fanout - 4), at: 12 + 12 * 2 + 4, in: &$0) }, algorithm, .corruptObject, "before the chunk ahead of it")
        Self.expectError(damaged { $0[12 + 12 * 2] = UInt8(ascii: "X") }, algorithm, .corruptObject, "has no OIDL chunk")
        Self.expectError(damaged { $0.replaceSubrange((12 + 12 * 2)..<(12 + 12 * 2 + 4), with: Array("OIDF".utf8)) },
                         algorithm, .corruptObject, "twice")
        Self.expectError(damaged { $0[12 + 12 * 5] = UInt8(ascii: "Z") }, algorithm, .corruptObject, "does not end with id 0")
        Self.expectError(damaged { $0.replaceSubrange((12 + 12 * 2)..<(12 + 12 * 2 + 4), with: [0, 0, 0, 0]) },
                         algorithm, .corruptObject, "ends after 2 of its 5 chunks")
        Self.expectError(damaged { $0[fanout + 4 * 100 + 3] = 0xff; $0[fanout + 4 * 100 + 2] = 0xff }, algorithm, .corruptObject, "fan-out decreases")
        Self.expectError(damaged { $0[fanout + 4 * 255 + 3] &+= 1 }, algorithm, .corruptObject, "OIDL chunk is")
        Self.expectError(damaged { $0[ids + hashLength] = $0[ids] &- 1 }, algorithm, .corruptObject, "fan-out bucket")
        // Two neighbours in one fan-out bucket, so only their order is wrong.
        let pair = try #require((0..<89).first { good[ids + $0 * hashLength] == good[ids + ($0 + 1) * hashLength] })
        Self.expectError(damaged { bytes in
            let first = ids + pair * hashLength
            bytes.replaceSubrange((first + hashLength)..<(first + 2 * hashLength), with: bytes[first..<(first + hashLength)])
        }, algorithm, .corruptObject, "not sorted (or repeat) at entry \(pair + 1)")
        Self.expectError(damaged { $0[offsets + 3] = 3 }, algorithm, .corruptObject, "names pack 3 of 3")
        Self.expectError(damaged { bytes in
            for position in 0..<90 where bytes[offsets + 8 * position + 4] & 0x80 != 0 { bytes[offsets + 8 * position + 7] = 9 }
        }, algorithm, .corruptObject, "64-bit offset 9 of 1")
        Self.expectError(damaged { $0[names + 5] = UInt8(ascii: "9") }, algorithm, .corruptObject, "not sorted at pack 1")
        Self.expectError(damaged { $0[11] = 250 }, algorithm, .corruptObject, "claims 250 packs")
        let nameLength = "pack-.idx".utf8.count + algorithm.hexLength + 1
        Self.expectError(damaged { bytes in
            for at in (names + 3 * nameLength - 1)..<fanout { bytes[at] = UInt8(ascii: "x") }
        }, algorithm, .corruptObject, "ends inside the name of pack 2 of 3")
        let small = try #require((0..<90).first { good[offsets + 8 * $0 + 4] & 0x80 == 0 })
        var flipped = good
        flipped[offsets + 8 * small + 6] ^= 0x40
        Self.expectError(flipped, algorithm, .corruptObject, "checksum mismatch")
    }

    @Test("every truncation and random damage throws or parses, never traps", arguments: HashAlgorithm.allCases)
    func truncatedAndRandomBytes(_ algorithm: HashAlgorithm) throws {
        let good = try Self.sample(algorithm)
        for length in 0..<good.count {
            #expect(throws: BanyanError.self) { try MultiPackIndex(bytes: Array(good.prefix(length)), algorithm: algorithm) }
            #expect(throws: BanyanError.self) { try MultiPackIndex(bytes: Self.resealed(Array(good.prefix(length)), algorithm), algorithm: algorithm) }
        }
        var random = SeededRandom(seed: 11)
        for _ in 0..<3_000 {
            var bytes = good
            for _ in 0...random.below(4) {
                let at = random.below(bytes.count - algorithm.digestLength)
                bytes[at] = random.below(2) == 0 ? UInt8(truncatingIfNeeded: random.next()) : bytes[at] ^ (1 << UInt8(random.below(8)))
            }
            do {
                let midx = try MultiPackIndex(bytes: Self.resealed(bytes, algorithm), algorithm: algorithm)
                for entry in midx.entries { #expect(midx.location(of: entry.id) == entry.location) }
            } catch is BanyanError {
                continue
            }
        }
    }

    @Test("version 2 lists packs in any order", arguments: HashAlgorithm.allCases)
    func versionTwoUnsortedNames(_ algorithm: HashAlgorithm) throws {
        let good = try Self.sample(algorithm)
        let names = try Self.chunkStart("PNAM", in: good)
        let nameLength = "pack-.idx".utf8.count + algorithm.hexLength + 1
        var swapped = good
        swapped.replaceSubrange(names..<(names + 2 * nameLength), with: good[(names + nameLength)..<(names + 2 * nameLength)] + good[names..<(names + nameLength)])
        Self.expectError(Self.resealed(swapped, algorithm), algorithm, .corruptObject, "not sorted at pack 1")
        swapped[4] = 2
        let midx = try MultiPackIndex(bytes: Self.resealed(swapped, algorithm), algorithm: algorithm)
        #expect(midx.version == 2)
        #expect(midx.packNames.prefix(2).map { String($0.dropFirst(5).prefix(1)) } == ["1", "0"])
    }
}
