import Foundation
import BanyanTestSupport
@testable import BanyanCore
import Testing

@Suite("Pack writer")
struct PackWriterTests {
    struct Variant: CustomTestStringConvertible, Sendable {
        var algorithm: HashAlgorithm
        var options: PackWriter.Options
        var nameHints: Bool
        var testDescription: String {
            "\(algorithm) window \(options.window) depth \(options.depth)\(options.useRefDeltas ? " ref-deltas" : "")\(nameHints ? " name hints" : "")"
        }
    }

    static let variants: [Variant] = HashAlgorithm.allCases.flatMap { algorithm in
        [
            Variant(algorithm: algorithm, options: .init(), nameHints: false),
            Variant(algorithm: algorithm, options: .init(window: 20, depth: 10, useRefDeltas: true, compressionLevel: 1), nameHints: true),
            Variant(algorithm: algorithm, options: .init(window: 0), nameHints: false),
        ]
    }

    @Test("git index-pack and verify-pack accept our packs, and our idx equals git's", arguments: variants)
    func gitAcceptsPacks(_ variant: Variant) throws {
        let algorithm = variant.algorithm
        let repository = try PackTestGit.makeHistory(algorithm, commits: 60)
        let objects = try PackTestGit.allObjects(in: repository.path, algorithm)
        let paths = try Self.paths(in: repository.path)
        let items = objects.sorted { $0.key < $1.key }.map { id, object in
            PackWriter.Item(object, id: id, nameHint: variant.nameHints ? paths[id] : nil)
        }
        let output = try PackWriter.write(items: items, algorithm: algorithm, options: variant.options)
        #expect(output.entries.count == objects.count)
        #expect(output.externalBases.isEmpty)

        let directory = TemporaryDirectory("banyan-pack")
        let packPath = directory.appending("ours.pack")
        try PackTestGit.write(output.pack, to: packPath)
        try PackTestGit.run(["index-pack", "-o", directory.appending("git.idx"), packPath], in: repository.path)
        #expect(try PackTestGit.read(directory.appending("git.idx")) == output.indexBytes())

        try PackTestGit.write(output.indexBytes(), to: directory.appending("ours.idx"))
        let verbose = try PackTestGit.run(["verify-pack", "-v", directory.appending("ours.idx")], in: repository.path).text
        let deltaLines = verbose.split(separator: "\n").filter { $0.split(separator: " ").count == 7 }
        if variant.options.window > 0 {
            #expect(output.deltaCount > objects.count / 4, "\(output.deltaCount) deltas of \(objects.count)")
            #expect(deltaLines.count == output.deltaCount)
            #expect(verbose.contains("chain length = 1:"))
            let longest = deltaLines.compactMap { Int($0.split(separator: " ")[5]) }.max() ?? 0
            #expect(longest <= variant.options.depth)
        } else {
            #expect(output.deltaCount == 0 && deltaLines.isEmpty)
        }

        let reader = try PackReader(pack: output.pack, index: output.indexBytes(), algorithm: algorithm)
        for (id, object) in objects { #expect(try reader.get(id) == object) }
    }

    @Test("a large search runs on several threads, calls load one at a time, and packs what one thread packs", arguments: [2, 3])
    func threadedSearch(threads: Int) throws {
        // 300 paths, 20 versions each: every version a small edit of the one before.
        var random = SeededRandom(seed: 7)
        var sources: [PackWriter.Source] = []
        var objects: [RawObject] = []
        for path in 0..<300 {
            var body = random.bytes(200 + random.below(400))
            for _ in 0..<20 {
                body[random.below(body.count)] = UInt8(truncatingIfNeeded: random.next())
                let object = RawObject(kind: .blob, body: body)
                objects.append(object)
                sources.append(PackWriter.Source(id: object.id(.sha1), kind: .blob, size: body.count, nameHint: "dir/file\(path)"))
            }
        }
        final class Calls {
            var active = 0, most = 0, count = 0
        }
        func pack(threads: Int) throws -> (PackWriter.Output, Calls) {
            let calls = Calls()
            let output = try PackWriter.write(sources: sources, algorithm: .sha1, options: .init(threads: threads)) { position in
                calls.active += 1
                calls.most = max(calls.most, calls.active)
                calls.count += 1
                defer { calls.active -= 1 }
                usleep(20)  // long enough for two unlocked calls to overlap
                return objects[position]
            }
            return (output, calls)
        }
        let (single, _) = try pack(threads: 1)
        let (threaded, calls) = try pack(threads: threads)
        #expect(calls.most == 1)
        #expect(calls.count >= objects.count)
        #expect(Set(threaded.entries.map(\.id)) == Set(single.entries.map(\.id)))
        #expect(threaded.deltaCount >= single.deltaCount * 9 / 10, "\(threaded.deltaCount) deltas, one thread \(single.deltaCount)")
        #expect(single.deltaCount > objects.count / 2)

        let directory = TemporaryDirectory("banyan-pack")
        let repository = try PackTestGit.makeBareRepository(.sha1)
        let packPath = directory.appending("threaded.pack")
        try PackTestGit.write(threaded.pack, to: packPath)
        try PackTestGit.run(["index-pack", "-o", directory.appending("git.idx"), packPath], in: repository.path)
        #expect(try PackTestGit.read(directory.appending("git.idx")) == threaded.indexBytes())
        let reader = try PackReader(pack: threaded.pack, index: threaded.indexBytes(), algorithm: .sha1)
        for object in objects { #expect(try reader.get(object.id(.sha1)) == object) }
    }

    @Test("name hints group versions of the same path, making the pack smaller")
    func nameHintsHelp() throws {
        let repository = try PackTestGit.makeHistory(.sha1, commits: 60)
        let objects = try PackTestGit.allObjects(in: repository.path, .sha1)
        let paths = try Self.paths(in: repository.path)
        let plain = try PackWriter.write(items: objects.map { PackWriter.Item($1, id: $0) }, algorithm: .sha1)
        let hinted = try PackWriter.write(items: objects.map { PackWriter.Item($1, id: $0, nameHint: paths[$0]) }, algorithm: .sha1)
        #expect(hinted.pack.count <= plain.pack.count)
    }

    @Test("duplicates are packed once and empty input makes an empty pack", arguments: HashAlgorithm.allCases)
    func duplicatesAndEmpty(_ algorithm: HashAlgorithm) throws {
        let blob = RawObject(kind: .blob, body: Array("same".utf8))
        let output = try PackWriter.write([blob, blob, blob], algorithm: algorithm)
        #expect(output.entries.map(\.id) == [blob.id(algorithm)])
        let empty = try PackWriter.write([], algorithm: algorithm)
        #expect(empty.pack.count == 12 + algorithm.digestLength)
        let repository = try PackTestGit.makeBareRepository(algorithm)
        let directory = TemporaryDirectory("banyan-pack")
        try PackTestGit.write(empty.pack, to: directory.appending("empty.pack"))
        try PackTestGit.run(["index-pack", directory.appending("empty.pack")], in: repository.path)
        #expect(try PackTestGit.read(directory.appending("empty.idx")) == empty.indexBytes())
    }

    @Test("entry headers and OFS distances round-trip through the parser", arguments: [
        0, 1, 15, 16, 127, 128, 2047, 2048, 16_511, 16_512, 1 << 20, (1 << 35) + 3,
    ])
    func entryHeaders(_ value: Int) throws {
        var sized = PackEntryEncoder.packHeader(objectCount: 1)
        PackEntryEncoder.appendEntryHeader(code: ObjectKind.blob.packCode, size: value, to: &sized)
        sized += [UInt8](repeating: 0, count: 8)
        let header = try sized.withUnsafeBytes { try PackEntryHeader.parse($0, at: 12, end: sized.count, algorithm: .sha1) }
        #expect(header.kind == .object(.blob) && header.size == value)

        // An OFS_DELTA entry `distance` bytes after the first entry must point back at it.
        let distance = value % 100_000 + 1
        var delta = PackEntryEncoder.packHeader(objectCount: 2) + [UInt8](repeating: 0, count: distance)
        PackEntryEncoder.appendEntryHeader(code: PackFormat.ofsDeltaCode, size: value, to: &delta)
        PackEntryEncoder.appendOffsetDistance(UInt64(distance), to: &delta)
        delta += [UInt8](repeating: 0, count: 8)
        let parsed = try delta.withUnsafeBytes {
            try PackEntryHeader.parse($0, at: 12 + distance, end: delta.count, algorithm: .sha1)
        }
        #expect(parsed.kind == .ofsDelta(base: 12) && parsed.size == value)
    }

    @Test("the entry encoder refuses inconsistent input")
    func encoderValidation() throws {
        let encoder = try PackEntryEncoder(algorithm: .sha1)
        #expect(throws: BanyanError.self) { try encoder.encode(.ofsDelta(baseOffset: 100, delta: [1]), at: 100) }
        #expect(throws: BanyanError.self) { try encoder.encode(.ofsDelta(baseOffset: 4, delta: [1]), at: 100) }
        #expect(throws: BanyanError.self) { try encoder.encode(.refDelta(base: .zero(.sha256), delta: [1]), at: 100) }
        #expect(throws: BanyanError.self) { try PackEntryEncoder(algorithm: .sha1, compressionLevel: 12) }
        #expect(throws: BanyanError.self) { try PackWriter.write([], algorithm: .sha1, options: .init(window: -1)) }
    }

    @Test("appending entries one by one makes the same pack the writer makes")
    func incrementalAppend() throws {
        let objects = (0..<30).map { RawObject(kind: .blob, body: Array("incremental \($0)\n".utf8)) }
        let output = try PackWriter.write(objects, algorithm: .sha1, options: .init(window: 0))
        let encoder = try PackEntryEncoder(algorithm: .sha1)
        var pack = PackEntryEncoder.packHeader(objectCount: 30)
        var entries: [PackIndex.Entry] = []
        for object in objects {
            let (offset, crc) = try encoder.append(.object(object), to: &pack)
            let encoded = try encoder.encode(.object(object), at: offset)
            #expect(encoded.crc32 == crc && Array(pack[Int(offset)...]) == encoded.bytes)
            entries.append(PackIndex.Entry(id: object.id(.sha1), offset: offset, crc32: crc))
        }
        let checksum = PackEntryEncoder.appendTrailer(to: &pack, algorithm: .sha1)
        #expect(pack == output.pack)
        #expect(entries == output.entries && checksum == output.checksum)
    }

    /// The path of each blob in any commit, from `git rev-list --objects --all`.
    static func paths(in repository: String) throws -> [ObjectID: String] {
        let listing = try PackTestGit.run(["rev-list", "--objects", "--all"], in: repository).text
        var paths: [ObjectID: String] = [:]
        for line in listing.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2, let id = ObjectID(hex: parts[0]) { paths[id] = String(parts[1]) }
        }
        return paths
    }
}
