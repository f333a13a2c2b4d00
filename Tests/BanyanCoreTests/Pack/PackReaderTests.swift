import BanyanTestSupport
@testable import BanyanCore
import Synchronization
import Testing

@Suite("Pack reader")
struct PackReaderTests {
    static let repacks: [[String]] = [
        ["gc", "--quiet"],
        ["gc", "--quiet", "--aggressive"],
        ["repack", "-a", "-d", "-f", "-q", "--depth=250", "--window=250"],
    ]

    @Test("reads every object of git's packs, as cat-file prints it", arguments: HashAlgorithm.allCases)
    func gitPacks(_ algorithm: HashAlgorithm) throws {
        let repository = try PackTestGit.makeHistory(algorithm, commits: 400, files: 10)
        for repack in Self.repacks {
            try PackTestGit.run(repack, in: repository.path)
            let expected = try PackTestGit.allObjects(in: repository.path, algorithm)
            let packs = try PackTestGit.packs(in: repository.path)
            #expect(packs.count == 1, "\(repack)")
            var seen = 0
            for (packPath, indexPath) in packs {
                let index = try PackIndex(bytes: PackTestGit.read(indexPath), algorithm: algorithm)
                let reader = try PackReader(pack: ByteStorage(PackTestGit.read(packPath)), index: index)
                try reader.verifyChecksum()
                #expect(reader.version == 2)
                for id in index.ids {
                    let object = try reader.get(id)
                    #expect(object == expected[id], "\(id) after \(repack)")
                    #expect(object.id(algorithm) == id)
                    seen += 1
                }
            }
            #expect(seen == expected.count, "\(repack)")
            let stats = try PackTestGit.run(["verify-pack", "-s", packs[0].index], in: repository.path).text
            // The deep repack must make chains longer than git's default depth of 50.
            let deepest = repack.contains("--depth=250") ? 51 : 2
            #expect(stats.contains("chain length = \(deepest):"), "git should have made delta chains: \(stats)")
        }
    }

    @Test("concurrent readers share the base cache safely")
    func concurrentReads() async throws {
        let repository = try PackTestGit.makeHistory(.sha1, commits: 60)
        try PackTestGit.run(["repack", "-a", "-d", "-f", "-q", "--depth=100", "--window=50"], in: repository.path)
        let expected = try PackTestGit.allObjects(in: repository.path, .sha1)
        let (packPath, indexPath) = try #require(try PackTestGit.packs(in: repository.path).first)
        let reader = try PackReader(pack: PackTestGit.read(packPath), index: PackTestGit.read(indexPath), algorithm: .sha1)
        let ids = reader.index.ids
        let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<4 {
                group.addTask {
                    var bad = 0
                    for id in (task % 2 == 0 ? ids : ids.reversed()) where try reader.get(id) != expected[id] { bad += 1 }
                    return bad
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }

    @Test("a 1,000-deep delta chain reads without deep recursion, in any order")
    func deepChain() throws {
        var versions: [RawObject] = []
        var text = String(repeating: "a root line that every version shares\n", count: 8)
        for version in 0..<1000 {
            text += "line \(version)\n"
            versions.append(RawObject(kind: .blob, body: Array(text.utf8)))
        }
        let output = try PackWriter.write(versions, algorithm: .sha1, options: .init(window: 1, depth: 5000))
        #expect(output.deltaCount == 999)
        let reader = try PackReader(pack: output.pack, index: output.indexBytes(), algorithm: .sha1)
        // The smallest version is at the bottom of the chain; read it first with an empty cache.
        #expect(try reader.find(versions[0].id(.sha1)) == versions[0])
        var random = SeededRandom(seed: 1)
        for _ in 0..<50 {
            let version = versions[random.below(versions.count)]
            #expect(try reader.find(version.id(.sha1)) == version)
        }
        let tiny = try PackReader(pack: ByteStorage(output.pack), index: PackIndex(bytes: output.indexBytes(), algorithm: .sha1),
                                  cacheEntries: 0)
        #expect(try tiny.find(versions[3].id(.sha1)) == versions[3])

        let directory = TemporaryDirectory("banyan-pack")
        let repository = try PackTestGit.makeBareRepository(.sha1)
        try PackTestGit.write(output.pack, to: directory.appending("deep.pack"))
        try PackTestGit.run(["index-pack", directory.appending("deep.pack")], in: repository.path)
        let stats = try PackTestGit.run(["verify-pack", "-s", directory.appending("deep.idx")], in: repository.path).text
        #expect(stats.contains("chain length = 999: 1 object"), "\(stats)")
    }

    @Test("a REF_DELTA loop is reported, not followed forever", arguments: HashAlgorithm.allCases)
    func refDeltaLoop(_ algorithm: HashAlgorithm) throws {
        let (pack, entries) = try Self.loopPack(algorithm)
        let reader = try PackReader(pack: pack, index: PackIndexWriter.encode(entries, packChecksum: PackBytes.id(pack.withUnsafeBytes { $0 }, pack.count - algorithm.digestLength, algorithm)),
                                    algorithm: algorithm)
        let error = #expect(throws: BanyanError.self) { try reader.object(at: entries[0].offset) }
        #expect(error?.message.contains("loops") == true, "\(error?.message ?? "")")
    }

    @Test("bad offsets, missing bases and damaged entries fail with clear errors", arguments: HashAlgorithm.allCases)
    func damagedEntries(_ algorithm: HashAlgorithm) throws {
        let objects = (0..<20).map { RawObject(kind: .blob, body: Array(String(repeating: "shared text \($0 / 4) ", count: 20).utf8) + [UInt8($0)]) }
        let output = try PackWriter.write(objects, algorithm: algorithm)
        #expect(output.deltaCount > 0)
        let index = try output.indexBytes()
        let reader = try PackReader(pack: output.pack, index: index, algorithm: algorithm)
        for offset: UInt64 in [0, 5, UInt64(output.pack.count), UInt64.max] {
            #expect(throws: BanyanError.self) { try reader.object(at: offset) }
        }
        let whole = try #require(output.entries.first)
        var damaged = output.pack
        damaged[Int(whole.offset) + 4] ^= 0xff
        let damagedReader = try PackReader(pack: damaged, index: index, algorithm: algorithm)
        let error = #expect(throws: BanyanError.self) { try damagedReader.object(at: whole.offset) }
        #expect(error?.message.contains("offset \(whole.offset)") == true, "\(error?.message ?? "")")
        #expect(throws: BanyanError.self) { try damagedReader.verifyChecksum() }

        // A thin pack's external base comes from baseLookup, or the read fails naming it.
        let base = RawObject(kind: .blob, body: Array(String(repeating: "external base text ", count: 30).utf8))
        var edited = base
        edited.body += Array("more".utf8)
        let thin = try PackWriter.write([edited], algorithm: algorithm, bases: [base.id(algorithm): base])
        #expect(thin.externalBases == [base.id(algorithm)])
        let lookup = try PackReader(pack: ByteStorage(thin.pack), index: PackIndex(bytes: thin.indexBytes(), algorithm: algorithm),
                                    baseLookup: { $0 == base.id(algorithm) ? base : nil })
        #expect(try lookup.get(edited.id(algorithm)) == edited)
        let noLookup = try PackReader(pack: thin.pack, index: thin.indexBytes(), algorithm: algorithm)
        let missing = #expect(throws: BanyanError.self) { try noLookup.get(edited.id(algorithm)) }
        #expect(missing?.message.contains(base.id(algorithm).hex) == true)

        let wrongIndex = try PackWriter.write(Array(objects.prefix(3)), algorithm: algorithm).indexBytes()
        #expect(throws: BanyanError.self) { try PackReader(pack: output.pack, index: wrongIndex, algorithm: algorithm) }
        #expect(throws: BanyanError.self) { try reader.get(algorithm.emptyTreeID) }
        #expect(try reader.find(algorithm.emptyTreeID) == nil)
    }

    @Test("ByteStorage over caller-owned memory (as an mmap would be) is released once, after the last reader")
    func callerOwnedStorage() throws {
        let object = RawObject(kind: .blob, body: Array("mapped bytes".utf8))
        let output = try PackWriter.write([object], algorithm: .sha1)
        let releases = ReleaseCounter()
        do {
            let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: output.pack.count, alignment: 16)
            output.pack.withUnsafeBytes { memory.copyMemory(from: $0) }
            let storage = ByteStorage(unsafeBytes: UnsafeRawBufferPointer(memory)) { bytes in
                releases.count.withLock { $0 += 1 }
                UnsafeMutableRawPointer(mutating: bytes.baseAddress!).deallocate()
            }
            let reader = try PackReader(pack: storage, index: PackIndex(bytes: output.indexBytes(), algorithm: .sha1))
            #expect(try reader.get(object.id(.sha1)) == object)
            #expect(releases.count.withLock { $0 } == 0)
        }
        #expect(releases.count.withLock { $0 } == 1)
    }

    private final class ReleaseCounter: Sendable {
        let count = Mutex(0)
    }

    /// Two REF_DELTA entries, each naming the other as its base.
    static func loopPack(_ algorithm: HashAlgorithm) throws -> (pack: [UInt8], entries: [PackIndex.Entry]) {
        let first = algorithm.digest(Array("first".utf8)), second = algorithm.digest(Array("second".utf8))
        let encoder = try PackEntryEncoder(algorithm: algorithm)
        var pack = PackEntryEncoder.packHeader(objectCount: 2)
        let a = try encoder.append(.refDelta(base: second, delta: [3, 3, 0x90, 3]), to: &pack)
        let b = try encoder.append(.refDelta(base: first, delta: [3, 3, 0x90, 3]), to: &pack)
        PackEntryEncoder.appendTrailer(to: &pack, algorithm: algorithm)
        return (pack, [PackIndex.Entry(id: first, offset: a.offset, crc32: a.crc32),
                       PackIndex.Entry(id: second, offset: b.offset, crc32: b.crc32)])
    }
}
