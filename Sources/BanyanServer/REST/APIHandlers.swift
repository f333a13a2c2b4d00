import Banyan
import Foundation
import HTTPTypes
import Hummingbird

/// The handlers behind ``RESTAPI``; each returns a response or throws an
/// `APIError` or `BanyanError` that the error middleware turns into JSON.
struct APIHandlers: Sendable {
    let repository: Repository
    let options: RESTAPI.Options

    // MARK: Server

    /// `GET /api/v1/info`: whether writes are refused and which branch is the default.
    func info() throws -> Response {
        let head = try repository.refs.headTarget()
        let defaultBranch = try repository.branches().first { (try? repository.branch($0).refName) == head }
        return JSONResponse.make(.ok, InfoBody(readOnly: options.readOnly, defaultBranch: defaultBranch))
    }

    // MARK: Branches

    func branches() throws -> Response {
        let current = try repository.refs.headTarget()
        let list = try repository.branches().map { name in
            let branch = try repository.branch(name)
            return BranchBody(name: name, head: try branch.head()?.hex, isDefault: current == branch.refName)
        }
        return JSONResponse.make(.ok, BranchesBody(branches: list))
    }

    func createBranch(_ request: Request) async throws -> Response {
        try writable()
        let body = try decode(CreateBranchRequest.self, from: try await collect(request))
        let start = try body.from.map { try repository.resolve($0) }
        let branch = try repository.createBranch(body.name, at: start)
        return JSONResponse.make(.created, BranchBody(name: branch.name, head: try branch.head()?.hex,
                                                      isDefault: try repository.refs.headTarget() == branch.refName))
    }

    func deleteBranch(_ request: Request) throws -> Response {
        try writable()
        let path = try PathSegments(request, after: ["api", "v1", "branches"])
        guard path.rest.isEmpty else { throw APIError(.badRequest, "invalidRefName", "encode '/' in a branch name as %2F") }
        try repository.deleteBranch(path.branch)
        return Response(status: .noContent)
    }

    // MARK: Keys

    func getValue(_ request: Request) throws -> Response {
        let path = try PathSegments(request, after: ["api", "v1", "kv"])
        let key = try path.key()
        let commit = try commit(at: request, branch: path.branch)
        guard let value = try repository.snapshot(commit: commit).find(key) else {
            throw APIError(.notFound, "keyNotFound", "no value at '\(key)'")
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        // A stored value is whatever a writer put there, HTML and scripts
        // included: a browser opening this URL must neither guess a type
        // nor run it as a page of the server's origin, where it could use the
        // console's token.
        headers[.xContentTypeOptions] = "nosniff"
        headers[.contentSecurityPolicy] = "sandbox"
        headers[.eTag] = "\"\(commit.hex)\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: value)))
    }

    func putValue(_ request: Request) async throws -> Response {
        try writable()
        let path = try PathSegments(request, after: ["api", "v1", "kv"])
        let key = try path.key()
        let value = try await collect(request)
        let id = try write(request, branch: path.branch, defaultMessage: "set \(key)") { $0.set(key, Data(value)) }
        return JSONResponse.make(.ok, CommitBody(commit: id?.hex ?? ""), headers: etag(id))
    }

    func deleteValue(_ request: Request) throws -> Response {
        try writable()
        let path = try PathSegments(request, after: ["api", "v1", "kv"])
        let key = try path.key()
        let branch = try repository.branch(path.branch)
        guard try branch.exists(key) else { throw APIError(.notFound, "keyNotFound", "no value at '\(key)'") }
        let id = try write(request, branch: path.branch, defaultMessage: "remove \(key)") { $0.remove(key) }
        return JSONResponse.make(.ok, OptionalCommitBody(commit: id?.hex), headers: etag(id))
    }

    func list(_ request: Request) throws -> Response {
        let path = try PathSegments(request, after: ["api", "v1", "list"])
        let prefix = path.rest.isEmpty ? Key.root : try Key(segments: path.rest)
        let head = try commit(at: request, branch: path.branch)
        let entries = try repository.snapshot(commit: head).list(prefix).map {
            EntryBody(name: $0.name, key: $0.key.path, kind: $0.kind.rawValue, id: $0.id.hex)
        }
        return JSONResponse.make(.ok, ListBody(entries: entries), headers: etag(head))
    }

    // MARK: Commits and history

    func commit(_ request: Request) async throws -> Response {
        try writable()
        let path = try PathSegments(request, after: ["api", "v1", "commit"])
        guard path.rest.isEmpty else { throw APIError(.badRequest, "invalidRefName", "encode '/' in a branch name as %2F") }
        let body = try decode(CommitRequest.self, from: try await collect(request))
        let sets = try (body.set ?? [:]).map { (try Key($0.key), Data($0.value.utf8)) }
        let removes = try (body.remove ?? []).map { try Key($0) }
        let expected = try body.expect.map { try ObjectID(validating: $0) }
        let author = try body.author.map { try Identity(parsing: $0).signature() }
        let id = try write(branch: path.branch, expected: expected, message: body.message ?? "commit", author: author) { tx in
            for key in removes { tx.remove(key) }
            for (key, value) in sets { tx.set(key, value) }
        }
        return JSONResponse.make(.ok, CommitBody(commit: id?.hex ?? ""), headers: etag(id))
    }

    func log(_ request: Request) throws -> Response {
        let path = try PathSegments(request, after: ["api", "v1", "log"])
        let limit = try request.uri.queryParameters["limit"].map { text -> Int in
            guard let n = Int(text), n >= 1 else { throw APIError(.badRequest, "invalidArgument", "limit must be a positive integer") }
            return n
        }
        let key = try request.uri.queryParameters["key"].map { try Key(String($0)) }
        let start = try commit(at: request, branch: path.branch)
        let entries = try key.map { try history(of: $0, from: start, limit: limit) } ?? repository.log(from: start, limit: limit)
        return JSONResponse.make(.ok, LogBody(commits: entries))
    }

    func diff(_ request: Request) throws -> Response {
        guard let to = request.uri.queryParameters["to"].map(String.init) else {
            throw APIError(.badRequest, "invalidArgument", "diff needs ?to=REV (and ?from=REV, else the first parent of to)")
        }
        var new = try repository.resolve(to)
        let old: ObjectID?
        if let from = request.uri.queryParameters["from"].map(String.init) {
            old = try repository.resolve(from)
        } else {
            new = try repository.peelToCommit(new)
            old = try repository.commit(new).parents.first
        }
        let changes = try old.map { try repository.diff(from: $0, to: new).map(ChangeBody.init) }
            ?? repository.snapshot(commit: new).walk().map {
                ChangeBody(key: $0.key.path, kind: KeyChange.Kind.added.rawValue, old: nil, new: $0.id.hex)
            }
        return JSONResponse.make(.ok, DiffBody(from: old?.hex, to: new.hex, changes: changes))
    }

    func merge(_ request: Request) async throws -> Response {
        try writable()
        let body = try decode(MergeRequest.self, from: try await collect(request))
        let policy = try conflictPolicy(body.onConflict)
        let target = try repository.branch(body.target)
        guard try target.exists() else { throw APIError(.notFound, "refNotFound", "branch \(body.target) does not exist") }
        let author = try body.author.map { try Identity(parsing: $0).signature() }
        switch try repository.merge(from: body.source, into: target, onConflict: policy, message: body.message, author: author) {
        case .upToDate: return JSONResponse.make(.ok, MergeBody(outcome: "upToDate", commit: try target.head()?.hex))
        case .fastForward(let id): return JSONResponse.make(.ok, MergeBody(outcome: "fastForward", commit: id.hex))
        case .merged(let id): return JSONResponse.make(.ok, MergeBody(outcome: "merged", commit: id.hex))
        case .recorded(let id, let conflicts):
            return JSONResponse.make(.ok, MergeBody(outcome: "recorded", commit: id.hex, recorded: conflicts.map(\.key.path)))
        case .conflicts(let conflicts):
            throw APIError(.conflict, "mergeConflict", "\(conflicts.count) conflict(s); the target did not move",
                           conflicts: conflicts.map(ConflictBody.init))
        }
    }

    // MARK: Helpers

    /// The policy an `onConflict` value names (default `fail`); 400 for another value.
    func conflictPolicy(_ name: String?) throws -> ConflictPolicy {
        switch name ?? "fail" {
        case "fail": .fail
        case "ours": .ours
        case "theirs": .theirs
        case "record": .record
        case let other: throw APIError(.badRequest, "invalidArgument", "onConflict is fail, ours, theirs or record, not '\(other)'")
        }
    }

    func writable() throws {
        if options.readOnly { throw APIError(.forbidden, "readOnly", "this server is read-only: writes are refused") }
    }

    func collect(_ request: Request) async throws -> [UInt8] {
        try await RequestBody.collect(request, limit: options.maxBodyBytes)
    }

    func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw APIError(.badRequest, "invalidArgument", "the request body is not the JSON this endpoint takes")
        }
    }

    private func etag(_ id: ObjectID?) -> HTTPFields {
        var headers = HTTPFields()
        if let id { headers[.eTag] = "\"\(id.hex)\"" }
        return headers
    }

    /// A write with the `If-Match`, `X-Banyan-Message` and `X-Banyan-Author` headers applied.
    private func write(_ request: Request, branch: String, defaultMessage: String,
                       _ body: @escaping (inout Transaction) -> Void) throws -> ObjectID? {
        let expected = try request.headers[.ifMatch].map { text -> ObjectID in
            let hex = text.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
            guard let id = ObjectID(hex: hex) else {
                throw APIError(.preconditionFailed, "staleRef", "If-Match must be a commit id")
            }
            return id
        }
        let author = try request.headers[.banyanAuthor].map { try Identity(parsing: $0).signature() }
        return try write(branch: branch, expected: expected, message: request.headers[.banyanMessage] ?? defaultMessage,
                         author: author, body)
    }

    /// One commit on `branch`; with `expected`, only when the branch is still there (else 412).
    private func write(branch name: String, expected: ObjectID?, message: String, author: Signature?,
                       _ body: (inout Transaction) -> Void) throws -> ObjectID? {
        let branch = try repository.branch(name)
        let attempts = expected == nil ? 1_000 : 1
        var first = true
        do {
            return try branch.transaction(message: message, author: author, maxAttempts: attempts) { tx in
                if let expected, !first || tx.base.commit != expected {
                    throw APIError(.preconditionFailed, "staleRef",
                                   "branch \(name) is at \(tx.base.commit?.hex ?? "no commit"), not \(expected.hex)")
                }
                first = false
                body(&tx)
            }
        } catch let error as BanyanError where error.code == .staleRef && expected != nil {
            throw APIError(.preconditionFailed, "staleRef", error.message)
        }
    }
}

extension HTTPField.Name {
    static let banyanMessage = HTTPField.Name("X-Banyan-Message")!
    static let banyanAuthor = HTTPField.Name("X-Banyan-Author")!
    static let lastEventID = HTTPField.Name("Last-Event-ID")!
}
