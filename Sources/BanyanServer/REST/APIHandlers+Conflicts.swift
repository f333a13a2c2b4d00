import Banyan
import Foundation
import Hummingbird

/// The conflict inbox over REST: list, show and resolve the conflicts that
/// merges and syncs with `onConflict: record` left (see `ConflictInbox`).
extension APIHandlers {
    /// `GET /api/v1/conflicts[?branch=B]`: the open conflicts.
    func conflicts(_ request: Request) throws -> Response {
        let branch = request.uri.queryParameters["branch"].map(String.init)
        let records = try ConflictInbox(repository: repository).records(branch: branch)
        return JSONResponse.make(.ok, ConflictsBody(conflicts: records))
    }

    /// `GET /api/v1/conflicts/{branch}/{key}`: one conflict's record.
    func conflict(_ request: Request) throws -> Response {
        let (record, _) = try findConflict(request)
        return JSONResponse.make(.ok, record)
    }

    /// `POST /api/v1/conflicts/{branch}/{key}` with `{"take": "ours"|"theirs"|"base"}`,
    /// `{"value": TEXT}` or `{"remove": true}`: commits the choice on the
    /// branch, removes the record, and returns the branch's head.
    func resolveConflict(_ request: Request) async throws -> Response {
        try writable()
        let body = try decode(ResolveRequest.self, from: try await collect(request))
        let resolution: ConflictResolution
        switch (body.take, body.value, body.remove ?? false) {
        case ("ours"?, nil, false): resolution = .ours
        case ("theirs"?, nil, false): resolution = .theirs
        case ("base"?, nil, false): resolution = .base
        case (nil, let value?, false): resolution = .value(Array(value.utf8))
        case (nil, nil, true): resolution = .remove
        default:
            throw APIError(.badRequest, "invalidArgument",
                           "give exactly one of take (ours, theirs or base), value or remove: true")
        }
        let (record, inbox) = try findConflict(request)
        let author = try body.author.map { try Identity(parsing: $0).signature() }
        let head = try inbox.resolve(record.key, branch: record.branch, with: resolution, author: author)
        return JSONResponse.make(.ok, OptionalCommitBody(commit: head?.hex))
    }

    private func findConflict(_ request: Request) throws -> (ConflictRecord, ConflictInbox) {
        let path = try PathSegments(request, after: ["api", "v1", "conflicts"])
        let key = try path.key()
        let inbox = ConflictInbox(repository: repository)
        guard let record = try inbox.record(key, branch: path.branch) else {
            throw APIError(.notFound, "keyNotFound", "there is no recorded conflict at '\(key)' on branch \(path.branch)")
        }
        return (record, inbox)
    }
}

struct ConflictsBody: Encodable { var conflicts: [ConflictRecord] }

struct ResolveRequest: Decodable {
    var take: String?
    var value: String?
    var remove: Bool?
    var author: String?
}
