import Foundation

/// The conflicts that merges recorded instead of stopping, kept in the store
/// under ``refName`` so that they sync between devices like a branch does.
///
/// A merge run with ``ConflictPolicy/record`` does not stop at a conflict
/// that no strategy resolves. The branch takes the version of the side whose
/// commit is newer (see ``ConflictRecord/kept``), and the conflict is
/// recorded here: the key, the kind, the base, ours and theirs, and the two
/// commits. Resolving a conflict (``resolve(_:branch:with:author:)``) commits
/// the chosen version on the branch and removes the record. Any device
/// holding the inbox can do that, and the removal syncs to the others.
///
/// Layout: one directory per conflict, named by the SHA-1 of
/// `branch NUL key` so that the same conflict recorded on two devices lands
/// in one place. Each directory holds `conflict.json` (the record) and the
/// blobs `base`, `ours` and `theirs` where those versions are values, so
/// they travel with the inbox. The history of the ref is the history of
/// the inbox: one commit per recording or resolution.
public struct ConflictInbox: Sendable {
    /// The ref holding the inbox.
    public static let refName = "refs/banyan/conflicts"
    /// The record's file name inside a conflict's directory.
    static let recordFile = "conflict.json"

    /// The store the inbox lives in.
    public let repository: Repository
    /// The inbox ref, written as a branch is.
    let inbox: Branch

    /// The inbox of `repository`; it need not exist yet.
    public init(repository: Repository) {
        self.repository = repository
        inbox = Branch(repository: repository, internalRef: Self.refName, name: "conflict inbox")
    }

    /// The inbox's commit, or nil when no conflict was ever recorded.
    public func head() throws -> ObjectID? { try inbox.head() }

    /// The open conflicts, on `branch` only when given, sorted by branch then key.
    public func records(branch: String? = nil) throws -> [ConflictRecord] {
        guard let head = try head() else { return [] }
        let snapshot = try repository.snapshot(commit: head)
        var records: [ConflictRecord] = []
        for entry in try snapshot.list() where entry.kind == .directory {
            let location = try entry.key.appending(Self.recordFile)
            guard let data = try snapshot.find(location) else {
                throw BanyanError(.corruptObject, "conflict inbox entry \(entry.key) has no \(Self.recordFile)")
            }
            let record = try ConflictRecord(decoding: data, at: entry.key.path)
            if branch == nil || record.branch == branch { records.append(record) }
        }
        return records.sorted { ($0.branch, $0.key) < ($1.branch, $1.key) }
    }

    /// The open conflict at `key` of `branch`, or nil.
    public func record(_ key: Key, branch: String) throws -> ConflictRecord? {
        guard let head = try head() else { return nil }
        let location = try Self.directory(branch: branch, key: key).appending(Self.recordFile)
        guard let data = try repository.snapshot(commit: head).find(location) else { return nil }
        return try ConflictRecord(decoding: data, at: location.path)
    }

    /// Records `records` (replacing open ones at the same keys) as one inbox commit.
    func add(_ records: [ConflictRecord], author: Signature) throws {
        guard !records.isEmpty else { return }
        let branches = Set(records.map(\.branch)).sorted().joined(separator: ", ")
        let message = "record \(records.count) conflict\(records.count == 1 ? "" : "s") on \(branches)"
        try inbox.transaction(message: message, author: author) { transaction in
            for record in records {
                let directory = try Self.directory(branch: record.branch, key: record.key)
                transaction.set(try directory.appending(Self.recordFile), try record.encoded())
                for (name, id) in [("base", record.base), ("ours", record.ours), ("theirs", record.theirs)] {
                    let file = try directory.appending(name)
                    if let id, let value = try repository.objects.find(id), value.kind == .blob {
                        transaction.set(file, Data(value.body))
                    } else {
                        transaction.remove(file)
                    }
                }
            }
        }
    }

    /// Settles the conflict at `key` of `branch`: commits `resolution` on
    /// the branch (nothing when the branch already holds that version),
    /// then removes the record. Returns the branch's head afterwards.
    ///
    /// `.ours`, `.theirs` and `.base` take that version as recorded;
    /// `.value` sets new bytes; `.remove` leaves the key absent. Throws
    /// `keyNotFound` when there is no such conflict, and `unsupported` when
    /// the chosen version is a directory (take a value or removal instead).
    @discardableResult
    public func resolve(
        _ key: Key, branch name: String, with resolution: ConflictResolution, author: Signature? = nil
    ) throws -> ObjectID? {
        guard let record = try record(key, branch: name) else {
            throw BanyanError(.keyNotFound, "there is no recorded conflict at \(key) on branch \(name)")
        }
        let value = try chosenValue(resolution, of: record)
        let author = author ?? repository.defaultAuthor.signature()
        let branch = try repository.branch(name)
        let head = try branch.transaction(message: "Resolve conflict in \(key) (\(Self.describe(resolution)))",
                                          author: author) { transaction in
            if let value {
                if try transaction.find(key) != value { transaction.set(key, value) }
            } else if try transaction.base.kind(of: key) != nil {
                transaction.remove(key)
            }
        }
        try inbox.transaction(message: "resolve \(key) on \(name)", author: author) { transaction in
            transaction.remove(try Self.directory(branch: name, key: key))
        }
        return head
    }

    /// The bytes `resolution` puts at the record's key; nil for absence.
    private func chosenValue(_ resolution: ConflictResolution, of record: ConflictRecord) throws -> Data? {
        let chosen: (id: ObjectID?, side: String)
        switch resolution {
        case .value(let bytes): return Data(bytes)
        case .remove: return nil
        case .ours: chosen = (record.ours, "ours")
        case .theirs: chosen = (record.theirs, "theirs")
        case .base: chosen = (record.base, "base")
        }
        guard let id = chosen.id else { return nil }
        let object = try repository.objects.get(id)
        guard object.kind == .blob else {
            throw BanyanError(.unsupported, "\(chosen.side)'s version of \(record.key) is a directory; resolve it with a value or a removal")
        }
        return Data(object.body)
    }

    private static func describe(_ resolution: ConflictResolution) -> String {
        switch resolution {
        case .ours: "took ours"
        case .theirs: "took theirs"
        case .base: "took base"
        case .value: "new value"
        case .remove: "removed"
        }
    }

    /// The directory of the conflict at `key` of `branch`.
    static func directory(branch: String, key: Key) throws -> Key {
        let name = HashAlgorithm.sha1.digest(Array(branch.utf8) + [0] + Array(key.path.utf8)).hex
        return try Key(segments: [name])
    }
}

extension Branch {
    /// A handle on a ref outside `refs/heads/` that is written like a branch
    /// (the conflict inbox); `name` is what messages call it.
    init(repository: Repository, internalRef refName: String, name: String) {
        self.repository = repository
        self.name = name
        self.refName = refName
    }
}
