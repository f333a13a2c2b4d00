import Banyan
import Foundation
import Hummingbird

extension APIHandlers {
    /// `GET /api/v1/compare?base=REV&head=REV`: how many commits `head` has
    /// that `base` lacks (ahead) and the reverse (behind), and their best
    /// merge base. Cost: one walk of each side's history.
    func compare(_ request: Request) throws -> Response {
        guard let baseName = request.uri.queryParameters["base"].map(String.init),
              let headName = request.uri.queryParameters["head"].map(String.init)
        else { throw APIError(.badRequest, "invalidArgument", "compare needs ?base=REV&head=REV") }
        let base = try repository.peelToCommit(try repository.resolve(baseName))
        let head = try repository.peelToCommit(try repository.resolve(headName))
        let baseHistory = Set(try repository.log(from: base).map(\.id))
        let headHistory = Set(try repository.log(from: head).map(\.id))
        return JSONResponse.make(.ok, CompareBody(base: base.hex, head: head.hex,
                                                  mergeBase: try repository.mergeBases(base, head).first?.hex,
                                                  ahead: headHistory.subtracting(baseHistory).count,
                                                  behind: baseHistory.subtracting(headHistory).count))
    }

    /// The commit a read names: `?at=REV` when given, else the branch's head (404 when it has none).
    /// The branch name is validated either way (400).
    func commit(at request: Request, branch name: String) throws -> ObjectID {
        let branch = try repository.branch(name)
        if let at = request.uri.queryParameters["at"].map(String.init) {
            return try repository.peelToCommit(try repository.resolve(at))
        }
        guard let head = try branch.head() else {
            throw APIError(.notFound, "refNotFound", "branch \(name) does not exist")
        }
        return head
    }

    /// The commits reachable from `start` that changed `key` (a value or a
    /// directory): those where the object at `key` differs from their first
    /// parent's, newest first, at most `limit`.
    ///
    /// Cost: the whole log is read; then, per commit until `limit` are found,
    /// the trees on the key's path down to the first level where the commit
    /// and its parent agree (the root's id alone for a commit that changed
    /// another directory).
    func history(of key: Key, from start: ObjectID, limit: Int?) throws -> [LogEntry] {
        var found: [LogEntry] = []
        for entry in try repository.log(from: start) {
            if found.count == limit { break }
            let parentTree = try entry.commit.parents.first.map { try repository.commit($0).tree }
            if try changed(key, from: parentTree, to: entry.commit.tree) { found.append(entry) }
        }
        return found
    }

    /// Whether the object at `key` differs between the root trees `old` (nil: nothing) and `new`.
    private func changed(_ key: Key, from old: ObjectID?, to new: ObjectID) throws -> Bool {
        var old = old, new: ObjectID? = new
        for (index, segment) in key.utf8Segments.enumerated() {
            guard old != new else { return false }
            let inner = index < key.utf8Segments.count - 1
            old = try old.flatMap { try child(segment, of: $0, directoryOnly: inner) }
            new = try new.flatMap { try child(segment, of: $0, directoryOnly: inner) }
        }
        return old != new
    }

    /// The id of entry `name` of tree `tree`; nil when absent, or not a directory and `directoryOnly`.
    private func child(_ name: [UInt8], of tree: ObjectID, directoryOnly: Bool) throws -> ObjectID? {
        guard let entry = try repository.tree(tree).entry(named: name) else { return nil }
        return !directoryOnly || entry.mode.isDirectory ? entry.id : nil
    }
}
