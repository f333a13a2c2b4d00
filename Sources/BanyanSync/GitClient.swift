import Banyan

/// A ref as a remote advertises it.
public struct RemoteRef: Hashable, Sendable {
    /// The full name, e.g. `refs/heads/main`.
    public var name: String
    /// The object it points at.
    public var id: ObjectID
    /// For an annotated tag, the object it finally points at.
    public var peeled: ObjectID?
}

/// What `ls-refs` found.
public struct RemoteRefs: Sendable {
    /// Every ref under the prefixes asked for, in the remote's order.
    public var refs: [RemoteRef]
    /// The branch the remote's `HEAD` names, if any (also when that branch has no commit yet).
    public var headTarget: String?
    /// The commit `HEAD` points at, if any.
    public var head: ObjectID?

    /// The ref named `name`, if advertised.
    public func find(_ name: String) -> RemoteRef? { refs.first { $0.name == name } }
}

/// What a fetch brought.
public struct FetchResult: Sendable {
    /// The ids of the objects received (empty when nothing was missing).
    public var objects: [ObjectID]
    /// The size of the pack received, in bytes (0 when none was sent).
    public var packBytes: Int
    /// How many request-response rounds the negotiation took.
    public var rounds: Int
    /// The repository's shallow commits after the fetch.
    public var shallow: Set<ObjectID>
    /// What Git's fsck rules found in the received objects without refusing
    /// them (warnings under the repository's `fetch.fsck.*` policy).
    public var warnings: [FsckFinding] = []
}

/// Git's smart protocol, client side, over any `Transport`: protocol v2
/// `ls-refs` and `fetch` (with have/want negotiation), v0 `receive-pack` for
/// pushes. Received packs are verified in full before anything is stored.
public struct GitClient: Sendable {
    /// The way to the remote.
    public let transport: any Transport
    /// The local repository objects come from and go to.
    public let repository: Repository
    /// Receives progress lines (the remote's and our own), or nil for silence.
    public var progress: (@Sendable (String) -> Void)?
    /// The most `have` lines sent before giving up on finding common history.
    public var maxHaves = 1024

    /// A client for `repository` talking over `transport`.
    public init(transport: any Transport, repository: Repository, progress: (@Sendable (String) -> Void)? = nil) {
        self.transport = transport
        self.repository = repository
        self.progress = progress
    }

    var objectFormat: String { repository.hashAlgorithm.rawValue }

    /// The remote's v2 capabilities, or nil when it answers with a v0 advertisement.
    func capabilitiesIfVersion2() async throws -> [String]? {
        do {
            return try await capabilities()
        } catch let error as BanyanError where error.code == .unsupported && error.message.contains("protocol v2") {
            return nil
        }
    }

    /// Checks the remote speaks protocol v2 with our object format; returns its capabilities.
    func capabilities() async throws -> [String] {
        let bytes = try await transport.advertisement(service: .uploadPack, version2: true)
        var reader = PktLineReader(bytes)
        var lines: [String] = []
        while let line = try reader.next() {
            guard let text = line.text else { break }
            if text.hasPrefix("# service=") { _ = try reader.next(); continue }
            lines.append(text)
        }
        guard lines.first == "version 2" else {
            throw BanyanError(.unsupported, "the remote does not speak Git protocol v2 (first line \((lines.first ?? "").debugDescription))")
        }
        let format = lines.first { $0.hasPrefix("object-format=") }.map { String($0.dropFirst("object-format=".count)) } ?? "sha1"
        guard format == objectFormat else {
            throw BanyanError(.unsupported, "the remote's object format is \(format), this repository's is \(objectFormat)")
        }
        return lines
    }

    /// A v2 command request: command, capabilities, arguments.
    func command(_ name: String, arguments: [String]) throws -> [UInt8] {
        var writer = PktLineWriter()
        try writer.line("command=\(name)")
        try writer.line("agent=\(GitService.agent)")
        try writer.line("object-format=\(objectFormat)")
        writer.delim()
        for argument in arguments { try writer.line(argument) }
        writer.flush()
        return writer.bytes
    }

    /// Lists the remote's `HEAD`, branches and tags (`ls-refs` with symrefs, peel and unborn).
    public func listRefs(prefixes: [String] = ["refs/heads/", "refs/tags/"]) async throws -> RemoteRefs {
        guard let capabilities = try await capabilitiesIfVersion2() else {
            var refs = try await uploadPackAdvertisementV0().refs
            refs.refs.removeAll { ref in !prefixes.contains { ref.name.hasPrefix($0) } }
            return refs
        }
        var arguments = ["symrefs", "peel", "ref-prefix HEAD"] + prefixes.map { "ref-prefix \($0)" }
        if capabilities.contains(where: { $0.hasPrefix("ls-refs") && $0.contains("unborn") }) { arguments.append("unborn") }
        let response = try await transport.exchange(service: .uploadPack, body: try command("ls-refs", arguments: arguments), version2: true)
        return try parseRefList(response)
    }

    /// Reads an `ls-refs` answer: `<id> <name>` lines with `symref-target:`
    /// and `peeled:` attributes, `unborn HEAD`.
    ///
    /// Throws `io` for the remote's `ERR`, `corruptObject` for a line that
    /// is not a ref or an id of another hash function.
    func parseRefList(_ response: [UInt8]) throws -> RemoteRefs {
        var reader = PktLineReader(response)
        var result = RemoteRefs(refs: [], headTarget: nil, head: nil)
        while let line = try reader.next(), let text = line.text {
            if text.hasPrefix("ERR ") { throw BanyanError(.io, "remote error: \(text.dropFirst(4))") }
            let words = text.split(separator: " ").map(String.init)
            guard words.count >= 2 else { throw BanyanError(.corruptObject, "bad ls-refs line \(text.debugDescription)") }
            var symref: String?
            var peeled: ObjectID?
            for attribute in words.dropFirst(2) {
                if attribute.hasPrefix("symref-target:") { symref = String(attribute.dropFirst("symref-target:".count)) }
                if attribute.hasPrefix("peeled:") { peeled = try parseID(String(attribute.dropFirst("peeled:".count))) }
            }
            if words[1] == "HEAD" {
                result.headTarget = symref
                result.head = words[0] == "unborn" ? nil : try parseID(words[0])
            } else {
                result.refs.append(RemoteRef(name: words[1], id: try parseID(words[0]), peeled: peeled))
            }
        }
        return result
    }

    func parseID(_ hex: String) throws -> ObjectID {
        guard let id = ObjectID(hex: hex), id.algorithm == repository.hashAlgorithm else {
            throw BanyanError(.corruptObject, "the remote sent \(hex.debugDescription), not a \(objectFormat) object id")
        }
        return id
    }

    /// Fetches the objects of `wants` that the repository lacks, negotiating
    /// with the local refs' history so the remote sends only what is missing.
    /// No request is made when nothing is missing.
    ///
    /// With `depth`, history is cut `depth` commits below each want and the
    /// cut commits are recorded as the repository's shallow commits (`Repository.setShallowCommits(_:)`).
    ///
    /// With `filter`, the remote leaves out the trees and blobs it names (a
    /// partial clone's fetch; the remote must advertise `filter`, which
    /// needs protocol v2). With `promisor`, the received pack is kept as a
    /// promisor pack. Into a partial clone (or with either), trees and
    /// blobs the pack lacks do not fail the connectivity check: the
    /// remote leaves out what the repository's history names, which a
    /// partial clone may lack too. Throws `unsupported` when the remote cannot filter.
    public func fetch(wants: [ObjectID], depth: Int? = nil, filter: ObjectFilter? = nil, promisor: Bool = false) async throws -> FetchResult {
        var shallow = try repository.shallowCommits()
        let missing = try Array(Set(wants.filter { try !repository.objects.contains($0) })).sorted()
        guard !missing.isEmpty || depth != nil else {
            return FetchResult(objects: [], packBytes: 0, rounds: 0, shallow: shallow)
        }
        let started = ContinuousClock.now
        let promised = promisor || filter != nil || repository.isPartialClone
        guard let capabilities = try await capabilitiesIfVersion2() else {
            guard depth == nil else { throw BanyanError(.unsupported, "shallow fetches need a protocol v2 server") }
            guard filter == nil else { throw BanyanError(.unsupported, "partial fetches (a filter) need a protocol v2 server") }
            let (_, capabilities) = try await uploadPackAdvertisementV0()
            var walk = HaveWalk(repository: repository, shallow: shallow)
            let pack = try await fetchPackV0(wants: missing, capabilities: capabilities, haves: try walk.next(maxHaves))
            let received = try PackIngest.ingest(pack, into: repository, policy: try repository.fsckPolicy(.fetch), promisor: promisor)
            try PackIngest.checkConnected(tips: missing, received: received, shallow: shallow, promised: promised, in: repository)
            progress?("Received \(received.ids.count) objects, \(Self.rate(bytes: pack.count, since: started))\n")
            return FetchResult(objects: received.ids, packBytes: pack.count, rounds: 1, shallow: shallow, warnings: received.warnings)
        }
        var base = ["thin-pack", "ofs-delta", "include-tag"]
        if progress == nil { base.append("no-progress") }
        base += (missing.isEmpty ? wants : missing).map { "want \($0)" }
        base += shallow.sorted().map { "shallow \($0)" }
        if let depth { base.append("deepen \(depth)") }
        if let filter {
            try Self.checkFilterSupported(capabilities)
            base.append("filter \(filter)")
        }

        var haves = HaveWalk(repository: repository, shallow: shallow)
        var common: [ObjectID] = []
        var sent = 0
        var batch = 16
        var rounds = 0
        while true {
            try Task.checkCancellation()
            rounds += 1
            let next = try haves.next(batch)
            sent += next.count
            let done = next.isEmpty || sent >= maxHaves || (!common.isEmpty && rounds > 1)
            var arguments = base + common.map { "have \($0)" } + next.map { "have \($0)" }
            if done { arguments.append("done") }
            let stream = FetchResponseStream(pack: try PackSpool(for: repository), progress: progress)
            try await transport.exchange(service: .uploadPack, body: try command("fetch", arguments: arguments), version2: true) {
                try stream.append($0)
            }
            guard let parsed = try parseFetchResponse(try stream.finish()) else { continue }
            if parsed.packfile {
                let pack = stream.pack
                let received = try PackIngest.ingest(pack, into: repository, policy: try repository.fsckPolicy(.fetch),
                                                     promisor: promisor)
                shallow.subtract(parsed.unshallow)
                shallow.formUnion(parsed.shallow)
                try PackIngest.checkConnected(tips: missing, received: received, shallow: shallow, promised: promised,
                                              in: repository)
                if !parsed.shallow.isEmpty || !parsed.unshallow.isEmpty { try repository.setShallowCommits(shallow) }
                progress?("Received \(received.ids.count) objects, \(Self.rate(bytes: pack.count, since: started))\n")
                return FetchResult(objects: received.ids, packBytes: pack.count, rounds: rounds, shallow: shallow,
                                   warnings: received.warnings)
            }
            common += parsed.acks.filter { !common.contains($0) }
            if done { throw BanyanError(.corruptObject, "the remote answered `done` without a pack") }
            batch = min(batch * 2, 256)
        }
    }

    /// "1.2 MiB in 0.8 s, 1.5 MiB/s" for progress lines.
    static func rate(bytes: Int, since start: ContinuousClock.Instant) -> String {
        let elapsed = ContinuousClock.now - start
        let seconds = max(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, 0.001)
        let mib = Double(bytes) / 1_048_576
        let format = { (value: Double) in String(Double(Int(value * 100)) / 100) }
        return "\(format(mib)) MiB in \(format(seconds)) s, \(format(mib / seconds)) MiB/s"
    }

    struct FetchResponse {
        var acks: [ObjectID] = []
        var shallow: [ObjectID] = []
        var unshallow: [ObjectID] = []
        /// True when a `packfile` section follows (the pack itself is streamed elsewhere).
        var packfile = false
    }

    /// Parses the sections of a v2 fetch response before its pack.
    func parseFetchResponse(_ bytes: [UInt8]) throws -> FetchResponse? {
        var reader = PktLineReader(bytes)
        var response = FetchResponse()
        while let header = try reader.next() {
            guard let name = header.text else { continue }
            if name.hasPrefix("ERR ") { throw BanyanError(.io, "remote error: \(name.dropFirst(4))") }
            switch name {
            case "acknowledgments":
                let section = try reader.section()
                for line in section.lines {
                    let text = PktLine.data(line).text ?? ""
                    if text.hasPrefix("ACK ") { response.acks.append(try parseID(String(text.dropFirst(4)))) }
                }
                if section.end != .delim { return response }
            case "shallow-info":
                for line in try reader.section().lines {
                    let text = PktLine.data(line).text ?? ""
                    if text.hasPrefix("shallow ") { response.shallow.append(try parseID(String(text.dropFirst(8)))) }
                    if text.hasPrefix("unshallow ") { response.unshallow.append(try parseID(String(text.dropFirst(10)))) }
                }
            case "packfile":
                response.packfile = true
                return response
            default:
                _ = try reader.section()
            }
        }
        return response
    }
}
