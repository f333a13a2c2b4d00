@testable import Banyan
import BanyanCore
import BanyanSync
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
        "pktline": pktLine,
        "upload-pack": uploadPack,
        "receive-pack": receivePack,
        "refs": refs,
        "config": config,
        "gitattributes": gitAttributes,
        "names": names,
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
}
