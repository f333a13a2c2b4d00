import Banyan

/// One ref a push moves.
public struct RefUpdate: Hashable, Sendable {
    /// The remote ref, e.g. `refs/heads/main`.
    public var name: String
    /// The local object to set it to, or nil to delete it.
    public var new: ObjectID?
    /// Move it even when the move is not a fast-forward.
    public var force: Bool

    /// Creates an update.
    public init(name: String, new: ObjectID?, force: Bool = false) {
        self.name = name
        self.new = new
        self.force = force
    }
}

/// How a push went, ref by ref.
public struct PushResult: Sendable {
    /// Per ref: nil when it moved, else the reason it did not.
    public var statuses: [String: String?]
    /// Objects sent.
    public var objectCount: Int
    /// The pack's size in bytes.
    public var packBytes: Int

    /// True when every ref moved.
    public var succeeded: Bool { statuses.values.allSatisfy { $0 == nil } }
}

extension GitClient {
    /// The remote's refs and capabilities as receive-pack advertises them (protocol v0).
    func receivePackAdvertisement() async throws -> (refs: [String: ObjectID], capabilities: Set<String>) {
        let bytes = try await transport.advertisement(service: .receivePack, version2: false)
        let (advertised, capabilities) = try parseV0Advertisement(bytes)
        var refs: [String: ObjectID] = [:]
        for (name, id) in advertised { refs[name] = id }
        let format = capabilities.first { $0.hasPrefix("object-format=") }.map { String($0.dropFirst(14)) } ?? "sha1"
        guard format == objectFormat else {
            throw BanyanError(.unsupported, "the remote's object format is \(format), this repository's is \(objectFormat)")
        }
        return (refs, capabilities)
    }

    /// Pushes `updates`: checks fast-forwards locally (unless forced), sends
    /// a thin pack of what the remote lacks, and reports the remote's verdict
    /// per ref. Refs the remote already holds at the wanted value are not sent.
    ///
    /// Throws only for transport or protocol failures; refused refs are in the result.
    public func push(_ updates: [RefUpdate], atomic: Bool = false) async throws -> PushResult {
        let started = ContinuousClock.now
        let (remote, capabilities) = try await receivePackAdvertisement()
        let zero = ObjectID.zero(repository.hashAlgorithm)
        var statuses: [String: String?] = [:]
        var commands: [(old: ObjectID, new: ObjectID, name: String)] = []
        for update in updates {
            let old = remote[update.name] ?? zero
            let new = update.new ?? zero
            if old == new { statuses[update.name] = .some(nil); continue }
            if update.new == nil, old.isZero { statuses[update.name] = "remote ref does not exist"; continue }
            if !update.force, !old.isZero, let newID = update.new {
                guard try repository.objects.contains(old) else {
                    statuses[update.name] = "fetch first: the remote has work this repository lacks"
                    continue
                }
                guard (try? repository.isAncestor(old, of: newID)) == true else {
                    statuses[update.name] = "non-fast-forward"
                    continue
                }
            }
            commands.append((old, new, update.name))
        }
        guard !commands.isEmpty else { return PushResult(statuses: statuses, objectCount: 0, packBytes: 0) }

        var pack: [UInt8] = []
        var objectCount = 0
        let news = commands.map(\.new).filter { !$0.isZero }
        if !news.isEmpty {
            let haves = try remote.values.filter { try repository.objects.contains($0) }
            let plan = try ObjectWalk(repository: repository).plan(wants: news, haves: haves, thin: true)
            let output = try PackWriter.write(items: plan.items, algorithm: repository.hashAlgorithm, bases: plan.bases,
                                              options: .init(useRefDeltas: !capabilities.contains("ofs-delta")),
                                              reuse: repository.storedEntries)
            pack = output.pack
            objectCount = plan.items.count
            progress?("Sending \(objectCount) objects, \(pack.count) bytes\n")
        }
        var wanted = ["report-status", "agent=\(GitService.agent)"]
        let sideBand = capabilities.contains("side-band-64k")
        if sideBand { wanted.append("side-band-64k") }
        if capabilities.contains("ofs-delta") { wanted.append("ofs-delta") }
        if progress == nil, capabilities.contains("quiet") { wanted.append("quiet") }
        if atomic {
            guard capabilities.contains("atomic") else { throw BanyanError(.unsupported, "the remote does not support atomic pushes") }
            wanted.append("atomic")
        }
        if capabilities.contains("object-format=\(objectFormat)") { wanted.append("object-format=\(objectFormat)") }
        var writer = PktLineWriter()
        for (index, command) in commands.enumerated() {
            var payload = Array("\(command.old) \(command.new) \(command.name)".utf8)
            if index == 0 { payload += [0] + Array(wanted.joined(separator: " ").utf8) }
            payload.append(0x0A)
            try writer.data(payload)
        }
        writer.flush()
        writer.raw(pack)
        let response = try await transport.exchange(service: .receivePack, body: writer.bytes, version2: false)
        var report: [UInt8] = response
        if sideBand {
            var reader = PktLineReader(response)
            report = try SideBand.demultiplex(&reader) { progress?($0) }
        }
        progress?("Sent \(objectCount) objects, \(Self.rate(bytes: pack.count, since: started))\n")
        statuses.merge(try Self.parseReportStatus(report, names: commands.map(\.name))) { $1 }
        return PushResult(statuses: statuses, objectCount: objectCount, packBytes: pack.count)
    }

    /// Reads a `report-status` answer (side-band already removed): each of
    /// `names` maps to nil when the remote took it, else the remote's reason
    /// (or a note that it did not report on it).
    ///
    /// Throws `io` when the remote could not unpack the objects, and what
    /// `PktLineReader` throws for bytes that are not pkt-lines.
    static func parseReportStatus(_ report: [UInt8], names: [String]) throws -> [String: String?] {
        var statuses: [String: String?] = [:]
        var reader = PktLineReader(report)
        while let line = try reader.next(), let text = line.text {
            if text.hasPrefix("unpack "), text != "unpack ok" {
                throw BanyanError(.io, "the remote could not unpack the pushed objects: \(text.dropFirst(7))")
            } else if text.hasPrefix("ok "), text.count > 3 {
                statuses[String(text.dropFirst(3))] = .some(nil)
            } else if text.hasPrefix("ng ") {
                let rest = text.dropFirst(3).split(separator: " ", maxSplits: 1).map(String.init)
                guard let name = rest.first else { throw BanyanError(.corruptObject, "bad report-status line \(text.debugDescription)") }
                statuses[name] = rest.count > 1 ? rest[1] : "rejected"
            }
        }
        for name in names where statuses[name] == nil {
            statuses[name] = "the remote did not report on this ref"
        }
        return statuses
    }
}
