import Foundation

extension Repository {
    /// Reads a `git fast-import` stream and writes the objects and refs it
    /// describes: the same objects, with the same ids, as `git fast-import`
    /// writes from the same stream.
    ///
    /// Supported: `blob`, `commit` (`mark`, `original-oid`, `author`,
    /// `committer`, `encoding`, exact and delimited `data`, `from`/`merge`
    /// by branch, mark, hex id or revision; `M` with modes 644, 755,
    /// 100644, 100755, 120000, 160000, 040000 and marks, ids or inline data;
    /// `D`, `C`, `R`, `deleteall`), `tag`, `reset`, `checkpoint`,
    /// `progress`, `done`, `feature` (`date-format=raw|raw-permissive`,
    /// `import-marks`, `import-marks-if-exists`, `export-marks`, `force`,
    /// `done`) and `option`. Notes (`N`), `ls`, `cat-blob`, `get-mark`,
    /// `alias` and the dates `rfc2822` and `now` are refused with
    /// `unsupported`.
    ///
    /// Objects go through the backend's batch write path as the stream is
    /// read. Refs move at each `checkpoint` and at the end, by
    /// compare-and-swap with a reflog entry `fast-import`: branches only
    /// forward unless `options.force` (others are listed in `skipped`, as
    /// git warns), tags always.
    ///
    /// Throws `invalidArgument` naming the line for a malformed stream, and
    /// `unsupported` for a command Banyan does not implement; then no ref
    /// moves (beyond earlier checkpoints) and the objects written stay
    /// unreachable, as with git. Not thread-safe with itself: one stream at a time.
    @discardableResult
    public func fastImport(from source: FastImportSource, options: FastImportOptions = .init()) throws -> FastImportResult {
        try FastImporter(repository: self, options: options, reader: StreamReader(source: source)).run()
    }
}

/// Runs one fast-import stream: git's command loop, state per branch, marks.
final class FastImporter {
    private struct Marked {
        var id: ObjectID
        var kind: ObjectKind
    }

    private struct BranchState {
        var tip: ObjectID?
        var tree: ImportTree = .empty
        var delete = false
    }

    private typealias Failure = FastImportParser.Failure

    private let repository: Repository
    private var options: FastImportOptions
    private let reader: StreamReader
    private let algorithm: HashAlgorithm

    private var line: [UInt8] = []
    private var commandLine = 0
    private var unread = false
    private var atEnd = false
    private var started = false
    private var requireDone = false

    private var marks: [UInt64: Marked] = [:]
    private var branches: [String: BranchState] = [:]
    private var tags: [String: ObjectID] = [:]
    private var tagOrder: [String] = []
    private var commitTrees: [ObjectID: ObjectID] = [:]
    private var batch: ObjectBatch
    private var batchBytes = 0
    private var result = FastImportResult()

    private static let batchLimit = 16 << 20

    init(repository: Repository, options: FastImportOptions, reader: StreamReader) {
        self.repository = repository
        self.options = options
        self.reader = reader
        self.algorithm = repository.hashAlgorithm
        self.batch = ObjectBatch(algorithm: repository.hashAlgorithm)
    }

    func run() throws -> FastImportResult {
        do {
            try commands()
        } catch let failure as Failure {
            throw BanyanError(.invalidArgument, "fast-import stream, line \(commandLine): \(failure.message)")
        }
        return result
    }

    // MARK: The command loop

    private func commands() throws {
        var sawDone = false
        while try next() {
            if line == Array("blob".utf8) {
                try blob()
            } else if let name = after("commit ") {
                try commit(try refName(name, kind: "branch"))
            } else if let name = after("tag ") {
                try tag(String(decoding: name, as: UTF8.self))
            } else if let name = after("reset ") {
                try reset(try refName(name, kind: "branch"))
            } else if line == Array("checkpoint".utf8) {
                try reader.skipOptionalLF()
                try checkpoint()
            } else if line == Array("done".utf8) {
                sawDone = true
                break
            } else if let text = after("progress ") {
                options.progress?(FastImportParser.show(text))
                try reader.skipOptionalLF()
            } else if let feature = after("feature ") {
                try self.feature(FastImportParser.show(feature))
            } else if let option = after("option git ") {
                try self.option(FastImportParser.show(option))
            } else if after("option ") != nil {
                continue  // options for other importers are ignored, as git does
            } else if let command = ["ls ", "cat-blob ", "get-mark "].first(where: { after($0) != nil }) ?? (line == Array("alias".utf8) ? "alias" : nil) {
                throw BanyanError(.unsupported, "fast-import stream, line \(commandLine): banyan fast-import does not implement '\(command.trimmingCharacters(in: .whitespaces))'")
            } else {
                throw Failure(line.isEmpty ? "unsupported command: an empty line" : "unsupported command: \(show(line))")
            }
        }
        try start()
        if requireDone && !sawDone { throw Failure("stream ends early: 'feature done' was given but no 'done' command came") }
        try checkpoint()
    }

    /// Reads the next command line, skipping comments; false at the end.
    private func next() throws -> Bool {
        if unread {
            unread = false
            return true
        }
        while true {
            guard let read = try reader.readLine() else {
                line = []
                atEnd = true
                return false
            }
            line = read
            commandLine = reader.lineNumber
            if !started, after("feature ") == nil, after("option ") == nil { try start() }
            if line.first == UInt8(ascii: "#") { continue }
            return true
        }
    }

    /// Loads marks before the first data command, once the stream's
    /// features are known.
    private func start() throws {
        guard !started else { return }
        started = true
        if let path = options.importMarks {
            try importMarks(from: path, required: true)
        } else if let path = options.importMarksIfExists {
            try importMarks(from: path, required: false)
        }
    }

    private func after(_ prefix: String) -> ArraySlice<UInt8>? {
        FastImportParser.after(prefix, in: line)
    }

    private func show(_ bytes: some Collection<UInt8>) -> String { FastImportParser.show(bytes) }

    private func refName(_ text: ArraySlice<UInt8>, kind: String) throws -> String {
        let name = show(text)
        guard name.hasPrefix("refs/"), RefName.isValid(name) else {
            throw Failure("\(kind) name doesn't conform to Git standards (a full name under refs/): \(name)")
        }
        return name
    }

    // MARK: Commands

    private func blob() throws {
        _ = try next()
        let mark = try parseMark()
        try skipOriginalOID()
        let id = try stage(RawObject(kind: .blob, body: try data()))
        if let mark { marks[mark] = Marked(id: id, kind: .blob) }
    }

    private func commit(_ name: String) throws {
        var branch = branches[name] ?? BranchState()
        _ = try next()
        let mark = try parseMark()
        try skipOriginalOID()
        var author: [UInt8]?
        if let text = after("author ") {
            author = try FastImportParser.ident(text, permissive: options.permissiveDates)
            _ = try next()
        }
        guard let committerText = after("committer ") else { throw Failure("expected committer but didn't get one") }
        let committer = try FastImportParser.ident(committerText, permissive: options.permissiveDates)
        _ = try next()
        var encoding: ArraySlice<UInt8>?
        if let text = after("encoding ") {
            encoding = text
            _ = try next()
        }
        let message = try data()
        _ = try next()
        if let from = after("from ") {
            try applyFrom(show(from), to: &branch, named: name)
            _ = try next()
        }
        var merges: [ObjectID] = []
        while let merge = after("merge ") {
            merges.append(try mergeParent(show(merge)))
            _ = try next()
        }
        while !line.isEmpty {
            if let change = after("M ") {
                try modify(change, in: &branch)
            } else if let path = after("D ") {
                try delete(path, in: &branch)
            } else if let paths = after("R ") {
                try copy(paths, in: &branch, rename: true)
            } else if let paths = after("C ") {
                try copy(paths, in: &branch, rename: false)
            } else if line == Array("deleteall".utf8) {
                branch.tree = .empty
            } else if after("N ") != nil {
                throw BanyanError(.unsupported, "fast-import stream, line \(commandLine): banyan fast-import does not implement notes ('N')")
            } else if after("ls ") != nil || after("cat-blob ") != nil {
                throw BanyanError(.unsupported, "fast-import stream, line \(commandLine): banyan fast-import does not implement '\(show(line.prefix { $0 != UInt8(ascii: " ") }))'")
            } else {
                unread = true
                break
            }
            if try !next() { break }
        }
        var counts = result.objectCounts
        let tree = branch.tree.store(into: &batch, counts: &counts, bytes: &batchBytes)
        result.objectCounts = counts
        var body = Array("tree \(tree.hex)\n".utf8)
        for parent in (branch.tip.map { [$0] } ?? []) + merges {
            body += Array("parent \(parent.hex)\n".utf8)
        }
        body += Array("author ".utf8) + (author ?? committer) + [0x0a]
        body += Array("committer ".utf8) + committer + [0x0a]
        if let encoding { body += Array("encoding ".utf8) + encoding + [0x0a] }
        body.append(0x0a)
        body += message
        let id = try stage(RawObject(kind: .commit, body: body))
        commitTrees[id] = tree
        branch.tip = id
        branches[name] = branch
        if let mark { marks[mark] = Marked(id: id, kind: .commit) }
    }

    private func tag(_ name: String) throws {
        let ref = "refs/tags/" + name
        guard RefName.isValid(ref) else { throw Failure("tag name doesn't conform to Git standards: \(name)") }
        _ = try next()
        let mark = try parseMark()
        guard let fromText = after("from ") else { throw Failure("expected 'from' command, got '\(show(line))'") }
        let from = show(fromText)
        let target: Marked
        if let branch = branches[from] {
            guard let tip = branch.tip else { throw Failure("can't tag an empty branch: \(from)") }
            target = Marked(id: tip, kind: .commit)
        } else if from.hasPrefix(":") {
            target = try markedObject(from)
        } else {
            let id = try resolve(from)
            guard let kind = try findObject(id)?.kind else { throw Failure("not a valid object: \(from)") }
            target = Marked(id: id, kind: kind)
        }
        _ = try next()
        try skipOriginalOID()
        var tagger: [UInt8]?
        if let text = after("tagger ") {
            tagger = try FastImportParser.ident(text, permissive: options.permissiveDates)
            _ = try next()
        }
        let message = try data()
        var body = Array("object \(target.id.hex)\ntype \(target.kind.rawValue)\ntag \(name)\n".utf8)
        if let tagger { body += Array("tagger ".utf8) + tagger + [0x0a] }
        body.append(0x0a)
        body += message
        let id = try stage(RawObject(kind: .tag, body: body))
        if tags[name] == nil { tagOrder.append(name) }
        tags[name] = id
        if let mark { marks[mark] = Marked(id: id, kind: .tag) }
    }

    private func reset(_ name: String) throws {
        var branch = BranchState()
        _ = try next()
        if let from = after("from ") {
            try applyFrom(show(from), to: &branch, named: name)
            _ = try next()
        }
        if branch.delete, name.hasPrefix("refs/tags/") {
            let tagName = String(name.dropFirst("refs/tags/".count))
            tags[tagName] = nil
            tagOrder.removeAll { $0 == tagName }
        }
        branches[name] = branch
        if !line.isEmpty { unread = true }
    }

    // MARK: Command parts

    private func parseMark() throws -> UInt64? {
        guard let text = after("mark :") else { return nil }
        guard let mark = FastImportParser.number(text), mark > 0 else { throw Failure("invalid mark: \(show(line))") }
        _ = try next()
        return mark
    }

    private func skipOriginalOID() throws {
        if after("original-oid ") != nil { _ = try next() }
    }

    /// The bytes of a `data` command: `data <count>` exact or `data <<DELIM` delimited.
    private func data() throws -> [UInt8] {
        guard let spec = after("data ") else { throw Failure("expected 'data n' command, found: \(show(line))") }
        var bytes: [UInt8] = []
        if let delimiter = FastImportParser.after("<<", in: Array(spec)) {
            while true {
                guard let text = try reader.readLine() else {
                    throw Failure("EOF in data (terminator '\(show(delimiter))' not found)")
                }
                if text.elementsEqual(delimiter) { break }
                bytes += text
                bytes.append(0x0a)
            }
        } else {
            guard let count = FastImportParser.number(spec), count < Int.max else {
                throw Failure("invalid data length: \(show(line))")
            }
            guard let read = try reader.read(count: Int(count)) else {
                throw Failure("EOF in data (\(count) bytes expected)")
            }
            bytes = read
        }
        try reader.skipOptionalLF()
        return bytes
    }

    private func markedObject(_ text: String) throws -> Marked {
        guard let number = UInt64(text.dropFirst()) else { throw Failure("invalid mark: \(text)") }
        guard let marked = marks[number] else { throw Failure("mark :\(number) not declared") }
        return marked
    }

    /// `from` of a commit or reset: another branch of the stream, a mark,
    /// or anything `resolve` takes (the zero id empties the branch).
    private func applyFrom(_ from: String, to branch: inout BranchState, named name: String) throws {
        if from == name { throw Failure("can't create a branch from itself: \(name)") }
        if let other = branches[from] {
            branch.tip = other.tip
            branch.tree = other.tree
        } else if from.hasPrefix(":") {
            let marked = try markedObject(from)
            guard marked.kind == .commit else { throw Failure("mark \(from) not a commit") }
            if branch.tip != marked.id {
                branch.tip = marked.id
                branch.tree = .stored(try treeOf(marked.id))
            }
        } else if let zero = ObjectID(hex: from), zero.isZero {
            branch = BranchState(tip: nil, tree: .empty, delete: true)
        } else {
            let commit = try peelToCommit(try resolve(from), named: from)
            branch.tip = commit
            branch.tree = .stored(try treeOf(commit))
        }
    }

    private func mergeParent(_ from: String) throws -> ObjectID {
        if let other = branches[from] {
            guard let tip = other.tip else { throw Failure("can't merge an empty branch: \(from)") }
            return tip
        }
        if from.hasPrefix(":") {
            let marked = try markedObject(from)
            guard marked.kind == .commit else { throw Failure("mark \(from) not a commit") }
            return marked.id
        }
        return try peelToCommit(try resolve(from), named: from)
    }

    /// A revision resolved against the store, with the staged objects written first.
    private func resolve(_ revision: String) throws -> ObjectID {
        try writeBatch()
        do {
            return try repository.resolve(revision)
        } catch let error as BanyanError where [.invalidRevision, .objectNotFound, .ambiguousRevision, .invalidObjectID].contains(error.code) {
            throw Failure("invalid ref name or SHA1 expression: \(revision)")
        }
    }

    private func peelToCommit(_ id: ObjectID, named name: String) throws -> ObjectID {
        var current = id
        for _ in 0..<16 {
            guard let raw = try findObject(current) else { throw Failure("not a valid commit: \(name)") }
            switch raw.kind {
            case .commit: return current
            case .tag: current = try Tag(decoding: raw.body, algorithm: algorithm).object
            default: throw Failure("not a valid commit: \(name)")
            }
        }
        throw Failure("not a valid commit: \(name)")
    }

    /// The tree of commit `id`, read from its first line as git does.
    private func treeOf(_ commit: ObjectID) throws -> ObjectID {
        if let tree = commitTrees[commit] { return tree }
        guard let raw = try findObject(commit), raw.kind == .commit,
              let first = raw.body.split(separator: 0x0a, maxSplits: 1).first,
              let hex = FastImportParser.after("tree ", in: Array(first)),
              let tree = ObjectID(hex: show(hex)) else {
            throw Failure("the commit \(commit) is corrupt or missing")
        }
        return tree
    }

    // MARK: File changes

    private func modify(_ change: ArraySlice<UInt8>, in branch: inout BranchState) throws {
        guard let space = change.firstIndex(of: UInt8(ascii: " ")), let mode = FastImportParser.mode(change[..<space]) else {
            throw Failure("corrupt mode: \(show(line))")
        }
        var rest = change[(space + 1)...]
        var marked: Marked?
        var id: ObjectID?
        var inline = false
        if rest.first == UInt8(ascii: ":") {
            guard let end = rest.firstIndex(of: UInt8(ascii: " ")) else { throw Failure("missing space after mark: \(show(line))") }
            marked = try markedObject(show(rest[..<end]))
            id = marked!.id
            rest = rest[(end + 1)...]
        } else if let afterInline = FastImportParser.after("inline ", in: Array(rest)) {
            inline = true
            rest = rest[(rest.endIndex - afterInline.count)...]
        } else {
            guard let end = rest.firstIndex(of: UInt8(ascii: " ")), let hex = ObjectID(hex: show(rest[..<end])), hex.algorithm == algorithm else {
                throw Failure("invalid dataref: \(show(line))")
            }
            id = hex
            rest = rest[(end + 1)...]
        }
        let path = try FastImportParser.path(rest, lastField: true, field: "path")
        guard path.rest.isEmpty else { throw Failure("garbage after path: \(show(line))") }
        if mode == .directory, id == algorithm.emptyTreeID, !path.path.isEmpty {
            _ = try branch.tree.remove(try FastImportParser.components(of: path.path)[...], loader: loadTree)
            return
        }
        if mode == .gitlink {
            if inline { throw Failure("Git links cannot be specified 'inline': \(show(line))") }
            if let marked, marked.kind != .commit { throw Failure("not a commit (actually a \(marked.kind)): \(show(line))") }
        } else if inline {
            if mode == .directory { throw Failure("directories cannot be specified 'inline': \(show(line))") }
            guard try next() else { throw Failure("expected 'data n' command, found the end of the stream") }
            id = try stage(RawObject(kind: .blob, body: try data()))
        } else {
            let expected: ObjectKind = mode == .directory ? .tree : .blob
            guard let kind = try marked?.kind ?? findObject(id!)?.kind else {
                throw Failure("\(expected) not found: \(show(line))")
            }
            guard kind == expected else { throw Failure("not a \(expected) (actually a \(kind)): \(show(line))") }
        }
        if path.path.isEmpty {
            guard mode == .directory else { throw Failure("root cannot be a non-directory: \(show(line))") }
            branch.tree = .stored(id!)
            return
        }
        try branch.tree.set(try FastImportParser.components(of: path.path)[...],
                            to: ImportEntry(mode: mode, id: id!, tree: nil), loader: loadTree)
    }

    private func delete(_ text: ArraySlice<UInt8>, in branch: inout BranchState) throws {
        let path = try FastImportParser.path(text, lastField: true, field: "path")
        guard path.rest.isEmpty else { throw Failure("garbage after path: \(show(line))") }
        if path.path.isEmpty {
            branch.tree = .empty
        } else {
            _ = try branch.tree.remove(try FastImportParser.components(of: path.path)[...], loader: loadTree)
        }
    }

    private func copy(_ text: ArraySlice<UInt8>, in branch: inout BranchState, rename: Bool) throws {
        let source = try FastImportParser.path(text, lastField: false, field: "source")
        guard source.rest.first == UInt8(ascii: " ") else { throw Failure("missing space after source: \(show(line))") }
        let dest = try FastImportParser.path(source.rest.dropFirst(), lastField: true, field: "dest")
        guard dest.rest.isEmpty else { throw Failure("garbage after dest: \(show(line))") }
        let leaf: ImportEntry?
        if source.path.isEmpty {
            leaf = ImportEntry(mode: .directory, id: branch.tree.id ?? .zero(algorithm), tree: branch.tree)
            if rename { branch.tree = .empty }
        } else {
            let components = try FastImportParser.components(of: source.path)[...]
            leaf = rename ? try branch.tree.remove(components, loader: loadTree) : try branch.tree.find(components, loader: loadTree)
        }
        guard let leaf else { throw Failure("path \(show(source.path)) not in branch") }
        if dest.path.isEmpty {
            guard leaf.mode == .directory else { throw Failure("root cannot be a non-directory: \(show(line))") }
            branch.tree = leaf.tree ?? .stored(leaf.id)
            return
        }
        try branch.tree.set(try FastImportParser.components(of: dest.path)[...], to: leaf, loader: loadTree)
    }

    // MARK: Objects

    /// Stages `object` for the next batch write; returns its id.
    private func stage(_ object: RawObject) throws -> ObjectID {
        result.objectCounts[object.kind, default: 0] += 1
        batchBytes += object.body.count
        let id = batch.add(object)
        if batchBytes >= Self.batchLimit { try writeBatch() }
        return id
    }

    private func writeBatch() throws {
        guard !batch.isEmpty else { return }
        try repository.objects.write(batch)
        batch = ObjectBatch(algorithm: algorithm)
        batchBytes = 0
    }

    private func findObject(_ id: ObjectID) throws -> RawObject? {
        try batch.object(id) ?? repository.objects.find(id)
    }

    private func loadTree(_ id: ObjectID) throws -> [[UInt8]: ImportEntry] {
        guard let raw = try findObject(id), raw.kind == .tree else { throw Failure("tree \(id) not found") }
        var entries: [[UInt8]: ImportEntry] = [:]
        for entry in try Tree(decoding: raw.body, algorithm: algorithm).entries {
            entries[entry.name] = ImportEntry(mode: entry.mode, id: entry.id, tree: nil)
        }
        return entries
    }

    // MARK: Checkpoints, refs and marks

    /// Makes everything so far readable, moves the refs and writes the marks file.
    private func checkpoint() throws {
        try writeBatch()
        try repository.objects.flush()
        try updateRefs()
        if let path = options.exportMarks { try exportMarks(to: path) }
    }

    private func updateRefs() throws {
        result.skipped = []
        let log = { (new: ObjectID) in
            ReflogEntry(old: .zero(self.algorithm), new: new, committer: self.repository.defaultAuthor.signature(), message: "fast-import")
        }
        for name in branches.keys.sorted() {
            let branch = branches[name]!
            let current = try repository.refs.resolve(name)
            guard let tip = branch.tip else {
                if branch.delete, let current {
                    try repository.refs.delete(name, expected: .value(current))
                    result.updated.append((name, nil))
                }
                continue
            }
            if current == tip { continue }
            if let current, !options.force {
                let contains: Bool
                do {
                    contains = try repository.isAncestor(current, of: tip)
                } catch {
                    result.skipped.append(.init(name: name, reason: "branch \(name) is missing commits"))
                    continue
                }
                guard contains else {
                    result.skipped.append(.init(name: name, reason: "not updating \(name) (new tip \(tip.hex) does not contain \(current.hex))"))
                    continue
                }
            }
            try repository.refs.compareAndSwap(name, expected: current.map(RefExpectation.value) ?? .absent, new: tip, log: log(tip))
            result.updated.append((name, tip))
        }
        for name in tagOrder {
            let ref = "refs/tags/" + name
            let id = tags[name]!
            let current = try repository.refs.resolve(ref)
            if current == id { continue }
            try repository.refs.compareAndSwap(ref, expected: current.map(RefExpectation.value) ?? .absent, new: id, log: log(id))
            result.updated.append((ref, id))
        }
    }

    private func importMarks(from path: String, required: Bool) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            if !required && !FileManager.default.fileExists(atPath: path) { return }
            throw BanyanError(.io, "cannot read marks file '\(path)'")
        }
        for text in data.split(separator: 0x0a) {
            let lineText = String(decoding: text, as: UTF8.self)
            let parts = lineText.split(separator: " ")
            guard parts.count == 2, parts[0].hasPrefix(":"), let mark = UInt64(parts[0].dropFirst()), mark > 0,
                  let id = ObjectID(hex: parts[1]), id.algorithm == algorithm else {
                throw BanyanError(.invalidArgument, "corrupt mark line in \(path): \(lineText)")
            }
            guard let raw = try repository.objects.find(id) else {
                throw BanyanError(.objectNotFound, "marks file \(path): object not found: \(id.hex)")
            }
            marks[mark] = Marked(id: id, kind: raw.kind)
        }
    }

    private func exportMarks(to path: String) throws {
        var out: [UInt8] = []
        for mark in marks.keys.sorted() {
            out += Array(":\(mark) \(marks[mark]!.id.hex)\n".utf8)
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        do {
            try Data(out).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw BanyanError(.io, "unable to write marks file \(path)", cause: error)
        }
    }

    // MARK: Features and options

    private func feature(_ feature: String) throws {
        if started { throw Failure("got feature command '\(feature)' after data command") }
        let (key, value) = feature.firstIndex(of: "=").map { (String(feature[..<$0]), String(feature[feature.index(after: $0)...])) }
            ?? (feature, "")
        if ["import-marks", "import-marks-if-exists", "export-marks"].contains(key) && !options.allowUnsafeFeatures {
            throw BanyanError(.invalidArgument, """
                fast-import stream, line \(commandLine): feature '\(key)' forbidden in input without \
                --allow-unsafe-features (it names a file the stream would read or write)
                """)
        }
        switch key {
        case "date-format":
            guard value == "raw" || value == "raw-permissive" else {
                throw BanyanError(.unsupported, "fast-import stream, line \(commandLine): banyan fast-import reads only the raw date format, not '\(value)'")
            }
            options.permissiveDates = options.permissiveDates || value == "raw-permissive"
        case "import-marks" where !value.isEmpty:
            if options.importMarks == nil && options.importMarksIfExists == nil { options.importMarks = value }
        case "import-marks-if-exists" where !value.isEmpty:
            if options.importMarks == nil && options.importMarksIfExists == nil { options.importMarksIfExists = value }
        case "export-marks" where !value.isEmpty:
            if options.exportMarks == nil { options.exportMarks = value }
        case "force" where value.isEmpty:
            options.force = true
        case "done" where value.isEmpty:
            requireDone = true
        case "no-relative-marks" where value.isEmpty:
            break
        default:
            throw BanyanError(.unsupported, "fast-import stream, line \(commandLine): this version of fast-import does not support feature \(feature)")
        }
    }

    private func option(_ option: String) throws {
        if started { throw Failure("got option command '\(option)' after data command") }
        let key = option.split(separator: "=", maxSplits: 1).first.map(String.init) ?? option
        // Settings of git's pack writer and its statistics change no object id.
        guard ["quiet", "stats", "max-pack-size", "big-file-threshold", "depth", "active-branches"].contains(key) else {
            throw BanyanError(.unsupported, "fast-import stream, line \(commandLine): this version of fast-import does not support option: \(option)")
        }
    }
}
