import Banyan

/// Carries Git smart-protocol messages to a remote repository: the ref
/// advertisement (`GET /info/refs`) and one request-response exchange
/// (`POST /git-upload-pack`, `/git-receive-pack`), stateless as over HTTP.
///
/// `GitClient` speaks the protocol on top; a transport only moves bytes.
/// Implementations are thread-safe; calls honour task cancellation.
public protocol Transport: Sendable {
    /// The ref advertisement for `service`; `version2` asks for protocol v2.
    func advertisement(service: GitService.Service, version2: Bool) async throws -> [UInt8]

    /// Sends `body` to `service` and returns the whole response.
    func exchange(service: GitService.Service, body: [UInt8], version2: Bool) async throws -> [UInt8]

    /// Sends `body` to `service` and hands the response to `receive` in
    /// pieces as they arrive, so a large pack need not be held in memory.
    /// The default implementation hands over the whole response at once.
    func exchange(service: GitService.Service, body: [UInt8], version2: Bool,
                  receive: (UnsafeRawBufferPointer) throws -> Void) async throws
}

extension Transport {
    public func exchange(service: GitService.Service, body: [UInt8], version2: Bool,
                         receive: (UnsafeRawBufferPointer) throws -> Void) async throws {
        try await exchange(service: service, body: body, version2: version2).withUnsafeBytes(receive)
    }
}

/// A transport to another repository in the same process (a local path):
/// the remote side runs `GitService` directly, with no HTTP.
public struct LocalTransport: Transport {
    /// The service over the remote repository.
    public let service: GitService

    /// A transport to `repository`, served with `options`.
    public init(repository: Repository, options: GitService.Options = .init()) {
        self.service = GitService(repository: repository, options: options)
    }

    /// A transport to the repository at `path`.
    public init(path: String, options: GitService.Options = .init()) throws {
        self.init(repository: try Repository.open(at: path), options: options)
    }

    public func advertisement(service name: GitService.Service, version2: Bool) async throws -> [UInt8] {
        try Task.checkCancellation()
        return try service.infoRefs(service: name.rawValue, gitProtocol: version2 ? "version=2" : nil).body
    }

    public func exchange(service name: GitService.Service, body: [UInt8], version2: Bool) async throws -> [UInt8] {
        try Task.checkCancellation()
        switch name {
        case .uploadPack: return try service.uploadPack(body: body, gitProtocol: version2 ? "version=2" : nil).body
        case .receivePack: return try service.receivePack(body: body).body
        }
    }
}
