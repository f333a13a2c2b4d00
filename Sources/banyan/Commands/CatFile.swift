import ArgumentParser
import Banyan
import Foundation

struct CatFile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat-file",
        abstract: "Show an object's type, size or content, like git cat-file.",
        discussion: """
            --batch and --batch-check read one object name (any revision) per line from \
            standard input; --batch-command reads 'contents NAME', 'info NAME' and (with --buffer) \
            'flush' lines. Their output is byte-identical to git's, including '<name> missing' \
            lines. Each answer is written out before banyan waits for more input, so a program \
            can keep cat-file open and ask one question at a time; with --buffer, output is \
            written when the buffer fills, at 'flush' and at the end.
            """)

    @Flag(name: .customShort("t"), help: "Print the object's type.") var type = false
    @Flag(name: .customShort("s"), help: "Print the object's size.") var size = false
    @Flag(name: .customShort("p"), help: "Pretty-print the object's content.") var pretty = false
    @Flag(help: "Print '<id> <type> <size>' and the content for each name on stdin.") var batch = false
    @Flag(help: "Print '<id> <type> <size>' for each name on stdin.") var batchCheck = false
    @Flag(help: "Read 'contents NAME', 'info NAME' and 'flush' commands from stdin.") var batchCommand = false
    @Flag(help: "Batch modes: hold output until the buffer fills, 'flush' or the end of input.") var buffer = false
    @Argument(help: "The object (any revision).") var object: String?
    @OptionGroup var repository: RepositoryOptions

    func validate() throws {
        let modes = [type, size, pretty, batch, batchCheck, batchCommand].filter { $0 }.count
        guard modes == 1 else {
            throw ValidationError("give exactly one of -t, -s, -p, --batch, --batch-check, --batch-command")
        }
        let batchMode = batch || batchCheck || batchCommand
        if batchMode != (object == nil) {
            throw ValidationError(object == nil ? "name the object to show" : "--batch modes read names from stdin, not arguments")
        }
        if buffer && !batchMode { throw ValidationError("--buffer is for the --batch modes") }
    }

    func run() throws {
        let repo = try repository.open()
        if batch || batchCheck || batchCommand {
            var session = BatchSession(repo: repo, buffered: buffer)
            try batchCommand ? session.runCommands() : session.runNames(withContent: batch)
            return
        }
        let id = try repo.resolve(object ?? "")
        if pretty { return Output.write(try Self.prettyPrinted(try repo.objects.get(id), in: repo)) }
        guard let (kind, bytes) = try repo.objectInfo(id) else {
            throw BanyanError(.objectNotFound, "object \(id) is not in the store")
        }
        Output.line(type ? kind.rawValue : String(bytes))
    }

    /// Git's -p: trees as `mode type id<TAB>name` lines, everything else raw.
    static func prettyPrinted(_ raw: RawObject, in repo: Repository) throws -> [UInt8] {
        guard raw.kind == .tree else { return raw.body }
        var out: [UInt8] = []
        for entry in try Tree(decoding: raw.body, algorithm: repo.hashAlgorithm).entries {
            let mode = String(repeating: "0", count: max(0, 6 - entry.mode.octal.count)) + entry.mode.octal
            out.append(contentsOf: "\(mode) \(entry.mode.objectKind.rawValue) \(entry.id.hex)\t".utf8)
            out.append(contentsOf: entry.name)
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }
}

/// One run of a `cat-file` batch mode: answers in git's format, written
/// before each wait for input (or, `buffered`, when 64 KiB are held, at
/// `flush` and at the end).
private struct BatchSession {
    let repo: Repository
    let buffered: Bool
    private let info: (ObjectID) throws -> (kind: ObjectKind, size: Int)?
    private var out: [UInt8] = []
    private var lines = BatchLines()

    init(repo: Repository, buffered: Bool) {
        self.repo = repo
        self.buffered = buffered
        info = repo.objectInfoReader()
        out.reserveCapacity(1 << 16)
    }

    /// `--batch` / `--batch-check`: each line names an object.
    mutating func runNames(withContent: Bool) throws {
        let hexLength = repo.hashAlgorithm.hexLength
        while let line = try nextLine() {
            // A full hex id is that object whatever refs exist (as in `resolve`
            // and git): read straight from the bytes, no string work a line.
            if line.count == hexLength, let id = ObjectID(hexDigits: line) {
                answer(id, named: line, withContent: withContent)
            } else {
                answer(String(decoding: line, as: UTF8.self), withContent: withContent)
            }
        }
        flush()
    }

    /// `--batch-command`: `contents NAME`, `info NAME`, `flush`. As git, an
    /// empty or unknown command, or `flush` without `--buffer`, ends the
    /// run with an error (after what was answered before it).
    mutating func runCommands() throws {
        defer { flush() }
        while let line = try nextLine() {
            let text = String(decoding: line, as: UTF8.self)
            guard !text.isEmpty else { throw BanyanError(.invalidArgument, "empty command in input") }
            let space = text.firstIndex(of: " ")
            let command = space.map { String(text[..<$0]) } ?? text
            let argument = space.map { String(text[text.index(after: $0)...]) }
            switch (command, argument) {
            case ("contents", let name?): answer(name, withContent: true)
            case ("info", let name?): answer(name, withContent: false)
            case ("flush", nil):
                guard buffered else { throw BanyanError(.invalidArgument, "flush is only for --buffer mode") }
                flush()
            case ("contents", nil), ("info", nil):
                throw BanyanError(.invalidArgument, "\(command) requires arguments")
            case ("flush", _?):
                throw BanyanError(.invalidArgument, "flush takes no arguments")
            default:
                throw BanyanError(.invalidArgument, "unknown command: '\(text)'")
            }
        }
    }

    private mutating func nextLine() throws -> ArraySlice<UInt8>? {
        let buffered = buffered
        var pending = out
        out = []
        defer { out = pending }
        return try lines.next { if !buffered { Self.write(&pending) } }
    }

    private mutating func answer(_ name: String, withContent: Bool) {
        let id: ObjectID
        do {
            id = try repo.resolve(name)
        } catch let error as BanyanError where error.code == .ambiguousRevision {
            out.append(contentsOf: "\(name) ambiguous\n".utf8)
            return
        } catch {
            out.append(contentsOf: "\(name) missing\n".utf8)
            return
        }
        answer(id, named: name.utf8, withContent: withContent)
    }

    /// `<id> <type> <size>` (and the content), or `<name> missing`. Without
    /// the content, as git, only the object's entry headers are read.
    private mutating func answer(_ id: ObjectID, named name: some Collection<UInt8>, withContent: Bool) {
        let raw = withContent ? try? repo.objects.find(id) : nil
        let header = withContent ? raw.map { ($0.kind, $0.body.count) } : try? info(id)
        guard let (kind, size) = header else {
            out.append(contentsOf: name)
            out.append(contentsOf: " missing\n".utf8)
            return
        }
        id.appendHex(to: &out)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: kind.rawValue.utf8)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: String(size).utf8)
        out.append(UInt8(ascii: "\n"))
        if let raw {
            out.append(contentsOf: raw.body)
            out.append(UInt8(ascii: "\n"))
        }
        if out.count >= 1 << 16 { flush() }
    }

    private mutating func flush() {
        Self.write(&out)
    }

    private static func write(_ bytes: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        Output.write(bytes)
        Output.flush()
        bytes.removeAll(keepingCapacity: true)
    }
}
