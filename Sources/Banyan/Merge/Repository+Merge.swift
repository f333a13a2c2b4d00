extension Repository {
    /// All best common ancestors of two commits (`git merge-base --all`), newest first.
    ///
    /// Empty for unrelated histories. Cost: reads the commits between the
    /// two and their bases (a priority walk by commit time that stops once
    /// only stale commits are queued), not the whole history; criss-cross
    /// histories with several candidates cost one more walk per candidate.
    public func mergeBases(_ one: ObjectID, _ two: ObjectID) throws -> [ObjectID] {
        try CommitGraph(lookup: commit).mergeBases(try peelToCommit(one), try peelToCommit(two))
    }

    /// True when `ancestor` is `descendant` or one of its ancestors.
    public func isAncestor(_ ancestor: ObjectID, of descendant: ObjectID) throws -> Bool {
        try CommitGraph(lookup: commit).isAncestor(try peelToCommit(ancestor), of: try peelToCommit(descendant))
    }

    /// Merges the trees of commits `ours` and `theirs` without touching any branch.
    ///
    /// Uses all their merge bases (merged recursively into a virtual base when
    /// there are several, as Git's ort does). On success the merged tree and
    /// its new objects are stored (one batch) and its id returned; with
    /// conflicts the policy leaves, nothing is stored. Throws `invalidArgument`
    /// for unrelated histories unless `allowUnrelatedHistories` (then the base
    /// is the empty tree), and whatever a strategy or resolver throws.
    public func mergeCommits(
        _ ours: ObjectID, _ theirs: ObjectID, strategies: MergeStrategies = .builtIn,
        onConflict: ConflictPolicy = .fail, labels: MergeLabels = MergeLabels(),
        allowUnrelatedHistories: Bool = false
    ) throws -> TreeMergeResult {
        if case .record = onConflict {
            throw BanyanError(.invalidArgument, "recording conflicts needs a branch to merge into; merge into a branch instead")
        }
        let ours = try peelToCommit(ours), theirs = try peelToCommit(theirs)
        let bases = try mergeBases(ours, theirs)
        try checkRelated(bases, ours, theirs, allowUnrelatedHistories)
        let objects = MergeObjects(repository: self)
        let (tree, conflicts) = try mergeTrees(ours, theirs, bases: bases, objects: objects, strategies: strategies,
                                               mode: .final(onConflict), labels: labels, depth: 0)
        guard conflicts.isEmpty else { return .conflicts(conflicts.sorted { $0.key < $1.key }) }
        try objects.write()
        return .merged(tree)
    }

    /// Merges revision `source` (a branch, tag, id, `REV~2`, ...) into `target`.
    ///
    /// - Up to date when `target` already contains `source`; fast-forward when
    ///   `source` contains `target` (or `target` has no commit yet); otherwise
    ///   a merge commit with parents `target`'s head and `source`.
    /// - Conflicts no strategy resolves go to `onConflict`; those it leaves
    ///   come back as `.conflicts`, and then nothing is stored and `target`
    ///   does not move.
    /// - The branch moves by compare-and-swap: if another writer moved it
    ///   meanwhile, the merge is redone on the new head (the resolver may be
    ///   asked again), up to `maxAttempts` times, then `staleRef` is thrown.
    /// - `dryRun` stores nothing and moves nothing; the outcome's ids then
    ///   name objects that were not written.
    ///
    /// Throws `invalidRevision` when `source` does not name a commit, and
    /// `invalidArgument` for unrelated histories unless `allowUnrelatedHistories`.
    @discardableResult
    public func merge(
        from source: String, into target: Branch, strategies: MergeStrategies = .builtIn,
        onConflict: ConflictPolicy = .fail, message: String? = nil, author: Signature? = nil,
        allowUnrelatedHistories: Bool = false, dryRun: Bool = false, maxAttempts: Int = 100
    ) throws -> MergeOutcome {
        let commit = try peelToCommit(try resolve(source))
        return try merge(commit, label: source, into: target, strategies: strategies, onConflict: onConflict,
                         message: message, author: author, allowUnrelatedHistories: allowUnrelatedHistories,
                         dryRun: dryRun, maxAttempts: maxAttempts)
    }

    /// Merges branch `source`'s head into `target`, as the `String` overload does.
    ///
    /// Throws `refNotFound` when `source` has no commit.
    @discardableResult
    public func merge(
        from source: Branch, into target: Branch, strategies: MergeStrategies = .builtIn,
        onConflict: ConflictPolicy = .fail, message: String? = nil, author: Signature? = nil,
        allowUnrelatedHistories: Bool = false, dryRun: Bool = false, maxAttempts: Int = 100
    ) throws -> MergeOutcome {
        guard let commit = try source.head() else {
            throw BanyanError(.refNotFound, "branch \(source.name) has no commit to merge")
        }
        return try merge(commit, label: source.name, into: target, strategies: strategies, onConflict: onConflict,
                         message: message, author: author, allowUnrelatedHistories: allowUnrelatedHistories,
                         dryRun: dryRun, maxAttempts: maxAttempts)
    }

    private func merge(
        _ source: ObjectID, label: String, into target: Branch, strategies: MergeStrategies,
        onConflict: ConflictPolicy, message: String?, author: Signature?,
        allowUnrelatedHistories: Bool, dryRun: Bool, maxAttempts: Int
    ) throws -> MergeOutcome {
        let author = author ?? defaultAuthor.signature()
        try Signature.validate(name: author.name, email: author.email)
        for _ in 0..<max(1, maxAttempts) {
            guard let head = try target.head() else {
                if dryRun { return .fastForward(source) }
                if try move(target, from: nil, to: source, log: "merge \(label): Fast-forward", by: author) {
                    return .fastForward(source)
                }
                continue
            }
            let bases = try mergeBases(head, source)
            if bases.contains(source) { return .upToDate }
            if bases.contains(head) {
                if dryRun { return .fastForward(source) }
                if try move(target, from: head, to: source, log: "merge \(label): Fast-forward", by: author) {
                    return .fastForward(source)
                }
                continue
            }
            try checkRelated(bases, head, source, allowUnrelatedHistories)
            var recorded: [MergeConflict] = []
            var policy = onConflict
            var kept = ConflictRecord.Side.ours
            if case .record = onConflict {
                kept = try newer(source, than: head) ? .theirs : .ours
                policy = .custom { conflict in
                    recorded.append(conflict)
                    return kept == .theirs ? .theirs : .ours
                }
            }
            let objects = MergeObjects(repository: self)
            let (tree, conflicts) = try mergeTrees(head, source, bases: bases, objects: objects, strategies: strategies,
                                                   mode: .final(policy), labels: MergeLabels(ours: target.name, theirs: label),
                                                   depth: 0)
            if !conflicts.isEmpty { return .conflicts(conflicts.sorted { $0.key < $1.key }) }
            var text = message ?? "Merge \(label) into \(target.name)"
            while text.hasSuffix("\n") { text.removeLast() }
            let commit = Commit(tree: tree, parents: [head, source], author: author, committer: author, message: text + "\n")
            let id = commit.rawObject.id(hashAlgorithm)
            recorded.sort { $0.key < $1.key }
            if dryRun { return recorded.isEmpty ? .merged(id) : .recorded(id, recorded) }
            try objects.write(adding: [commit.rawObject])
            cache.insert(commit, for: id)
            if try move(target, from: head, to: id, log: "merge \(label): Merge made by banyan", by: author) {
                guard !recorded.isEmpty else { return .merged(id) }
                try ConflictInbox(repository: self).add(recorded.map {
                    ConflictRecord(branch: target.name, conflict: $0, oursCommit: head, theirsCommit: source,
                                   mergeCommit: id, kept: kept)
                }, author: author)
                return .recorded(id, recorded)
            }
        }
        throw BanyanError(.staleRef, "branch \(target.name) kept moving; gave up merging after \(maxAttempts) attempts")
    }

    /// Compare-and-swap of `branch` from `old` to `new`; false when another writer moved it first.
    private func move(_ branch: Branch, from old: ObjectID?, to new: ObjectID, log message: String, by who: Signature) throws -> Bool {
        let log = ReflogEntry(old: old ?? .zero(hashAlgorithm), new: new, committer: who, message: message)
        do {
            try refs.compareAndSwap(branch.refName, expected: old.map(RefExpectation.value) ?? .absent, new: new, log: log)
            return true
        } catch let error as BanyanError where error.code == .staleRef {
            return false
        }
    }

    /// True when commit `one` is newer than `other`: later committer time,
    /// or on a tie the larger id, so that every device orders them alike.
    private func newer(_ one: ObjectID, than other: ObjectID) throws -> Bool {
        let (a, b) = (try commit(one).committer.time, try commit(other).committer.time)
        return a != b ? a > b : one > other
    }

    private func checkRelated(_ bases: [ObjectID], _ ours: ObjectID, _ theirs: ObjectID, _ allowed: Bool) throws {
        if bases.isEmpty && !allowed {
            throw BanyanError(.invalidArgument,
                              "refusing to merge unrelated histories: \(ours.abbreviated()) and \(theirs.abbreviated()) have no common ancestor (allow unrelated histories to merge them against an empty base)")
        }
    }

    /// The merged tree of commits `ours` and `theirs` over `bases` (staged in
    /// `objects`), with the conflicts left. Several bases are first merged,
    /// oldest first, into virtual commits, each merge one level deeper (its
    /// conflict markers two characters longer, as in Git).
    private func mergeTrees(
        _ ours: ObjectID, _ theirs: ObjectID, bases: [ObjectID], objects: MergeObjects,
        strategies: MergeStrategies, mode: TreeMerger.Mode, labels: MergeLabels, depth: Int
    ) throws -> (ObjectID, [MergeConflict]) {
        var baseTree = hashAlgorithm.emptyTreeID
        if bases.count == 1 {
            baseTree = try objects.commit(bases[0]).tree
        } else if var merged = bases.last {
            let inner = MergeLabels(ours: "Temporary merge branch 1", theirs: "Temporary merge branch 2")
            for next in bases.dropLast().reversed() {
                let innerBases = try CommitGraph(lookup: objects.commit).mergeBases(merged, next)
                let (tree, _) = try mergeTrees(merged, next, bases: innerBases, objects: objects, strategies: strategies,
                                               mode: .virtualBase, labels: inner, depth: depth + 1)
                let time = max(try objects.commit(merged).committer.time, try objects.commit(next).committer.time)
                let who = Signature(name: "Banyan", email: "banyan@localhost", time: time)
                merged = objects.storeVirtual(Commit(tree: tree, parents: [merged, next], author: who, committer: who,
                                                     message: "merged common ancestors\n"))
            }
            baseTree = try objects.commit(merged).tree
        }
        func side(_ id: ObjectID, _ label: String) throws -> MergeSide {
            MergeSide(label: label, commit: id, time: try objects.commit(id).committer.time)
        }
        var merger = TreeMerger(objects: objects, strategies: strategies, mode: mode, ours: try side(ours, labels.ours),
                                theirs: try side(theirs, labels.theirs), markerSize: 7 + 2 * depth)
        let tree = try merger.merge(base: baseTree, ours: try objects.commit(ours).tree, theirs: try objects.commit(theirs).tree)
        return (tree, merger.conflicts)
    }
}
