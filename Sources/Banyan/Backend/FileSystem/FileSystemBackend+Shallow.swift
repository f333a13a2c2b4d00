extension FileSystemBackend: ConfigStore {}

extension FileSystemBackend: ShallowStore {
    /// The commits listed in the repository's `shallow` file, one hex id a
    /// line, as Git keeps them; empty when there is no such file.
    ///
    /// Throws `invalidRepository` for a line that is not an id of the repository's hash function.
    public func shallowCommits() throws -> Set<ObjectID> {
        guard let bytes = try Posix.readFile(path + "/shallow") else { return [] }
        var ids = Set<ObjectID>()
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            guard let id = ObjectID(hex: String(decoding: line, as: UTF8.self)), id.algorithm == hashAlgorithm else {
                throw BanyanError(.invalidRepository, "\(path)/shallow has a line that is not a commit id: \(String(decoding: line.prefix(80), as: UTF8.self).debugDescription)")
            }
            ids.insert(id)
        }
        return ids
    }

    /// Rewrites the `shallow` file under `shallow.lock`, as Git does; removes it for an empty set.
    ///
    /// Throws `refLocked` when another writer holds the lock, `io` on a write failure.
    public func setShallowCommits(_ ids: Set<ObjectID>) throws {
        try LockFile.withLock(on: path + "/shallow") { lock in
            guard !ids.isEmpty else {
                try Posix.removeFile(path + "/shallow")
                return
            }
            try lock.write(Array(ids.sorted().map { $0.hex + "\n" }.joined().utf8))
            try lock.commit(durable: isDurable)
        }
    }
}
