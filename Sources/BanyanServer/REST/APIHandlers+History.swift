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
    /// parent's, newest first, at most `limit`. Cost: the whole log is read,
    /// and one path lookup per commit until `limit` are found.
    func history(of key: Key, from start: ObjectID, limit: Int?) throws -> [LogEntry] {
        var found: [LogEntry] = []
        for entry in try repository.log(from: start) {
            if found.count == limit { break }
            let now = try repository.snapshot(commit: entry.id).entry(at: key)?.id
            let before = try entry.commit.parents.first.flatMap { try repository.snapshot(commit: $0).entry(at: key)?.id }
            if now != before { found.append(entry) }
        }
        return found
    }
}
