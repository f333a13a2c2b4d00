@testable import Banyan
import BanyanCore
@testable import BanyanSync
import Crypto
import Foundation

/// One function per decoder that reads outside input. Each must return
/// normally or throw `BanyanError`; anything else (a trap, an ASan report,
/// a broken round-trip invariant) is a finding.
enum FuzzTargets {

    static let all: [String: @Sendable ([UInt8]) -> Void] = [
        "loose": loose,
        "tree": { objectRoundTrip($0, kind: .tree) },
        "commit": { objectRoundTrip($0, kind: .commit) },
        "tag": { objectRoundTrip($0, kind: .tag) },
        "pack": pack,
        "delta": delta,
        "idx": idx,
        "bitmap": bitmap,
        "pktline": pktLine,
        "upload-pack": uploadPack,
        "receive-pack": receivePack,
        "refs": refs,
        "config": config,
        "gitattributes": gitAttributes,
        "names": names,
        "advertisement": advertisement,
        "fetch-response": fetchResponse,
        "report-status": reportStatus,
        "bundle": bundle,
        "reflog": reflog,
        "json-merge": jsonMerge,
        "sse": serverSentEvents,
        "encrypted": encrypted,
    ]

    /// The first byte picks the hash function, so one corpus covers both.
    static func split(_ data: [UInt8]) -> (HashAlgorithm, [UInt8]) {
        guard let first = data.first else { return (.sha1, []) }
        return (first & 1 == 0 ? .sha1 : .sha256, Array(data.dropFirst()))
    }

    /// A decoded object must encode back to the same bytes, and pass or
    /// fail Git's fsck rules without trapping.
    static func objectRoundTrip(_ data: [UInt8], kind: ObjectKind) {
        let (algorithm, body) = split(data)
        let raw = RawObject(kind: kind, body: body)
        _ = try? FsckRules.check(raw, id: raw.id(algorithm), algorithm: algorithm)
        let encoded: [UInt8]?
        switch kind {
        case .tree: encoded = (try? Tree(decoding: body, algorithm: algorithm))?.encoded()
        case .commit: encoded = (try? Commit(decoding: body, algorithm: algorithm))?.encoded()
        case .tag: encoded = (try? Tag(decoding: body, algorithm: algorithm))?.encoded()
        case .blob: encoded = nil
        }
        if let encoded, encoded != body { fatalError("\(kind) does not re-encode to the bytes it was decoded from") }
        if kind == .tree { treeScan(body, algorithm: algorithm, id: raw.id(algorithm)) }
    }

    /// The walks' in-place scan reads every tree the decoder reads, entry
    /// for entry; the encoded tree the write path edits indexes it too.
    static func treeScan(_ body: [UInt8], algorithm: HashAlgorithm, id: ObjectID) {
        var scanned: [ObjectID] = []
        let scans = (try? TreeEntryScan.forEach(body, of: id, algorithm: algorithm) { scanned.append($0.id) }) != nil
        let encoded = try? EncodedTree(body: body, algorithm: algorithm)
        guard let tree = try? Tree(decoding: body, algorithm: algorithm) else { return }
        if !scans || scanned != tree.entries.map(\.id) { fatalError("the tree scan does not read a tree the decoder reads") }
        if encoded?.count != tree.entries.count { fatalError("the encoded tree does not index a tree the decoder reads") }
    }

    static func loose(_ data: [UInt8]) {
        // Both forms a loose file may be read in: deflated, and already inflated.
        if let inflated = try? Zlib.inflate(data, limit: 1 << 20) { _ = try? RawObject(looseEncoding: inflated) }
        _ = try? RawObject(looseEncoding: data)
    }

    /// Indexes the pack (delta resolution included), then reads every object
    /// back through `PackReader` and checks its hash.
    static func pack(_ data: [UInt8]) {
        let (algorithm, bytes) = split(data)
        guard let indexed = try? PackIndexer.index(pack: bytes, algorithm: algorithm, maxObjectSize: 1 << 20),
              let index = try? indexed.indexBytes(),
              let reader = try? PackReader(pack: bytes, index: index, algorithm: algorithm)
        else { return }
        for entry in indexed.entries {
            guard let object = try? reader.get(entry.id) else { fatalError("indexed object \(entry.id) does not read back") }
            if object.id(algorithm) != entry.id { fatalError("object read back as \(object.id(algorithm)), indexed as \(entry.id)") }
        }
    }

    /// Two bytes give the base's length; the rest is base then delta.
    static func delta(_ data: [UInt8]) {
        guard data.count >= 2 else { return }
        let baseLength = min(Int(data[0]) << 8 | Int(data[1]), data.count - 2)
        let base = Array(data[2..<(2 + baseLength)])
        let instructions = Array(data[(2 + baseLength)...])
        if let result = try? Delta.apply(base: base, delta: instructions, limit: 1 << 20),
           let header = try? instructions.withUnsafeBytes({ try Delta.header(of: $0) }),
           header.resultSize != result.count {
            fatalError("delta result has \(result.count) bytes, its header says \(header.resultSize)")
        }
    }

    /// EWAH alone (two bytes give the bit count): what decodes re-encodes to
    /// the same set. Then a `.bitmap` of a fixed pack of 64 commits and
    /// blobs: a header made here (the first byte gives the flags, the second
    /// the entry count, then the fixed pack's checksum), the rest of the
    /// input as the body, and a trailer left unchecked, so the fuzzer spends
    /// its time in the type bitmaps and entries, not on the magic or a checksum.
    static func bitmap(_ data: [UInt8]) {
        if data.count >= 2 {
            let count = Int(data[0]) << 8 | Int(data[1])
            if let set = try? data.withUnsafeBytes({ try EWAH.decode($0, at: 2, end: $0.count, count: count).set }) {
                var encoded: [UInt8] = []
                EWAH.encode(set, into: &encoded)
                let again = try? encoded.withUnsafeBytes { try EWAH.decode($0, at: 0, end: $0.count, count: count).set }
                if again != set { fatalError("an EWAH bitmap does not decode to the set it was encoded from") }
            }
        }
        guard data.count >= 2 else { return }
        var bytes = Array("BITM".utf8) + [0, 1, 0, data[0] & 0x15, 0, 0, 0, data[1]]
        bytes += bitmapPack.packChecksum.bytes + data.dropFirst(2) + [UInt8](repeating: 0, count: 20)
        guard let bitmaps = try? PackBitmapIndex(ByteStorage(bytes), index: bitmapPack, verifyChecksum: false) else { return }
        for commit in bitmaps.commitIDs.prefix(16) {
            guard let reached = try? bitmaps.reachable(from: commit) else { continue }
            if reached.count != bitmapPack.count { fatalError("a bitmap spans \(reached.count) bits for \(bitmapPack.count) objects") }
        }
    }

    /// The index of a pack of 32 commits and 32 blobs, for the `bitmap` target.
    private static let bitmapPack: PackIndex = {
        let objects = (0..<64).map { number in
            number % 2 == 0
                ? RawObject(kind: .blob, body: Array("blob \(number)\n".utf8))
                : RawObject(kind: .commit, body: Array("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@b> 0 +0000\ncommitter A <a@b> 0 +0000\n\n\(number)\n".utf8))
        }
        let written = try! PackWriter.write(objects, algorithm: .sha1)
        return try! PackIndex(bytes: try! PackIndexer.index(pack: written.pack, algorithm: .sha1).indexBytes(), algorithm: .sha1)
    }()

    static func idx(_ data: [UInt8]) {
        let (algorithm, bytes) = split(data)
        guard let index = try? PackIndex(bytes: bytes, algorithm: algorithm, verifyChecksum: false) else { return }
        for position in 0..<min(index.count, 64) {
            let entry = index.entry(at: position)
            _ = index.position(of: entry.id)
            _ = index.ids(withHexPrefix: String(entry.id.hex.prefix(4)))
        }
    }

    static func pktLine(_ data: [UInt8]) {
        var reader = PktLineReader(data)
        while (try? reader.next()).flatMap({ $0 }) != nil {}
        var bands = PktLineReader(data)
        _ = try? SideBand.demultiplex(&bands)
        // The packets the streaming scan finds complete, the strict reader reads (it alone bounds their length).
        let scanned = PktLineScan.find(in: data[...]) { _, _ in false }.complete
        var complete = PktLineReader(Array(data[..<scanned]))
        do {
            while try complete.next() != nil {}
        } catch let error as BanyanError where error.code == .limitExceeded {
        } catch {
            fatalError("the pkt-line scan passed a packet the reader rejects: \(error)")
        }
    }

    /// A repository with two commits on `main`, shared by the upload-pack runs (they only read).
    static let servedRepository: Repository = {
        let repository = try! Repository.inMemory()
        for round in 0..<2 {
            try! repository.branch("main").transaction(message: "round \(round)") { transaction in
                transaction.set(try Key("a/b"), Data("value \(round)\n".utf8))
            }
        }
        return repository
    }()

    /// Protocol v2 (`command=ls-refs`, `command=fetch`) requests, or v0
    /// ones when the first byte is odd.
    static func uploadPack(_ data: [UInt8]) {
        let version2 = (data.first ?? 0) & 1 == 0
        let service = GitService(repository: servedRepository)
        _ = try? service.uploadPack(body: Array(data.dropFirst()), gitProtocol: version2 ? "version=2" : nil)
    }

    /// Ref commands then a pack, into a fresh repository each time.
    static func receivePack(_ data: [UInt8]) {
        guard let repository = try? Repository.inMemory() else { return }
        _ = try? GitService(repository: repository).receivePack(body: data)
        if let problems = try? repository.fsck(), !problems.isEmpty {
            fatalError("receive-pack left an inconsistent repository: \(problems)")
        }
    }

    /// A repository on disk whose `packed-refs` and one loose ref file take the input.
    static let refsDirectory: String = {
        let path = NSTemporaryDirectory() + "banyan-fuzz-refs-\(getpid())"
        _ = try! Repository.create(at: path)
        atexit { try? FileManager.default.removeItem(atPath: FuzzTargets.refsDirectory) }
        return path
    }()

    /// Everything before the first NUL is `packed-refs`, the rest `refs/heads/fuzz`.
    static func refs(_ data: [UInt8]) {
        let nul = data.firstIndex(of: 0) ?? data.count
        let packed = Data(data[..<nul]), loose = Data(data[min(nul + 1, data.count)...])
        try! packed.write(to: URL(fileURLWithPath: refsDirectory + "/packed-refs"))
        try! loose.write(to: URL(fileURLWithPath: refsDirectory + "/refs/heads/fuzz"))
        guard let repository = try? Repository.open(at: refsDirectory) else { return }
        _ = try? repository.refs.find("refs/heads/fuzz")
        _ = try? repository.refs.list(prefix: "refs/")
        _ = try? repository.refs.resolve("HEAD")
    }

    static func config(_ data: [UInt8]) {
        guard let config = try? GitConfig(parsing: String(decoding: data, as: UTF8.self)) else { return }
        for section in config.sections.prefix(8) {
            for entry in section.entries.prefix(8) {
                _ = try? config.bool(forKey: "\(section.name).\(entry.key)")
                _ = try? config.integer(forKey: "\(section.name).\(entry.key)")
            }
        }
    }

    /// Everything up to the first newline is a path to ask about; the rest is the file.
    static func gitAttributes(_ data: [UInt8]) {
        let newline = data.firstIndex(of: 10) ?? data.count
        let path = String(decoding: data[..<newline], as: UTF8.self)
        let attributes = GitAttributes(bytes: Array(data[min(newline + 1, data.count)...]))
        _ = attributes.state(of: "merge", for: path)
        if let key = try? Key(path) { _ = attributes.mergeState(for: key) }
    }

    /// Ref names and keys: validation never traps, and a key that parses
    /// prints back as the same path.
    static func names(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        if RefName.isValid(text) { _ = try? RefName.branch(String(text.dropFirst("refs/heads/".count))) }
        if let key = try? Key(text), key.path != text { fatalError("key '\(text)' prints as '\(key.path)'") }
        _ = try? Key(prefix: text)
    }

    // MARK: The client's side of the protocol

    /// A client whose transport is never used: the targets call its parsers.
    static let client: GitClient = {
        struct Unused: Transport {
            func advertisement(service: GitService.Service, version2: Bool) async throws -> [UInt8] { [] }
            func exchange(service: GitService.Service, body: [UInt8], version2: Bool) async throws -> [UInt8] { [] }
        }
        return GitClient(transport: Unused(), repository: servedRepository)
    }()

    /// What a remote answers first: a v0 ref advertisement (upload-pack or
    /// receive-pack), or, parsed the same bytes, a v2 `ls-refs` answer.
    static func advertisement(_ data: [UInt8]) {
        _ = try? client.parseV0Advertisement(data)
        _ = try? client.parseRefList(data)
    }

    /// A v2 fetch response as it arrives from the network, in pieces whose
    /// size the first byte sets: sections, side-band packets of the
    /// packfile section into a spool, then the sections parsed and the pack
    /// indexed. Fed whole, the same bytes must give the same pack.
    static func fetchResponse(_ data: [UInt8]) {
        guard let first = data.first else { return }
        let bytes = Array(data.dropFirst())
        let piece = Int(first) + 1
        func receive(_ pieces: Int) -> (head: [UInt8], pack: [UInt8])? {
            guard let spool = try? PackSpool(for: servedRepository) else { return nil }
            let stream = FetchResponseStream(pack: spool, progress: { _ in })
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + pieces, bytes.count)
                guard (try? bytes[offset..<end].withUnsafeBytes({ try stream.append($0) })) != nil else { return nil }
                offset = end
            }
            guard let head = try? stream.finish(), let pack = try? spool.bytes() else { return nil }
            return (head, pack.withUnsafeBytes { Array($0) })
        }
        guard let pieces = receive(piece) else { return }
        _ = try? client.parseFetchResponse(pieces.head)
        _ = try? PackIndexer.index(pack: pieces.pack, algorithm: .sha1, maxObjectSize: 1 << 20)
        guard let whole = receive(max(bytes.count, 1)) else { fatalError("the response read in pieces but not whole") }
        if whole.head != pieces.head || whole.pack != pieces.pack {
            fatalError("the response reads differently in pieces of \(piece) bytes and whole")
        }
    }

    /// A push's `report-status` answer, with side-band when the first byte is odd.
    static func reportStatus(_ data: [UInt8]) {
        var report = Array(data.dropFirst())
        if (data.first ?? 0) & 1 == 1 {
            var reader = PktLineReader(report)
            guard let demultiplexed = try? SideBand.demultiplex(&reader) else { return }
            report = demultiplexed
        }
        guard let statuses = try? GitClient.parseReportStatus(report, names: ["refs/heads/main", "refs/tags/v1"]) else { return }
        if statuses["refs/heads/main"] == nil || statuses["refs/tags/v1"] == nil {
            fatalError("a pushed ref has no status")
        }
    }

    /// A bundle file: its header (v2 or v3, prerequisites, refs,
    /// capabilities), then the pack after it indexed.
    static func bundle(_ data: [UInt8]) {
        guard let (header, offset) = try? data.withUnsafeBytes({ try BundleHeader.parse($0) }) else { return }
        guard offset <= data.count else { fatalError("the pack starts at \(offset), past the bundle's \(data.count) bytes") }
        if let reparsed = try? header.encoded().withUnsafeBytes({ try BundleHeader.parse($0) }),
           reparsed.header.refs.map(\.name) != header.refs.map(\.name) {
            fatalError("a bundle header does not read back as written")
        }
        _ = try? PackIndexer.index(pack: Array(data[offset...]), algorithm: header.algorithm, maxObjectSize: 1 << 20)
    }

    /// A reflog file: every entry read writes back as a line that reads
    /// back as the same entry.
    static func reflog(_ data: [UInt8]) {
        let (algorithm, bytes) = split(data)
        for entry in Reflog.entries(in: bytes, algorithm: algorithm) {
            let again = Reflog.entries(in: Array(Reflog.line(for: entry).utf8), algorithm: algorithm)
            guard again.count == 1, again[0].old == entry.old, again[0].new == entry.new, again[0].message == entry.message else {
                fatalError("reflog entry \(entry) does not read back from its own line")
            }
        }
    }

    /// A change stream (`text/event-stream`) read whole and in pieces cut
    /// where the first byte says: the same events either way, as the
    /// network may cut a stream anywhere.
    /// What an encrypted remote hands back: an odd first byte decodes the
    /// rest as a manifest; an even one opens it as an envelope (which must
    /// fail cleanly, not being sealed with the key) and checks that sealing
    /// then opening gives the bytes back.
    static func encrypted(_ data: [UInt8]) {
        guard let mode = data.first else { return }
        let body = Array(data.dropFirst())
        if mode & 1 == 1 {
            _ = try? EncryptedManifest.decode(body, algorithm: .sha1)
            return
        }
        let key = SymmetricKey(data: [UInt8](repeating: 7, count: 32))
        _ = try? Envelope.open(body, name: "manifest", key: key)
        guard let sealed = try? Envelope.seal(body, name: "manifest", key: key),
              (try? Envelope.open(sealed, name: "manifest", key: key)) == body else {
            fatalError("an envelope does not open to what was sealed in it")
        }
        if (try? Envelope.open(sealed, name: "bundles/x", key: key)) != nil {
            fatalError("an envelope opened under another name")
        }
    }

    static func serverSentEvents(_ data: [UInt8]) {
        guard let cut = data.first else { return }
        let body = Array(data.dropFirst())
        var whole = ServerSentEvents()
        let expected = whole.feed(body)
        var pieces = ServerSentEvents()
        let step = Int(cut % 7) + 1
        var events: [ServerSentEvents.Event] = []
        for start in stride(from: 0, to: body.count, by: step) {
            events += pieces.feed(body[start..<min(start + step, body.count)])
        }
        guard events == expected else {
            fatalError("a change stream cut into pieces of \(step) bytes reads as other events")
        }
    }

    /// Three values split by NUL (base, ours, theirs) merged by the `json`
    /// strategy: what it merges parses as JSON, and a side merged with
    /// itself (no change on either side) never conflicts.
    static func jsonMerge(_ data: [UInt8]) {
        let parts = data.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false).map(Array.init)
        guard parts.count == 3, let key = try? Key("fuzz.json") else { return }
        let context = MergeContext(key: key, ours: MergeSide(label: "ours"), theirs: MergeSide(label: "theirs"))
        let strategy = JSONMergeStrategy()
        if case .merged(let bytes)? = try? strategy.merge(base: parts[0], ours: parts[1], theirs: parts[2], context: context),
           (try? JSONValue(parsing: bytes)) == nil {
            fatalError("the json strategy merged into bytes that are not JSON")
        }
        if (try? JSONValue(parsing: parts[1])) != nil,
           case .conflict? = try? strategy.merge(base: parts[1], ours: parts[1], theirs: parts[1], context: context) {
            fatalError("a JSON value merged with itself conflicts")
        }
    }
}
