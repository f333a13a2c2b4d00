@testable import Banyan
import BanyanTestSupport
import Foundation

/// Builds histories for merge tests: commits with chosen parents and times.
struct HistoryBuilder {
    let repository: Repository

    /// Writes a commit whose tree is `parent`'s (or empty) with `changes`
    /// applied (nil removes), with the given parents and time.
    @discardableResult
    func commit(
        parents: [ObjectID], time: Int64, _ changes: [String: String?] = [:], message: String = "c"
    ) throws -> ObjectID {
        let baseRoot = try parents.first.map { try repository.commit($0).tree } ?? repository.hashAlgorithm.emptyTreeID
        var editor = TreeEditor(repository: repository)
        for (path, value) in changes.sorted(by: { $0.key < $1.key }) {
            try editor.record(try Key(path), value.map { .set(Array($0.utf8)) } ?? .remove)
        }
        let root = try editor.apply(to: baseRoot)
        let who = signature(time)
        let commit = Commit(tree: root, parents: parents, author: who, committer: who, message: message + "\n")
        var batch = editor.batch
        let id = batch.add(commit.rawObject)
        try repository.objects.write(batch)
        return id
    }

    /// Points branch `name` at `commit`.
    func setBranch(_ name: String, _ commit: ObjectID) throws {
        try repository.refs.compareAndSwap("refs/heads/\(name)", expected: .any, new: commit, log: nil)
    }

    /// The value at `path` in tree `root`, or nil.
    func value(_ path: String, in root: ObjectID) throws -> String? {
        let snapshot = try repository.snapshot(commit: root)
        return text(try snapshot.find(try Key(path)))
    }
}

extension Repository {
    /// The value at `path` in the tree `root` (not a commit), or nil.
    func value(_ path: String, inTree root: ObjectID) throws -> String? {
        var tree = try self.tree(root)
        let segments = path.split(separator: "/").map(String.init)
        for (index, segment) in segments.enumerated() {
            guard let entry = tree.entry(named: segment) else { return nil }
            if index == segments.count - 1 {
                return entry.mode.isDirectory ? nil : String(decoding: try blob(entry.id), as: UTF8.self)
            }
            tree = try self.tree(entry.id)
        }
        return nil
    }
}
