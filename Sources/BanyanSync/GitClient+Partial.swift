import Banyan

/// The client side of partial clones: fetching objects by id from a promisor remote.
extension GitClient {
    /// Throws `unsupported` unless the v2 `capabilities` offer `fetch=… filter`.
    static func checkFilterSupported(_ capabilities: [String]) throws {
        let fetch = capabilities.first { $0 == "fetch" || $0.hasPrefix("fetch=") } ?? ""
        guard fetch.dropFirst("fetch=".count).split(separator: " ").contains("filter") else {
            throw BanyanError(.unsupported, "the remote does not filter fetches (no `filter` in its fetch capability; "
                + "a git server needs uploadpack.allowFilter=true), so it cannot serve a partial replica")
        }
    }

    /// Fetches the objects `ids` by id, as Git's partial clone fetches a
    /// missing object: wants without haves (the remote sends what they
    /// reach, less what `filter` leaves out), the pack kept as a promisor
    /// pack. Ids already present are not asked for; no request is made
    /// when none is missing.
    ///
    /// The remote must accept wants of any object it has (protocol v2
    /// servers, `banyan serve`, git with `uploadpack.allowAnySHA1InWant`).
    /// Throws `unsupported` for a protocol v0 remote or one that cannot
    /// filter, `io` for the remote's refusal, `objectNotFound` when the
    /// pack lacks an object asked for.
    public func fetchObjects(_ ids: [ObjectID], filter: ObjectFilter? = nil) async throws -> FetchResult {
        let missing = try Array(Set(ids.filter { try !repository.objects.contains($0) })).sorted()
        let shallow = try repository.shallowCommits()
        guard !missing.isEmpty else { return FetchResult(objects: [], packBytes: 0, rounds: 0, shallow: shallow) }
        guard let capabilities = try await capabilitiesIfVersion2() else {
            throw BanyanError(.unsupported, "fetching missing objects by id needs a protocol v2 server")
        }
        var arguments = ["ofs-delta"]
        if progress == nil { arguments.append("no-progress") }
        if let filter {
            try Self.checkFilterSupported(capabilities)
            arguments.append("filter \(filter)")
        }
        arguments += missing.map { "want \($0)" }
        arguments.append("done")
        let stream = FetchResponseStream(pack: try PackSpool(for: repository), progress: progress)
        try await transport.exchange(service: .uploadPack, body: try command("fetch", arguments: arguments), version2: true) {
            try stream.append($0)
        }
        guard let parsed = try parseFetchResponse(try stream.finish()), parsed.packfile else {
            throw BanyanError(.corruptObject, "the remote answered a fetch of \(missing.count) objects without a pack")
        }
        let pack = stream.pack
        let received = try PackIngest.ingest(pack, into: repository, policy: try repository.fsckPolicy(.fetch), promisor: true)
        for id in missing where try !repository.objects.contains(id) {
            throw BanyanError(.objectNotFound, "the remote sent no object \(id), though asked for it")
        }
        return FetchResult(objects: received.ids, packBytes: pack.count, rounds: 1, shallow: shallow, warnings: received.warnings)
    }
}
