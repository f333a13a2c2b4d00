#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `packed-refs` file that `git pack-refs` and `git gc` write: one
/// `<hex> <name>` line per ref, optionally followed by a `^<hex>` line giving
/// what an annotated tag peels to, under a `# pack-refs with: …` header.
///
/// A loose ref file overrides a packed entry of the same name. Banyan
/// removes entries when a ref is deleted and gc rewrites the whole file
/// (`FileSystemBackend.packRefs`), both under `packed-refs.lock` as Git does:
/// the lock is held while the new content is renamed into place and while
/// loose files are removed, so a deletion and a gc never interleave.
struct PackedRefs {
    /// One packed ref.
    struct Entry {
        let name: String
        let id: ObjectID
        /// The object an annotated tag peels to, when the file records it.
        let peeled: ObjectID?
    }

    /// The entries in file order.
    private(set) var entries: [Entry] = []
    private var positions: [String: Int] = [:]

    /// The packed refs of the repository at `repository`; empty when it has no `packed-refs`.
    ///
    /// Cost: reads and parses the whole file on every call.
    static func read(repository: String, algorithm: HashAlgorithm) throws -> PackedRefs {
        let file = repository + "/packed-refs"
        guard let bytes = try Posix.readFile(file) else { return PackedRefs() }
        var packed = PackedRefs()
        for (number, line) in bytes.split(separator: newline, omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty || line.first == UInt8(ascii: "#") { continue }
            func malformed(_ problem: String) -> BanyanError {
                BanyanError(.invalidRepository, "\(file) line \(number + 1) is malformed: \(problem)")
            }
            if line.first == UInt8(ascii: "^") {
                guard let last = packed.entries.popLast() else { throw malformed("a peeled line comes before any ref") }
                guard let peeled = ObjectID(hex: String(decoding: line.dropFirst(), as: UTF8.self)),
                      peeled.algorithm == algorithm
                else { throw malformed("not a \(algorithm) object id after '^'") }
                packed.entries.append(Entry(name: last.name, id: last.id, peeled: peeled))
                continue
            }
            let hexLength = algorithm.hexLength
            guard line.count > hexLength + 1, line[line.startIndex + hexLength] == UInt8(ascii: " "),
                  let id = ObjectID(hex: String(decoding: line.prefix(hexLength), as: UTF8.self)),
                  id.algorithm == algorithm
            else { throw malformed("expected '<\(hexLength) hex digits> <ref name>'") }
            let name = String(decoding: line.dropFirst(hexLength + 1), as: UTF8.self)
            packed.positions[name] = packed.entries.count
            packed.entries.append(Entry(name: name, id: id, peeled: nil))
        }
        return packed
    }

    /// The id packed for `name`, if any.
    func id(of name: String) -> ObjectID? {
        positions[name].map { entries[$0].id }
    }

    /// A packed ref whose name is a directory prefix of `name` or has `name` as one.
    func conflictingName(with name: String) -> String? {
        entries.first { RefUpdateRules.namesConflict($0.name, name) }?.name
    }

    /// Holding `packed-refs.lock`: rewrites `packed-refs` without `name` (and
    /// its peeled line) when it is packed, then runs `afterwards` (which
    /// removes the loose file) before the lock is released.
    ///
    /// The caller holds the lock of `name` itself, the order Git takes them in.
    static func remove(_ name: String, repository: String, durable: Bool, timeout: Duration,
                       afterwards: () throws -> Void) throws {
        let file = repository + "/packed-refs"
        try LockFile.withLock(on: file, timeout: timeout) { _ in
            if let bytes = try Posix.readFile(file) {
                var lines = bytes.split(separator: newline, omittingEmptySubsequences: false)
                let suffix = Array(" \(name)".utf8)
                if let index = lines.firstIndex(where: { $0.first != UInt8(ascii: "#") && $0.suffix(suffix.count).elementsEqual(suffix) }) {
                    var end = index + 1
                    while end < lines.count, lines[end].first == UInt8(ascii: "^") { end += 1 }
                    lines.removeSubrange(index..<end)
                    try replace(repository: repository, with: Array(lines.joined(separator: [newline])), durable: durable)
                }
            }
            try afterwards()
        }
    }

    /// Replaces `packed-refs` with `bytes` through `packed-refs.new` and a
    /// rename, as Git does while it holds `packed-refs.lock` (the caller holds it).
    static func replace(repository: String, with bytes: [UInt8], durable: Bool) throws {
        let file = repository + "/packed-refs"
        let temporary = file + ".new"
        // Left by a crash, perhaps: it is ours to replace while we hold the lock.
        try Posix.removeFile(temporary)
        let fd = FileIO.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw Posix.ioError("create", temporary) }
        do {
            defer { close(fd) }
            try Posix.writeAll(fd, bytes, path: temporary)
            if durable { try Posix.flush(fd, path: temporary) }
            try Posix.rename(temporary, to: file)
        } catch {
            FileIO.unlink(temporary)
            throw error
        }
        if durable { try Posix.fsyncDirectory(repository) }
    }
}

private let newline = UInt8(ascii: "\n")
