import Banyan

/// A `git-receive-pack` request taken in as it arrives: the ref update
/// commands are kept in memory up to their flush packet, everything after
/// them (the pack) goes straight into a `PackSpool`, so a push of any size
/// needs memory only for its commands.
///
/// Feed the body with `append` in as many pieces as it comes in, then call
/// `finish` for the response. An upload dropped before `finish` (the client
/// went away) removes its spooled file. Not thread-safe: one task feeds it;
/// `@unchecked Sendable` so that task may hand it to a worker thread for
/// `finish`.
public final class ReceivePackUpload: @unchecked Sendable {
    /// The most command bytes accepted before the pack starts.
    static let maxCommandBytes = 1 << 20

    private let service: GitService
    private var commands: [UInt8] = []
    private var pack: PackSpool?
    /// Why the pack was refused part-way (over the limit); reported by `finish`.
    private var refusal: BanyanError?

    init(service: GitService) {
        self.service = service
    }

    /// Takes the next piece of the request body.
    ///
    /// Throws `limitExceeded` when the commands run past 1 MiB without their
    /// flush, `io` when the pack cannot be written. A pack over the
    /// service's `maxPackBytes` is not an error here: its bytes are dropped
    /// and `finish` reports the refusal to the client.
    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard refusal == nil else { return }
        do {
            if let pack {
                try pack.append(bytes)
                return
            }
            commands.append(contentsOf: bytes)
            guard let end = Self.commandsLength(commands) else {
                guard commands.count <= Self.maxCommandBytes else {
                    throw BanyanError(.limitExceeded, "receive-pack commands are over the \(Self.maxCommandBytes)-byte limit")
                }
                return
            }
            let rest = commands[end...]
            commands.removeSubrange(end...)
            let spool = try PackSpool(for: service.repository, limit: service.options.maxPackBytes)
            pack = spool
            try spool.append(rest)
        } catch let error as BanyanError where error.code == .limitExceeded && pack != nil {
            refusal = error
            pack = nil
        }
    }

    /// Appends `bytes`; see the pointer version.
    public func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    /// Verifies and stores the pack, moves the refs, and returns the report;
    /// a pack that was not kept is removed by the time it returns.
    /// Blocking: call it off the cooperative thread pool.
    public func finish() throws -> GitResponse {
        let spool = pack
        pack = nil
        return GitResponse(contentType: "application/x-git-receive-pack-result",
                           body: try service.receivePackV0(commands: commands, pack: spool, refusal: refusal?.message))
    }

    /// The length of the command section at the start of `bytes` (through its
    /// flush packet), or nil when more bytes are needed to know.
    static func commandsLength(_ bytes: [UInt8]) -> Int? {
        PktLineScan.find(in: bytes[...]) { length, _ in length < 4 }.found
    }
}
