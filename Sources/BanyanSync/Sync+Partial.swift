import Banyan

/// Partial replicas: fetching the values under the prefixes, and the
/// objects left out when they are read.
extension Sync {
    /// Fetches the values under `partial`'s prefixes at the commits `tips`
    /// that the repository lacks, in one request (after one per level of
    /// trees a tree filter left out on the way); nil when none is missing.
    func fetchValues(_ partial: PartialReplica, at tips: [ObjectID], client: GitClient) async throws -> FetchResult? {
        let commits = tips.compactMap { try? repository.peelToCommit($0) }
        var result: FetchResult?
        func add(_ fetched: FetchResult) {
            guard var sum = result else { return result = fetched }
            sum.objects += fetched.objects
            sum.packBytes += fetched.packBytes
            sum.rounds += fetched.rounds
            sum.warnings += fetched.warnings
            result = sum
        }
        while true {
            let missing = try partial.missing(at: commits, in: repository)
            guard missing.trees.isEmpty else {
                // The trees with all the trees under them, no values: the next look goes further.
                add(try await client.fetchObjects(missing.trees, filter: .blobNone))
                continue
            }
            if !missing.values.isEmpty { add(try await client.fetchObjects(missing.values, filter: partial.filter)) }
            return result
        }
    }

    /// Fetches every record and version of the remote's conflict inbox at
    /// `tip` that the replica lacks (the filter left them behind: they are
    /// not under its prefixes), so the inbox reads and merges offline.
    func fetchInbox(_ tip: ObjectID?, client: GitClient) async throws -> FetchResult? {
        guard let tip, try repository.objects.contains(tip) else { return nil }
        var missing: [ObjectID] = []
        for (_, id) in try repository.snapshot(commit: tip).walk() where try !repository.objects.contains(id) {
            missing.append(id)
        }
        return missing.isEmpty ? nil : try await client.fetchObjects(missing, filter: .blobNone)
    }

    /// Fetches, in one request, the values that merging the remote's
    /// branches `remote` (name → head) into the local branches of the same
    /// names will read and the replica lacks: at the keys both sides
    /// changed since their merge bases, the bases', ours and theirs, and
    /// the root `.gitattributes` that picks the strategies. A merge then
    /// reads nothing from the network (which would block its thread).
    func fetchMergeInputs(_ partial: PartialReplica, remote: [String: ObjectID], client: GitClient) async throws -> FetchResult? {
        var needed = Set<ObjectID>()
        for (name, theirs) in remote {
            guard let ours = try repository.refs.resolve("refs/heads/\(name)"), ours != theirs,
                  try repository.objects.contains(theirs) else { continue }
            let bases = try repository.mergeBases(ours, theirs)
            let changedTheirs = Dictionary(try bases.flatMap { try repository.diff(from: $0, to: theirs) }.map { ($0.key, $0) }) { $1 }
            for base in bases {
                for change in try repository.diff(from: base, to: ours) {
                    guard let other = changedTheirs[change.key] else { continue }
                    needed.formUnion([change.old, change.new, other.old, other.new].compactMap { $0 })
                }
            }
            for commit in bases + [ours, theirs] {
                if let attributes = try repository.tree(repository.commit(commit).tree).entry(named: ".gitattributes") {
                    needed.insert(attributes.id)
                }
            }
        }
        let missing = try needed.filter { try !repository.objects.contains($0) }
        guard !missing.isEmpty else { return nil }
        return try await client.fetchObjects(missing.sorted(), filter: partial.filter)
    }

    /// The partial replica settings a fetch from `url` keeps: those of the
    /// promisor remote when `url` is its URL, else nil.
    func partialReplica(fetching url: String) throws -> PartialReplica? {
        guard let name = try repository.promisorRemote(), try Remotes.find(name, in: repository)?.url == url else { return nil }
        return try PartialReplica.find(remote: name, in: repository)
    }

    /// Fetches the objects `ids` (values, trees) that this partial replica
    /// lacks from its promisor remote (`Repository.promisorRemote()`).
    ///
    /// Throws `invalidArgument` when the repository is not a partial
    /// replica, and `objectNotFound` naming the objects and the remote
    /// when they cannot be fetched (the remote is unreachable, say), with
    /// the transport's error as the cause. An unreachable HTTP remote fails
    /// at once (no connection retries).
    @discardableResult
    public func fetchMissing(_ ids: [ObjectID]) async throws -> FetchResult {
        guard let name = try repository.promisorRemote() else {
            throw BanyanError(.invalidArgument, "this store is not a partial replica (no extensions.partialClone); nothing to fetch lazily")
        }
        let remote = try Remotes.get(name, in: repository)
        let filter = try PartialReplica.find(remote: name, in: repository)?.filter
        do {
            let lower = remote.url.lowercased()
            let transport: any Transport = lower.hasPrefix("http://") || lower.hasPrefix("https://")
                ? try HTTPTransport(url: remote.url, token: token, caFile: caFile ?? repository.loadConfig().value(forKey: "http.sslCAInfo"),
                                    client: HTTPTransport.failFastClient)
                : try transport(remote.url)
            return try await GitClient(transport: transport, repository: repository, progress: progress).fetchObjects(ids, filter: filter)
        } catch {
            let what = ids.count == 1 ? "object \(ids[0])" : "\(ids.count) objects"
            // The message carries the error's own; its cause, if any, stays the cause.
            let banyanError = error as? BanyanError
            var failure = BanyanError(.objectNotFound, "\(what) is not in this partial replica, and fetching it from remote "
                + "\(name) (\(remote.url)) failed: \(banyanError?.message ?? "\(error)")")
            failure.cause = banyanError?.cause
            throw failure
        }
    }

    /// Makes reads of objects this partial replica lacks fetch them from
    /// its promisor remote, with this sync's token and certificate
    /// authorities (`Repository.setMissingObjectFetcher(_:)`); does nothing
    /// for a repository that is not a partial replica.
    ///
    /// A read that fetches blocks its thread for the round trip (the
    /// fetch itself runs on a queue of its own); offline, it throws
    /// `objectNotFound` naming the key (for a value), the object and the remote.
    public func enableLazyFetch() throws {
        guard try repository.promisorRemote() != nil else { return }
        // Weak: the repository keeps the fetcher, which must not keep it alive.
        let (token, caFile) = (token, caFile)
        repository.setMissingObjectFetcher { [weak repository = self.repository] ids in
            guard let repository else { return }
            _ = try BlockingWait.run {
                try await Sync(repository: repository, token: token, caFile: caFile).fetchMissing(ids)
            }
        }
    }
}
