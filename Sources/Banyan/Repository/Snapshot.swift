import Foundation

/// Whether a key holds a value or is a directory of further keys.
public enum EntryKind: String, Sendable, Hashable, Codable {
    /// The key holds a value (a blob).
    case value
    /// The key is a directory (a tree) holding other keys.
    case directory
}

/// One child of a directory, as returned by ``Snapshot/list(_:)``.
public struct ListEntry: Hashable, Sendable {
    /// The child's full key.
    public var key: Key
    /// Value or directory.
    public var kind: EntryKind
    /// The blob or tree id.
    public var id: ObjectID

    /// The last segment of the key.
    public var name: String { key.name }
}

/// A read-only view of one tree: the state of a branch at one commit, or any
/// commit of history ("detached").
///
/// Snapshots are values: cheap to create and share, never changing even when
/// the branch they came from moves on. Lookups read only the trees on the
/// key's path (decoded trees are cached by the repository).
public struct Snapshot: Sendable {
    /// The repository the snapshot reads from.
    public let repository: Repository
    /// The commit this snapshot is of, or nil for an empty branch or a bare tree.
    public let commit: ObjectID?
    /// The root tree id.
    public let root: ObjectID

    init(repository: Repository, commit: ObjectID?, root: ObjectID) {
        self.repository = repository
        self.commit = commit
        self.root = root
    }

    /// The tree entry at `key`, or nil when nothing is there.
    public func entry(at key: Key) throws -> TreeEntry? {
        var treeID = root
        let segments = key.utf8Segments
        for (index, segment) in segments.enumerated() {
            guard let entry = try repository.tree(treeID).entry(named: segment) else { return nil }
            if index == segments.count - 1 { return entry }
            guard entry.mode.isDirectory else { return nil }
            treeID = entry.id
        }
        return nil
    }

    /// Value or directory at `key`, or nil when absent. The root is a directory.
    public func kind(of key: Key) throws -> EntryKind? {
        if key.isRoot { return .directory }
        return try entry(at: key).map { $0.mode.isDirectory ? .directory : .value }
    }

    /// True when `key` holds a value.
    public func exists(_ key: Key) throws -> Bool {
        try kind(of: key) == .value
    }

    /// The value at `key`, or nil when absent or a directory.
    public func find(_ key: Key) throws -> Data? {
        guard let entry = try entry(at: key), !entry.mode.isDirectory else { return nil }
        guard entry.mode != .gitlink else {
            throw BanyanError(.unsupported, "'\(key)' is a submodule link, not a value")
        }
        do {
            return Data(try repository.blob(entry.id))
        } catch let error as BanyanError where error.code == .objectNotFound {
            // A partial replica lacks values outside its prefixes: say which key could not be had.
            var named = BanyanError(.objectNotFound, "cannot read '\(key)': \(error.message)")
            named.cause = error.cause
            throw named
        }
    }

    /// The value at `key`; throws `keyNotFound` when absent.
    public func get(_ key: Key) throws -> Data {
        guard let value = try find(key) else {
            throw BanyanError(.keyNotFound, "no value at '\(key)'\(atCommit)")
        }
        return value
    }

    /// The value at `key` decoded from JSON, or nil when absent.
    public func find<T: Decodable>(_ key: Key, as type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws -> T? {
        try find(key).map { try Transaction.decode($0, as: type, at: key, decoder: decoder) }
    }

    /// The value at `key` decoded from JSON; throws `keyNotFound` when absent.
    public func get<T: Decodable>(_ key: Key, as type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        guard let value = try find(key, as: type, decoder: decoder) else {
            throw BanyanError(.keyNotFound, "no value at '\(key)'\(atCommit)")
        }
        return value
    }

    /// The children of directory `prefix`, in Git's tree order. Empty when
    /// `prefix` is absent; throws `notADirectory` when it is a value.
    public func list(_ prefix: Key = .root) throws -> [ListEntry] {
        guard let treeID = try directoryID(prefix) else { return [] }
        return try repository.tree(treeID).entries.map { entry in
            ListEntry(key: try prefix.appending(entry.nameString),
                      kind: entry.mode.isDirectory ? .directory : .value, id: entry.id)
        }
    }

    /// Every value under `prefix` (recursively), in Git's order, with its blob id.
    public func walk(_ prefix: Key = .root) throws -> [(key: Key, id: ObjectID)] {
        var result: [(key: Key, id: ObjectID)] = []
        if !prefix.isRoot, let entry = try entry(at: prefix), !entry.mode.isDirectory {
            return [(prefix, entry.id)]
        }
        guard let treeID = try directoryID(prefix) else { return [] }
        try walk(treeID, prefix, into: &result)
        return result
    }

    private func walk(_ treeID: ObjectID, _ prefix: Key, into result: inout [(key: Key, id: ObjectID)]) throws {
        for entry in try repository.tree(treeID).entries {
            let key = try prefix.appending(entry.nameString)
            if entry.mode.isDirectory {
                try walk(entry.id, key, into: &result)
            } else {
                result.append((key, entry.id))
            }
        }
    }

    /// Every value under `prefix` (recursively), in Git's order, as `walk`
    /// gives them, but each path as its UTF-8 bytes (`a/b/c`) in a buffer
    /// the walk reuses: no `Key` a value, and trees read in place. For
    /// listings of many keys (`banyan ls -r`). Throws `corruptObject` for a
    /// tree entry that does not parse.
    package func forEachValue(under prefix: Key = .root, _ body: (_ path: [UInt8], _ id: ObjectID) throws -> Void) throws {
        if !prefix.isRoot, let entry = try entry(at: prefix), !entry.mode.isDirectory {
            return try body(Array(prefix.path.utf8), entry.id)
        }
        guard let treeID = try directoryID(prefix) else { return }
        var path = prefix.isRoot ? [] : Array(prefix.path.utf8) + [UInt8(ascii: "/")]
        try forEachValue(inTree: treeID, path: &path, body)
    }

    private func forEachValue(inTree treeID: ObjectID, path: inout [UInt8], _ body: (_ path: [UInt8], _ id: ObjectID) throws -> Void) throws {
        if treeID == repository.hashAlgorithm.emptyTreeID { return }   // not always stored
        let tree = try repository.object(treeID, kind: .tree).body
        let digestLength = repository.hashAlgorithm.digestLength
        let base = path.count
        try tree.withUnsafeBytes { bytes in
            var cursor = TreeEntryCursor(bytes, digestLength: digestLength)
            while let entry = try cursor.nextStored() {
                let idStart = entry.idStart(digestLength: digestLength)
                let id = ObjectID(digest: UnsafeRawBufferPointer(rebasing: bytes[idStart..<entry.end]), algorithm: repository.hashAlgorithm)
                path.removeSubrange(base...)
                path.append(contentsOf: bytes[entry.name])
                if entry.mode == FileMode.directory.rawValue {
                    path.append(UInt8(ascii: "/"))
                    try forEachValue(inTree: id, path: &path, body)
                } else {
                    try body(path, id)
                }
            }
        }
    }

    /// The tree id of directory `key`, nil when absent, throwing when it is a value.
    func directoryID(_ key: Key) throws -> ObjectID? {
        if key.isRoot { return root }
        guard let entry = try entry(at: key) else { return nil }
        guard entry.mode.isDirectory else {
            throw BanyanError(.notADirectory, "'\(key)' is a value, not a directory")
        }
        return entry.id
    }

    private var atCommit: String {
        commit.map { " at commit \($0.abbreviated())" } ?? ""
    }
}
