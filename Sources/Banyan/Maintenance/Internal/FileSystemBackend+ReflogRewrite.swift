/// Reflog files as `git reflog expire` handles them: listed under `logs/`,
/// and rewritten whole while their ref is locked.
extension FileSystemBackend {
    /// The refs with a reflog file under `logs/`, sorted by name bytes:
    /// regular files whose names are valid ref names and do not start with
    /// `.` or end in `.lock` (Git's reflog iterator skips the same). The ref
    /// itself need not exist: Git expires the log of a missing ref too.
    func refsWithReflogs() throws -> [String] {
        var names: [String] = []
        func visit(_ relative: String) throws {
            for entry in try Posix.listDirectory(path + "/logs" + (relative.isEmpty ? "" : "/" + relative)) {
                let name = relative.isEmpty ? entry.name : relative + "/" + entry.name
                if entry.isDirectory {
                    try visit(name)
                } else if !entry.name.hasPrefix("."), !entry.name.hasSuffix(".lock"), RefName.isValid(name),
                          Posix.fileType(logPath(name)) == .file {
                    names.append(name)
                }
            }
        }
        try visit("")
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Runs `body` on the bytes of the reflog of `ref`, holding the locks that
    /// keep anyone from appending to it, and replaces the file with the bytes
    /// `body` returns when they differ. Does nothing when `ref` has no reflog
    /// (any more: a ref deleted meanwhile took its log with it).
    ///
    /// The lock is `<ref>.lock`, which every writer of the ref holds while it
    /// appends (Banyan and Git alike). For `HEAD` it is also the lock of the
    /// branch `HEAD` points at, taken first: Banyan appends to `HEAD`'s log
    /// under the branch's lock only. The new content goes to
    /// `logs/<ref>.lock`, which is renamed over the log (flushed first with
    /// `commit` durability), so readers see the old log or the new one.
    ///
    /// Throws `refLocked` when a lock stays taken for a second, or when `HEAD`
    /// moved to another branch while its locks were being taken.
    func rewriteReflog(_ ref: String, _ body: ([UInt8]) throws -> [UInt8]) throws {
        let head = ref == "HEAD" ? try headTarget() : nil
        try withLocks(on: (head.map { [$0] } ?? []) + [ref]) {
            // The branch locked must be the one HEAD's writers lock.
            if ref == "HEAD", try headTarget() != head {
                throw BanyanError(.refLocked, "HEAD moved to another branch while its reflog was being expired; try again")
            }
            let file = logPath(ref)
            guard let old = try Posix.readFile(file) else { return }
            let new = try body(old)
            guard new != old else { return }
            try LockFile.withLock(on: file) { lock in
                try lock.write(new)
                try lock.commit(durable: isDurable)
            }
        }
    }

    /// Runs `body` holding `<name>.lock` for each of `names`, taken in order;
    /// afterwards removes the directories made only for a lock.
    private func withLocks(on names: [String], _ body: () throws -> Void) throws {
        guard let name = names.first else { return try body() }
        let file = refPath(name)
        defer { Posix.removeEmptyDirectories(from: Posix.parent(of: file), upTo: categoryDirectory(of: file)) }
        try LockFile.withLock(on: file) { _ in try withLocks(on: Array(names.dropFirst()), body) }
    }
}
