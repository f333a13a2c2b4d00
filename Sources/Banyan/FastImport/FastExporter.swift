import Foundation

extension Repository {
    /// Writes a `git fast-import` stream of `refs` (full names, or short
    /// names looked up as `git rev-parse` does; `HEAD` means its branch),
    /// and of every ref under `refs/` when `all` is set, from which
    /// `git fast-import` rebuilds the same commits and tags, ids included.
    ///
    /// The stream holds each blob once with a mark, then the commits parents
    /// first (`from`/`merge` by mark; `D` and `M` lines against the first
    /// parent, every file for a root commit), the author and committer lines
    /// and `encoding` byte for byte, annotated tags as `tag` commands, and a
    /// `reset` per ref. `sink` receives it in chunks of about 1 MiB.
    ///
    /// Throws `invalidRevision` for a name that is not a ref, and
    /// `unsupported` for history fast-import cannot carry: signed commits
    /// (`gpgsig`, `mergetag` and other extra headers), tags with extra
    /// headers, refs or tags naming a tree, and branches naming a tag
    /// outside `refs/tags/`.
    public func fastExport(refs names: [String], all: Bool = false, to sink: ([UInt8]) throws -> Void) throws {
        let refs = try exportedRefs(names, all: all)
        try withoutActuallyEscaping(sink) { sink in
            var exporter = FastExporter(repository: self, sink: sink)
            try exporter.run(refs: refs)
        }
    }

    /// The refs to export, each once, in the order given (all refs sorted first).
    private func exportedRefs(_ names: [String], all: Bool) throws -> [(name: String, id: ObjectID)] {
        var result: [(name: String, id: ObjectID)] = all ? try refs.list(prefix: "refs/") : []
        for name in names {
            let full = try fullRefName(name)
            guard let id = try refs.resolve(full) else { throw BanyanError(.invalidRevision, "ref '\(name)' does not exist") }
            result.append((full, id))
        }
        var seen = Set<String>()
        return result.filter { seen.insert($0.name).inserted }
    }

    private func fullRefName(_ name: String) throws -> String {
        if name == "HEAD" {
            guard let target = try refs.headTarget() else {
                throw BanyanError(.invalidRevision, "HEAD is detached; name a ref to export")
            }
            return target
        }
        for candidate in [name, "refs/\(name)", "refs/tags/\(name)", "refs/heads/\(name)", "refs/remotes/\(name)"]
            where candidate.hasPrefix("refs/") && RefName.isValid(candidate) {
            if try refs.find(candidate) != nil { return candidate }
        }
        throw BanyanError(.invalidRevision, "'\(name)' is not a ref")
    }
}

/// Writes one fast-export stream: marks, the commit walk, tree diffs.
struct FastExporter {
    private let repository: Repository
    private let sink: ([UInt8]) throws -> Void
    private var out: [UInt8] = []
    private var nextMark = 1
    private var marks: [ObjectID: Int] = [:]
    private var trees: [ObjectID: ObjectID] = [:]

    init(repository: Repository, sink: @escaping ([UInt8]) throws -> Void) {
        self.repository = repository
        self.sink = sink
    }

    mutating func run(refs: [(name: String, id: ObjectID)]) throws {
        for (name, id) in refs {
            var chain: [ObjectID] = []
            var target = id
            var kind = try repository.objects.get(target).kind
            while kind == .tag {
                chain.append(target)
                target = try repository.tag(target).object
                kind = try repository.objects.get(target).kind
            }
            switch kind {
            case .commit: try exportHistory(of: target, as: name)
            case .blob: try exportBlob(target)
            default: throw BanyanError(.unsupported, "\(name) names a \(kind), which a fast-import stream cannot carry")
            }
            var tagName: String?
            for tag in chain.reversed() { tagName = try exportTag(tag) }
            if let tagName, name == "refs/tags/" + tagName, !chain.isEmpty { continue }
            guard chain.isEmpty, kind == .commit else {
                throw BanyanError(.unsupported, "\(name) names \(kind == .commit ? "an annotated tag" : "a blob"), which a fast-import 'reset' cannot set")
            }
            emit("reset \(name)\nfrom :\(marks[target]!)\n\n")
        }
        try flush(force: true)
    }

    // MARK: Commits

    /// Emits every commit reachable from `tip` not emitted yet, parents first.
    private mutating func exportHistory(of tip: ObjectID, as ref: String) throws {
        var stack: [(id: ObjectID, parentsDone: Bool)] = [(tip, false)]
        var parsed: [ObjectID: ParsedCommit] = [:]
        while let (id, parentsDone) = stack.popLast() {
            if marks[id] != nil { continue }
            let commit = try parsed[id] ?? ParsedCommit(try repository.objects.get(id, kind: .commit).body, id: id)
            if parentsDone {
                try exportCommit(commit, id: id, as: ref)
                parsed[id] = nil
                continue
            }
            parsed[id] = commit
            stack.append((id, true))
            for parent in commit.parents.reversed() where marks[parent] == nil { stack.append((parent, false)) }
        }
    }

    private mutating func exportCommit(_ commit: ParsedCommit, id: ObjectID, as ref: String) throws {
        var deletes: [[UInt8]] = []
        var changes: [(mode: FileMode, id: ObjectID, path: [UInt8])] = []
        let base = try commit.parents.first.map { parent in
            guard let tree = trees[parent] else { throw BanyanError(.corruptObject, "parent \(parent) of \(id) was not exported first") }
            return tree
        }
        try diff(base, commit.tree, prefix: [], deletes: &deletes, changes: &changes)
        for change in changes where change.mode != .gitlink { try exportBlob(change.id) }
        let mark = newMark(for: id)
        trees[id] = commit.tree
        if commit.parents.isEmpty { emit("reset \(ref)\n") }
        emit("commit \(ref)\nmark :\(mark)\n")
        emit(Array("author ".utf8) + commit.author + [0x0a])
        emit(Array("committer ".utf8) + commit.committer + [0x0a])
        if let encoding = commit.encoding { emit(Array("encoding ".utf8) + encoding + [0x0a]) }
        emitData(commit.message)
        for (index, parent) in commit.parents.enumerated() {
            emit("\(index == 0 ? "from" : "merge") :\(marks[parent]!)\n")
        }
        for path in deletes { emit(Array("D ".utf8) + FastImportParser.quotedPath(path) + [0x0a]) }
        for change in changes {
            let ref = change.mode == .gitlink ? change.id.hex : ":\(marks[change.id]!)"
            emit(Array("M \(change.mode.octal) \(ref) ".utf8) + FastImportParser.quotedPath(change.path) + [0x0a])
        }
        emit("\n")
        try flush(force: false)
    }

    /// The `D` and `M` lines that turn tree `old` (nil: empty) into `new`.
    private func diff(_ old: ObjectID?, _ new: ObjectID, prefix: [UInt8],
                      deletes: inout [[UInt8]], changes: inout [(mode: FileMode, id: ObjectID, path: [UInt8])]) throws {
        if old == new { return }
        var before: [[UInt8]: TreeEntry] = [:]
        if let old { for entry in try repository.tree(old).entries { before[entry.name] = entry } }
        let entries = try repository.tree(new).entries
        if entries.isEmpty && !prefix.isEmpty {
            // A stream names files only: git fast-import would drop the directory and change the id.
            throw BanyanError(.unsupported, """
                tree \(new) at '\(String(decoding: prefix, as: UTF8.self))' is empty, which a fast-import stream cannot carry
                """)
        }
        for entry in entries {
            let path = prefix.isEmpty ? entry.name : prefix + [UInt8(ascii: "/")] + entry.name
            let previous = before.removeValue(forKey: entry.name)
            if let previous, previous.mode == entry.mode, previous.id == entry.id { continue }
            if entry.mode.isDirectory {
                let oldTree = previous.flatMap { $0.mode.isDirectory ? $0.id : nil }
                try diff(oldTree, entry.id, prefix: path, deletes: &deletes, changes: &changes)
            } else {
                if previous?.mode.isDirectory == true { deletes.append(path) }
                changes.append((entry.mode, entry.id, path))
            }
        }
        for name in before.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            deletes.append(prefix.isEmpty ? name : prefix + [UInt8(ascii: "/")] + name)
        }
    }

    // MARK: Blobs and tags

    private mutating func exportBlob(_ id: ObjectID) throws {
        if marks[id] != nil { return }
        let body = try repository.blob(id)
        emit("blob\nmark :\(newMark(for: id))\n")
        emitData(body)
        try flush(force: false)
    }

    /// Emits annotated tag `id` (its target already has a mark); returns its name.
    private mutating func exportTag(_ id: ObjectID) throws -> String {
        let tag = try repository.tag(id)
        if marks[id] != nil { return tag.name }
        guard tag.extraHeaders.isEmpty else {
            throw BanyanError(.unsupported, "tag \(id) has headers (\(tag.extraHeaders.map(\.key).joined(separator: ", "))) a fast-import stream cannot carry")
        }
        guard let target = marks[tag.object] else {
            throw BanyanError(.unsupported, "tag \(id) names a \(tag.objectKind), which a fast-import stream cannot carry")
        }
        let raw = try repository.objects.get(id, kind: .tag).body
        emit("tag \(tag.name)\nmark :\(newMark(for: id))\nfrom :\(target)\n")
        if let tagger = headerValue("tagger", in: raw) { emit(Array("tagger ".utf8) + tagger + [0x0a]) }
        emitData(tag.message)
        return tag.name
    }

    /// The value of the first `key` header line of a tag or commit body.
    private func headerValue(_ key: String, in body: [UInt8]) -> ArraySlice<UInt8>? {
        for line in body.split(separator: 0x0a, omittingEmptySubsequences: false) {
            if line.isEmpty { return nil }
            if let value = FastImportParser.after(key + " ", in: Array(line)) { return value }
        }
        return nil
    }

    // MARK: Output

    private mutating func newMark(for id: ObjectID) -> Int {
        defer { nextMark += 1 }
        marks[id] = nextMark
        return nextMark
    }

    private mutating func emit(_ text: String) { out += Array(text.utf8) }
    private mutating func emit(_ bytes: [UInt8]) { out += bytes }

    private mutating func emitData(_ bytes: some Collection<UInt8>) {
        emit("data \(bytes.count)\n")
        out += bytes
        out.append(0x0a)
    }

    private mutating func flush(force: Bool) throws {
        guard force || out.count >= 1 << 20, !out.isEmpty else { return }
        try sink(out)
        out.removeAll(keepingCapacity: true)
    }
}

/// A commit's fields as fast-import writes them back: identities and
/// `encoding` as raw bytes, so the rebuilt commit has the same id.
private struct ParsedCommit {
    var tree: ObjectID
    var parents: [ObjectID] = []
    var author: ArraySlice<UInt8> = []
    var committer: ArraySlice<UInt8> = []
    var encoding: ArraySlice<UInt8>?
    var message: ArraySlice<UInt8>

    init(_ body: [UInt8], id: ObjectID) throws {
        func unsupported(_ what: String) -> BanyanError {
            BanyanError(.unsupported, "commit \(id) has \(what), which a fast-import stream cannot carry")
        }
        var tree: ObjectID?
        var position = 0
        var order: [String] = []
        while position < body.count, body[position] != 0x0a {
            let end = body[position...].firstIndex(of: 0x0a) ?? body.count
            let line = body[position..<end]
            position = end + 1
            guard let space = line.firstIndex(of: UInt8(ascii: " ")) else { throw unsupported("a malformed header") }
            let key = String(decoding: line[..<space], as: UTF8.self)
            let value = line[(space + 1)...]
            order.append(key)
            switch key {
            case "tree": tree = ObjectID(hex: String(decoding: value, as: UTF8.self))
            case "parent":
                guard let parent = ObjectID(hex: String(decoding: value, as: UTF8.self)) else { throw unsupported("a malformed parent") }
                parents.append(parent)
            case "author": author = value
            case "committer": committer = value
            case "encoding": encoding = value
            default: throw unsupported("a '\(key.isEmpty ? "continuation" : key)' header")
            }
        }
        let expected = ["tree"] + parents.map { _ in "parent" } + ["author", "committer"] + (encoding == nil ? [] : ["encoding"])
        guard let tree, order == expected else { throw unsupported("headers out of git's order") }
        self.tree = tree
        message = body[min(position + 1, body.count)...]
    }
}
