#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Refs in Git's files format: a loose file `refs/…` (or `HEAD`) holding
/// `<hex>\n` or `ref: <target>\n`, overriding an entry of the same name in
/// `packed-refs`; every update under `<ref>.lock`, with reflogs in `logs/`.
extension FileSystemBackend {
    /// The value of `name`, not following symbolic refs; nil when absent.
    ///
    /// Throws `invalidRefName`, and `invalidRepository` naming the file when
    /// the ref file or `packed-refs` is malformed.
    public func find(_ name: String) throws -> RefValue? {
        try RefName.validate(name)
        return try currentValue(of: name)
    }

    /// Sets `name` to `new` if it matches `expected`, without following
    /// symbolic refs, and appends `log` (with the real old and new ids) to
    /// the reflogs of `name` and of `HEAD` when `HEAD` points at it.
    ///
    /// Seals the open append pack first, so the objects this backend wrote
    /// are readable by `git` before the ref names them. Holds `<ref>.lock`
    /// while it reads, compares and renames, so it is safe against other
    /// threads, processes and `git` itself. With `.commit` durability the
    /// pack, the ref file and their directories are flushed before returning.
    /// Throws `staleRef` on a mismatch, `refLocked` when the lock file stays
    /// taken for a second, `alreadyExists` when a new ref's name clashes with
    /// an existing one (`refs/heads/a` vs `refs/heads/a/b`), `invalidRepository`
    /// when the current ref file is malformed (it is left untouched).
    public func compareAndSwap(_ name: String, expected: RefExpectation, new: ObjectID, log: ReflogEntry?) throws {
        try RefName.validate(name)
        try RefUpdateRules.checkAlgorithms(expected, new, store: hashAlgorithm)
        // An update bound to fail seals nothing: a transaction that lost a
        // race retries with new objects, and sealing the loser's would leave
        // a pack per retry. (Checked again under the lock below.)
        if expected != .any { try RefUpdateRules.check(expected, name: name, current: try currentValue(of: name)) }
        // Objects before refs: whatever `new` reaches that this backend wrote
        // is in its open append pack or sealed already; `git` must see it first.
        try sealAppendPack()
        try withRefLock(name) { lock, current in
            try RefUpdateRules.check(expected, name: name, current: current)
            if current == nil { try clearWayForNewRef(name) }
            try lock.write(Array("\(new.hex)\n".utf8))
            var logged: [(file: String, size: off_t)] = []
            do {
                if let log {
                    let entry = RefUpdateRules.entry(from: log, old: current, new: new)
                    // Written under the lock, as Git does, so reflog order is update order.
                    for logName in RefUpdateRules.logNames(for: name, head: try readLooseRef("HEAD")) {
                        let file = logPath(logName)
                        logged.append((file, try Reflog.append(entry, to: file)))
                    }
                }
                try lock.commit(durable: isDurable)
            } catch {
                // The ref kept its value, so its log must not say it moved.
                if !lock.isCommitted {
                    for (file, size) in logged { Reflog.truncate(file, to: size) }
                }
                throw error
            }
        }
        refChanges.post(name)
    }

    /// Deletes `name` if it matches `expected`: its entry in `packed-refs`
    /// (rewritten under `packed-refs.lock`), its loose file and its reflog.
    ///
    /// Throws `refNotFound` when it does not exist, `staleRef` on a mismatch,
    /// `refLocked` when a lock file stays taken.
    public func delete(_ name: String, expected: RefExpectation) throws {
        try RefName.validate(name)
        try RefUpdateRules.checkAlgorithms(expected, nil, store: hashAlgorithm)
        try withRefLock(name) { _, current in
            guard let current else { throw BanyanError(.refNotFound, "ref \(name) does not exist") }
            try RefUpdateRules.check(expected, name: name, current: current)
            // Packed entry first: removing the loose file first would let a
            // reader see the stale packed value in between. `packed-refs.lock`
            // stays held until the loose file is gone, so a concurrent
            // `packRefs` cannot pack the loose value back.
            try PackedRefs.remove(name, repository: path, durable: isDurable, timeout: packedRefsTimeout) {
                try Posix.removeFile(refPath(name))
            }
            try Posix.removeFile(logPath(name))
            if isDurable { try Posix.fsyncDirectory(Posix.parent(of: refPath(name))) }
        }
        Posix.removeEmptyDirectories(from: Posix.parent(of: logPath(name)), upTo: categoryDirectory(of: logPath(name)))
        refChanges.post(name)
    }

    /// The direct refs under `refs/` whose names start with `prefix`, loose and
    /// packed merged (loose wins), sorted by name bytes.
    ///
    /// Cost: walks the loose refs below the deepest directory `prefix` names,
    /// and reads all of `packed-refs`. Loose files with invalid ref names
    /// (editor backups, `.lock` files) are skipped, as Git skips them.
    /// Throws `invalidRepository` naming the file when a listed ref file or
    /// `packed-refs` is malformed.
    public func list(prefix: String) throws -> [(name: String, id: ObjectID)] {
        var values: [String: ObjectID] = [:]
        var looseNames = Set<String>()
        // Loose before packed: `git pack-refs` writes packed-refs before it
        // removes loose files, so a ref moving between the two is seen once.
        for name in try looseRefNames(under: listingDirectory(for: prefix)) where name.hasPrefix(prefix) {
            looseNames.insert(name)
            if case .direct(let id) = try readLooseRef(name) { values[name] = id }
        }
        for entry in try packedRefs().entries
        where entry.name.hasPrefix("refs/") && entry.name.hasPrefix(prefix) && !looseNames.contains(entry.name) {
            values[entry.name] = entry.id
        }
        return RefUpdateRules.sortedByName(values.map { (name: $0.key, id: $0.value) })
    }

    /// Points the symbolic ref `name` at `target` (`ref: <target>\n`), under `<name>.lock`.
    public func setSymbolic(_ name: String, target: String) throws {
        try RefName.validate(name)
        try RefName.validate(target)
        try withRefLock(name) { lock, current in
            if current == nil { try clearWayForNewRef(name) }
            try lock.write(Array("ref: \(target)\n".utf8))
            try lock.commit(durable: isDurable)
        }
        refChanges.post(name)
    }

    /// The reflog of `name` from `logs/<name>`, oldest first; empty when there is none.
    public func reflog(_ name: String) throws -> [ReflogEntry] {
        try RefName.validate(name)
        return try Reflog.read(logPath(name), algorithm: hashAlgorithm)
    }

    // MARK: Internals

    func refPath(_ name: String) -> String { path + "/" + name }
    func logPath(_ name: String) -> String { path + "/logs/" + name }

    func packedRefs() throws -> PackedRefs {
        try PackedRefs.read(repository: path, algorithm: hashAlgorithm)
    }

    private func currentValue(of name: String) throws -> RefValue? {
        if let loose = try readLooseRef(name) { return loose }
        return try packedRefs().id(of: name).map(RefValue.direct)
    }

    /// Runs `body` holding `<name>.lock`, with the value read under the lock;
    /// afterwards removes directories left empty (by a delete, or made for a lock).
    private func withRefLock(_ name: String, _ body: (LockFile, RefValue?) throws -> Void) throws {
        let file = refPath(name)
        defer { Posix.removeEmptyDirectories(from: Posix.parent(of: file), upTo: categoryDirectory(of: file)) }
        // Usually the directory is there (one stat); else make it, checking for clashes.
        if Posix.fileType(Posix.parent(of: file)) != .directory { try makeParentDirectories(of: name) }
        try LockFile.withLock(on: file) { lock in
            try body(lock, try currentValue(of: name))
        }
    }

    /// `refs/heads` for `refs/heads/a/b`, `logs/refs/heads` for its log: the
    /// directory that cleaning up after a delete stops at, as Git keeps it.
    func categoryDirectory(of file: String) -> String {
        let relative = file.dropFirst(path.count + 1)
        let depth = relative.hasPrefix("logs/") ? 3 : 2
        return path + "/" + relative.split(separator: "/").prefix(depth).joined(separator: "/")
    }

    /// Creates the directories `name`'s lock file needs; an ancestor that is a
    /// file is a ref whose name clashes with `name`. A durable store syncs
    /// the directory holding each new one: the ref's own directory sync
    /// would not keep a directory whose name was lost.
    private func makeParentDirectories(of name: String) throws {
        var ancestor = ""
        for component in name.split(separator: "/").dropLast() {
            ancestor += ancestor.isEmpty ? String(component) : "/" + component
            if Posix.fileType(refPath(ancestor)) == .file {
                throw RefUpdateRules.nameConflict(name, existing: ancestor)
            }
        }
        let created = try Posix.makeDirectories(Posix.parent(of: refPath(name)))
        if isDurable {
            for directory in created { try Posix.fsyncDirectory(Posix.parent(of: directory)) }
        }
    }

    /// Before creating `name`: removes an empty directory tree in its place,
    /// and throws `alreadyExists` when a loose or packed ref lives below it or
    /// a packed ref is one of its ancestors.
    private func clearWayForNewRef(_ name: String) throws {
        let file = refPath(name)
        if Posix.fileType(file) == .directory {
            if let inside = try looseRefNames(under: name).first {
                throw RefUpdateRules.nameConflict(name, existing: inside)
            }
            try Posix.removeEmptyTree(file)
        }
        if let clash = try packedRefs().conflictingName(with: name) {
            throw RefUpdateRules.nameConflict(name, existing: clash)
        }
    }

    /// The deepest directory under `refs/` that every name starting with `prefix` lives in.
    private func listingDirectory(for prefix: String) -> String {
        guard let slash = prefix.lastIndex(of: "/") else { return "refs" }
        let directory = String(prefix[..<slash])
        return RefName.isValid(directory) ? directory : "refs"
    }

    /// The names of the loose refs in the directory `directory` (a ref-name prefix such as `refs/heads`), recursively.
    func looseRefNames(under directory: String) throws -> [String] {
        var names: [String] = []
        for entry in try Posix.listDirectory(refPath(directory)) {
            let name = directory + "/" + entry.name
            if entry.isDirectory {
                names += try looseRefNames(under: name)
            } else if RefName.isValid(name) {
                names.append(name)
            }
        }
        return names
    }

    /// The loose ref file of `name`, parsed; nil when there is none (or a directory is there).
    func readLooseRef(_ name: String) throws -> RefValue? {
        let file = refPath(name)
        guard let bytes = try Posix.readFile(file) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("ref:") {
            let target = String(text.dropFirst(4).filter { !$0.isWhitespace })
            if RefName.isValid(target) { return .symbolic(target) }
        } else {
            // Like Git, accept anything after the id once whitespace separates it.
            let hexLength = hashAlgorithm.hexLength
            if let id = ObjectID(hex: text.prefix(hexLength)), id.algorithm == hashAlgorithm,
               text.dropFirst(hexLength).first?.isWhitespace ?? true {
                return .direct(id)
            }
        }
        throw BanyanError(.invalidRepository, """
            ref file \(file) is corrupt: it holds \(text.prefix(80).debugDescription) where a \(hashAlgorithm) \
            object id or 'ref: <name>' belongs; restore it (e.g. from logs/\(name)) or delete it
            """)
    }
}
