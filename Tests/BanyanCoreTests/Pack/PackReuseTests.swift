import BanyanTestSupport
@testable import BanyanCore
import Testing

@Suite("Pack writer: reusing stored entries")
struct PackReuseTests {
    /// A repository packed by `git repack -adf`, its one pack opened for reading.
    struct Packed {
        var repository: TemporaryDirectory
        var reader: PackReader
        var objects: [ObjectID: RawObject]
        var packSize: Int
        var storedDeltas: Int
    }

    @Test("a stored entry refers to its pack's bytes, the stream as stored, without a copy", arguments: HashAlgorithm.allCases)
    func storedEntriesReferToThePack(_ algorithm: HashAlgorithm) throws {
        let source = try Self.packed(algorithm)
        let pack = source.reader.storage.bytes
        for id in source.objects.keys.prefix(50) {
            let entry = try #require(try source.reader.storedEntry(id))
            entry.withCompressedBytes { stream in
                let start = stream.baseAddress! - pack.baseAddress!
                #expect(start > 0 && start + stream.count <= pack.count, "the stream lies inside the pack")
                #expect(Array(stream) == Array(pack[start..<start + stream.count]))
            }
            #expect(entry.compressed.count > 0)
        }
    }

    static func packed(_ algorithm: HashAlgorithm) throws -> Packed {
        let repository = try PackTestGit.makeHistory(algorithm, commits: 60)
        try PackTestGit.run(["repack", "-adfq"], in: repository.path)
        let files = try PackTestGit.packs(in: repository.path)
        try #require(files.count == 1)
        let pack = try PackTestGit.read(files[0].pack)
        let reader = try PackReader(pack: pack, index: PackTestGit.read(files[0].index), algorithm: algorithm)
        let objects = try PackTestGit.allObjects(in: repository.path, algorithm)
        let deltas = try objects.keys.filter { id in
            if case .delta = try reader.storedEntry(id)?.form { return true }
            return false
        }
        return Packed(repository: repository, reader: reader, objects: objects, packSize: pack.count, storedDeltas: deltas.count)
    }

    static func items(_ objects: [ObjectID: RawObject]) -> [PackWriter.Item] {
        objects.sorted { $0.key < $1.key }.map { PackWriter.Item($0.value, id: $0.key) }
    }

    @Test("a pack of every stored object copies every entry and git accepts it",
          arguments: HashAlgorithm.allCases, [false, true])
    func copiesEveryEntry(_ algorithm: HashAlgorithm, refDeltas: Bool) throws {
        let source = try Self.packed(algorithm)
        #expect(source.storedDeltas > source.objects.count / 4)
        let output = try PackWriter.write(items: Self.items(source.objects), algorithm: algorithm,
                                          options: .init(useRefDeltas: refDeltas), reuse: source.reader.storedEntry)
        #expect(output.reusedCount == source.objects.count)
        #expect(output.reusedDeltaCount == source.storedDeltas)
        #expect(output.deltaCount == source.storedDeltas)
        // REF_DELTA bases take a full id; OFS_DELTA distances change with the order, by a few bytes.
        let margin = source.storedDeltas * (refDeltas ? algorithm.digestLength : 4)
        #expect(output.pack.count <= source.packSize + margin)

        let directory = TemporaryDirectory("banyan-pack")
        let packPath = directory.appending("ours.pack")
        try PackTestGit.write(output.pack, to: packPath)
        try PackTestGit.run(["index-pack", "--strict", "-o", directory.appending("git.idx"), packPath], in: source.repository.path)
        #expect(try PackTestGit.read(directory.appending("git.idx")) == output.indexBytes())
        let reader = try PackReader(pack: output.pack, index: output.indexBytes(), algorithm: algorithm)
        for (id, object) in source.objects { #expect(try reader.get(id) == object) }
    }

    @Test("stored deltas whose bases are not sent are searched afresh, and the pack needs no other objects")
    func missingBasesFallBackToSearch() throws {
        let source = try Self.packed(.sha1)
        let sent = source.objects.filter { $0.key.hex < "6" }
        let output = try PackWriter.write(items: Self.items(sent), algorithm: .sha1, reuse: source.reader.storedEntry)
        #expect(output.reusedCount > 0 && output.reusedCount < sent.count)
        #expect(output.externalBases.isEmpty)

        let directory = TemporaryDirectory("banyan-pack")
        let packPath = directory.appending("partial.pack")
        try PackTestGit.write(output.pack, to: packPath)
        let empty = try PackTestGit.makeBareRepository(.sha1)
        // Not --strict: the commits' trees and parents are not all in the pack, but every delta base must be.
        try PackTestGit.run(["index-pack", "-o", directory.appending("partial.idx"), packPath], in: empty.path)
        let reader = try PackReader(pack: output.pack, index: output.indexBytes(), algorithm: .sha1)
        for (id, object) in sent { #expect(try reader.get(id) == object) }
    }

    @Test("stored deltas against objects the receiver has become thin-pack REF_DELTAs")
    func thinBasesAreReused() throws {
        let source = try Self.packed(.sha1)
        let (sent, held) = (source.objects.filter { $0.key.hex < "8" }, source.objects.filter { $0.key.hex >= "8" })
        let output = try PackWriter.write(items: Self.items(sent), algorithm: .sha1,
                                          baseItems: Self.items(held), reuse: source.reader.storedEntry)
        #expect(output.reusedDeltaCount > 0)
        #expect(!output.externalBases.isEmpty)
        #expect(Set(output.externalBases).isSubset(of: Set(held.keys)))
        let reader = try PackReader(pack: output.pack, index: output.indexBytes(), algorithm: .sha1) { held[$0] }
        for (id, object) in sent { #expect(try reader.get(id) == object) }
    }

    @Test("stored chains that loop or pass the depth limit are not reused")
    func loopsAndDeepChainsAreDropped() throws {
        let ids = (0..<6).map { ObjectID.hash(kind: .blob, body: Array("object \($0)".utf8), algorithm: .sha1) }
        let sources = ids.map { PackWriter.Source(id: $0, kind: .blob, size: 100) }
        // 0 whole; 1 → 0, 2 → 1, 3 → 2 (depth 3); 4 ⇄ 5 loop.
        let bases: [Int: Int] = [1: 0, 2: 1, 3: 2, 4: 5, 5: 4]
        let reuse = try PackWriter.reusable(sources: sources, externalIDs: [], options: .init(depth: 2)) { id in
            let position = ids.firstIndex(of: id)!
            let form: StoredEntry.Form = bases[position].map { .delta(base: ids[$0]) } ?? .whole(.blob)
            return StoredEntry(form: form, size: 100, compressed: [])
        }
        #expect(reuse.map { $0 != nil } == [true, true, true, false, false, false])
        let (roles, reserved) = PackWriter.searchRoles(for: reuse)
        #expect(roles == [.search, .skip, .skip, .search, .search, .search])
        #expect(reserved == [2, 0, 0, 0, 0, 0])
    }

    @Test("objects stored whole in one pack are not tried against each other, as Git's try_delta; across packs they are")
    func wholeObjectsOfOnePackAreNotSearchedAgain() throws {
        let objects = Self.versions(seed: 5, size: 2000)
        let items = objects.map { PackWriter.Item($0, nameHint: "notes/today") }
        func storedWhole(_ items: ArraySlice<PackWriter.Item>) throws -> PackReader {
            try Self.stored(items, options: .init(window: 0))
        }
        let fresh = try PackWriter.write(items: items, algorithm: .sha1)
        #expect(fresh.deltaCount > 30)

        let one = try storedWhole(items[...])
        let fromOne = try PackWriter.write(items: items, algorithm: .sha1, reuse: one.storedEntry)
        #expect(fromOne.deltaCount == 0)
        #expect(fromOne.reusedCount == objects.count)

        let (first, second) = (try storedWhole(items[..<20]), try storedWhole(items[20...]))
        let fromTwo = try PackWriter.write(items: items, algorithm: .sha1) { id in
            try first.storedEntry(id) ?? second.storedEntry(id)
        }
        #expect(fromTwo.deltaCount > 0)
        let halfStored = try PackWriter.write(items: items, algorithm: .sha1, reuse: first.storedEntry)
        #expect(halfStored.deltaCount > 15)
        for output in [fromOne, fromTwo, halfStored] {
            let reader = try PackReader(pack: output.pack, index: output.indexBytes(), algorithm: .sha1)
            for object in objects { #expect(try reader.get(object.id(.sha1)) == object) }
        }
    }

    @Test("the whole object a stored chain starts at becomes a delta when another pack gives it a base, within the depth limit")
    func chainHeadsFindBasesAcrossPacks() throws {
        let objects = Self.versions(seed: 9, size: 3000)
        let items = objects.map { PackWriter.Item($0, nameHint: "notes/today") }
        let depth = 12
        let (first, second) = (try Self.stored(items[..<20], options: .init(depth: depth)),
                               try Self.stored(items[20...], options: .init(depth: depth)))
        func wholeCount(_ reader: PackReader) throws -> Int {
            try objects.count { object in
                guard case .whole = try reader.storedEntry(object.id(.sha1))?.form else { return false }
                return true
            }
        }
        #expect(try wholeCount(first) + wholeCount(second) >= 2)
        let output = try PackWriter.write(items: items, algorithm: .sha1, options: .init(depth: depth)) { id in
            try first.storedEntry(id) ?? second.storedEntry(id)
        }
        let reader = try PackReader(pack: output.pack, index: output.indexBytes(), algorithm: .sha1)
        // Every stored chain is kept (none is longer than the limit): a
        // chain head of one pack took a base from the other.
        #expect(try wholeCount(reader) < wholeCount(first) + wholeCount(second))
        for object in objects {
            #expect(try reader.get(object.id(.sha1)) == object)
            var length = 0
            var id = object.id(.sha1)
            while case .delta(let base)? = try reader.storedEntry(id)?.form {
                length += 1
                id = base
                try #require(length <= depth, "a chain longer than \(depth)")
            }
        }
    }

    /// Forty versions of one file, each a small edit of the one before.
    private static func versions(seed: UInt64, size: Int) -> [RawObject] {
        var random = SeededRandom(seed: seed)
        var body = random.bytes(size)
        return (0..<40).map { _ in
            body[random.below(body.count)] = UInt8(truncatingIfNeeded: random.next())
            return RawObject(kind: .blob, body: body)
        }
    }

    /// `items` written as one pack with `options`, opened for reading.
    private static func stored(_ items: ArraySlice<PackWriter.Item>, options: PackWriter.Options) throws -> PackReader {
        let output = try PackWriter.write(items: Array(items), algorithm: .sha1, options: options)
        return try PackReader(pack: output.pack, index: output.indexBytes(), algorithm: .sha1)
    }
}
