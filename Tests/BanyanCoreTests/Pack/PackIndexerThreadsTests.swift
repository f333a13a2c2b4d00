import BanyanTestSupport
@testable import BanyanCore
import Synchronization
import Testing

/// Indexing resolves deltas on several threads; whatever their number, it
/// finds the same objects, shows each to the inspector once, and refuses
/// the same damage.
@Suite("Pack indexer threads")
struct PackIndexerThreadsTests {
    /// The pack `git gc` makes of a history of `commits` commits.
    static func gitPack(_ algorithm: HashAlgorithm, commits: Int) throws -> [UInt8] {
        let repository = try PackTestGit.makeHistory(algorithm, commits: commits)
        try PackTestGit.run(["gc", "--quiet", "--aggressive"], in: repository.path)
        return try PackTestGit.read(try #require(try PackTestGit.packs(in: repository.path).first).pack)
    }

    @Test("two threads index git's pack as one does, inspecting each object once with its base in the pack",
          arguments: HashAlgorithm.allCases)
    func sameResult(_ algorithm: HashAlgorithm) throws {
        let pack = try Self.gitPack(algorithm, commits: 100)
        let single = try PackIndexer.index(pack: pack, algorithm: algorithm)
        let seen = Mutex<[ObjectID: (kind: ObjectKind, base: ObjectID?)]>([:])
        // Counted rather than expected: the inspector runs on the indexer's threads.
        let mistakes = Mutex(0)
        let parallel = try pack.withUnsafeBytes { bytes in
            try PackIndexer.index(pack: bytes, algorithm: algorithm, threads: 2, inspect: { object, id, base in
                let entry = (object.kind, base?.id(algorithm))
                let wrong = object.id(algorithm) != id
                seen.withLock { if $0.updateValue(entry, forKey: id) != nil || wrong { mistakes.withLock { $0 += 1 } } }
            })
        }
        #expect(parallel.entries == single.entries && parallel.checksum == single.checksum)
        #expect(try parallel.indexBytes() == single.indexBytes())
        #expect(mistakes.withLock { $0 } == 0)
        let inspected = seen.withLock { $0 }
        #expect(inspected.count == single.entries.count)
        for entry in single.entries {
            let found = try #require(inspected[entry.id])
            #expect(found.kind == entry.kind)
            // Whole objects come without a base; deltas with theirs, one level shallower.
            #expect((found.base == nil) == (entry.depth == 0))
            if let base = found.base {
                #expect(single.entries.first { $0.id == base }?.depth == entry.depth - 1)
            }
        }
        #expect(single.entries.contains { $0.depth > 1 })
    }

    @Test("on two threads, a delta that does not fit its base and an object the inspector refuses stop the indexing")
    func failures() throws {
        let encoder = try PackEntryEncoder(algorithm: .sha1)
        var pack = PackEntryEncoder.packHeader(objectCount: 3)
        try encoder.append(.object(RawObject(kind: .blob, body: Array("base object".utf8))), to: &pack)
        try encoder.append(.object(RawObject(kind: .blob, body: Array("other base".utf8))), to: &pack)
        try encoder.append(.ofsDelta(baseOffset: 12, delta: [12, 4, 0x90, 4]), to: &pack)
        PackEntryEncoder.appendTrailer(to: &pack, algorithm: .sha1)
        let error = #expect(throws: BanyanError.self) {
            try pack.withUnsafeBytes { try PackIndexer.index(pack: $0, algorithm: .sha1, threads: 2) }
        }
        #expect(error?.message.contains("base of 12 bytes") == true, "\(error?.message ?? "")")

        let good = try Self.gitPack(.sha1, commits: 30)
        let deltas = try PackIndexer.index(pack: good, algorithm: .sha1).entries.filter { $0.depth > 0 }
        let refused = try #require(deltas.last).id
        let refusal = #expect(throws: BanyanError.self) {
            try good.withUnsafeBytes { bytes in
                try PackIndexer.index(pack: bytes, algorithm: .sha1, threads: 2, inspect: { _, id, _ in
                    if id == refused { throw BanyanError(.corruptObject, "refused \(id)") }
                })
            }
        }
        #expect(refusal?.message == "refused \(refused)")
    }
}
