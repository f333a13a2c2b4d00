import Banyan

/// The body and headers of one Git smart-HTTP response.
public struct GitResponse: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The `Content-Type` header.
    public var contentType: String
    /// The body.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int = 200, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

/// Git's smart-HTTP services over one repository, as pure request-to-response
/// functions: `/info/refs`, `git-upload-pack` (protocol v2 and v0) and
/// `git-receive-pack` (v0). The HTTP layer only routes and authenticates.
///
/// Thread-safe: every call reads the repository afresh and moves refs by
/// compare-and-swap.
public final class GitService: Sendable {
    /// What the service allows and how much it accepts.
    public struct Options: Sendable {
        /// Refuse `git-receive-pack` (pushes).
        public var readOnly: Bool
        /// Accept pushes that are not fast-forwards (Git's `receive.denyNonFastForwards=false`).
        public var allowNonFastForward: Bool
        /// Accept pushes that delete refs.
        public var allowDeletes: Bool
        /// The largest request body, after gzip decoding.
        public var maxRequestBytes: Int
        /// The largest pack a push may send.
        public var maxPackBytes: Int
        /// The largest single object a push may send.
        public var maxObjectBytes: Int

        /// Options with defaults: writable, fast-forwards only, 1 GiB bodies and packs, 256 MiB objects.
        public init(readOnly: Bool = false, allowNonFastForward: Bool = false, allowDeletes: Bool = true,
                    maxRequestBytes: Int = 1 << 30, maxPackBytes: Int = 1 << 30, maxObjectBytes: Int = 256 << 20) {
            self.readOnly = readOnly
            self.allowNonFastForward = allowNonFastForward
            self.allowDeletes = allowDeletes
            self.maxRequestBytes = maxRequestBytes
            self.maxPackBytes = maxPackBytes
            self.maxObjectBytes = maxObjectBytes
        }
    }

    /// The Git services this type implements.
    public enum Service: String, Sendable {
        /// Fetch and clone.
        case uploadPack = "git-upload-pack"
        /// Push.
        case receivePack = "git-receive-pack"
    }

    /// The repository served.
    public let repository: Repository
    /// The options in force.
    public let options: Options
    /// The `agent=` capability value.
    public static let agent = "banyan/0.1"

    /// A service over `repository`.
    public init(repository: Repository, options: Options = Options()) {
        self.repository = repository
        self.options = options
    }

    /// True when a `Git-Protocol` header asks for protocol version 2.
    public static func wantsVersion2(_ gitProtocol: String?) -> Bool {
        guard let gitProtocol else { return false }
        return gitProtocol.split(separator: ":").contains { $0.trimmingCharacters(in: .whitespaces) == "version=2" }
    }

    /// The response to `GET /info/refs?service=NAME`.
    ///
    /// Throws `unsupported` for an unknown service and `invalidArgument`
    /// (mapped to 403) for receive-pack on a read-only server.
    public func infoRefs(service name: String, gitProtocol: String?) throws -> GitResponse {
        guard let service = Service(rawValue: name) else {
            throw BanyanError(.unsupported, "unknown service \(name.debugDescription)")
        }
        if service == .receivePack, options.readOnly {
            throw ServiceError.forbidden("this server is read-only: pushes are refused")
        }
        var writer = PktLineWriter()
        if service == .uploadPack, Self.wantsVersion2(gitProtocol) {
            for line in capabilitiesV2() { try writer.line(line) }
            writer.flush()
        } else {
            try writer.line("# service=\(service.rawValue)")
            writer.flush()
            try advertiseRefsV0(service: service, into: &writer)
        }
        return GitResponse(contentType: "application/x-\(service.rawValue)-advertisement", body: writer.bytes)
    }

    /// The response to `POST /git-upload-pack` with the (decoded) request body.
    public func uploadPack(body: [UInt8], gitProtocol: String?) throws -> GitResponse {
        var result: [UInt8] = []
        try uploadPack(body: body, gitProtocol: gitProtocol) { result.append(contentsOf: $0) }
        return GitResponse(contentType: Self.uploadPackResultType, body: result)
    }

    /// The body of the response to `POST /git-upload-pack`, handed to
    /// `write` in pieces as it is produced: the pack goes out while it is
    /// written, not once it is whole. The content type is `uploadPackResultType`.
    ///
    /// A request the service refuses gets an `ERR` packet, as Git's does;
    /// errors that arise once the pack is flowing (and `io` errors) are thrown.
    public func uploadPack(body: [UInt8], gitProtocol: String?, write: @escaping ([UInt8]) throws -> Void) throws {
        try checkSize(body)
        let response = UploadPackResponse(deliver: write)
        do {
            if Self.wantsVersion2(gitProtocol) { try uploadPackV2(body, into: response) } else { try uploadPackV0(body, into: response) }
        } catch let error as BanyanError where error.code != .io && !response.started {
            response.discard()
            var writer = PktLineWriter()
            try writer.line("ERR \(error.message)")
            try response.send(writer)
        }
        try response.finish()
    }

    /// The content type of upload-pack responses.
    public static let uploadPackResultType = "application/x-git-upload-pack-result"

    /// The response to `POST /git-receive-pack` with the (decoded) request body.
    public func receivePack(body: [UInt8]) throws -> GitResponse {
        try checkSize(body)
        let upload = try receivePackUpload()
        try upload.append(body)
        return try upload.finish()
    }

    /// A receive-pack request to feed as its body arrives (see
    /// `ReceivePackUpload`): the pack is spooled, not held in memory.
    ///
    /// Throws `ServiceError.forbidden` on a read-only server.
    public func receivePackUpload() throws -> ReceivePackUpload {
        guard !options.readOnly else { throw ServiceError.forbidden("this server is read-only: pushes are refused") }
        return ReceivePackUpload(service: self)
    }

    private func checkSize(_ body: [UInt8]) throws {
        guard body.count <= options.maxRequestBytes else {
            throw BanyanError(.limitExceeded, "request body of \(body.count) bytes is over the \(options.maxRequestBytes)-byte limit")
        }
    }

    /// The object format capability value.
    var objectFormat: String { repository.hashAlgorithm.rawValue }

    /// Every ref to advertise, sorted, with HEAD's target.
    func advertisedRefs() throws -> (head: (target: String?, id: ObjectID?), refs: [(name: String, id: ObjectID)]) {
        let refs = try repository.refs.list(prefix: "refs/")
        let target = try repository.refs.headTarget()
        let head = try repository.refs.resolve("HEAD")
        return ((target, head), refs)
    }

    /// The object an annotated tag finally points at, or nil when `id` is not a tag.
    func peeled(_ id: ObjectID) throws -> ObjectID? {
        guard let raw = try repository.objects.find(id), raw.kind == .tag else { return nil }
        return try repository.peel(id).id
    }
}

/// A refusal the HTTP layer maps to a status code other than 400.
public enum ServiceError: Error, Sendable, CustomStringConvertible {
    /// 403: the request is understood and refused (read-only server).
    case forbidden(String)

    public var description: String {
        switch self {
        case .forbidden(let message): return message
        }
    }
}
