import Foundation

/// Which refs unbundling sets from the bundle's refs.
public enum BundleRefUpdate: Sendable, Hashable {
    /// `refs/heads/X` → `refs/remotes/<remote>/X` (forced, as a fetch
    /// refspec `+refs/heads/*:refs/remotes/<remote>/*` does) and
    /// `refs/tags/X` created when absent; the repository's own branches
    /// never move. The default, with remote `bundle`: merge from
    /// `refs/remotes/bundle/<branch>` afterwards.
    case remoteTracking(String)
    /// Each ref under its own name, created or fast-forwarded; a ref that
    /// would move backwards or sideways is skipped (reported), tags are only
    /// created. What a clone uses.
    case sameNames
    /// Store the objects and set no ref (`git bundle unbundle`).
    case none
}

/// What unbundling did.
public struct UnbundleResult: Sendable {
    /// One ref that was set.
    public struct Update: Sendable, Hashable {
        /// The ref set.
        public var name: String
        /// Its value before, nil when it was created.
        public var old: ObjectID?
        /// Its value now.
        public var new: ObjectID
    }

    /// One bundle ref that set nothing, and why.
    public struct Skipped: Sendable, Hashable {
        /// The ref's name in the bundle.
        public var name: String
        /// Why it was left alone, in a sentence.
        public var reason: String
    }

    /// The bundle's header.
    public var header: BundleHeader
    /// Objects stored from the bundle's pack (thin-pack bases included).
    public var objectCount: Int { objects.count }
    /// The ids of those objects, in pack order.
    public var objects: [ObjectID]
    /// The installed pack, without extension; nil for an in-memory repository.
    public var pack: String?
    /// Refs set, in bundle order.
    public var updated: [Update] = []
    /// Bundle refs that set nothing.
    public var skipped: [Skipped] = []
    /// What Git's fsck rules found without refusing an object (warnings
    /// under the repository's `fetch.fsck.*` policy).
    public var warnings: [FsckFinding] = []
}

extension BundleHeader {
    /// The header of the bundle at `path`.
    ///
    /// Cost: maps the file, reads the header only. Throws `io` when the file
    /// cannot be read and what `parse` throws.
    public static func read(from path: String) throws -> BundleHeader {
        try BundleFile(path: path).header
    }
}

extension BundleHeader {
    /// True when the file at `path` starts as a Git bundle (v2 or v3) does;
    /// false when it cannot be read or is something else (a repository).
    public static func isBundle(atPath path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let start = try? handle.read(upToCount: 16) else { return false }
        return start == Data("# v2 git bundle\n".utf8) || start == Data("# v3 git bundle\n".utf8)
    }

    /// The branch a clone of the bundle checks out, as git chooses it: the
    /// branch `HEAD` points at (`main`, then `master`, then the first
    /// branch with `HEAD`'s id), else the first branch; nil without branches.
    public var headBranch: String? {
        let branches = refs.filter { $0.name.hasPrefix("refs/heads/") }
        let headID = refs.first { $0.name == "HEAD" }?.id
        let matching = branches.filter { headID == nil || $0.id == headID }
        return ["refs/heads/main", "refs/heads/master"].first { name in matching.contains { $0.name == name } }
            ?? matching.first?.name ?? branches.first?.name
    }
}

extension Repository {
    /// Checks that the bundle at `path` is sound and applies to this
    /// repository, like `git bundle verify`; returns its header and the
    /// prerequisite commits the repository lacks (empty when it applies).
    ///
    /// When every prerequisite is present, the pack is indexed and its
    /// objects checked as `unbundle` would, without storing anything.
    /// Throws what `unbundle` throws for a damaged or incomplete bundle.
    public func verifyBundle(at path: String) throws -> (header: BundleHeader, missingPrerequisites: [ObjectID]) {
        let file = try BundleFile(path: path)
        let missing = try file.missingPrerequisites(in: self)
        if missing.isEmpty { _ = try file.index(for: self) }
        return (file.header, missing)
    }

    /// Stores the objects of the Git bundle at `path` and sets refs from its refs.
    ///
    /// Checks everything before writing: the hash function, that the
    /// prerequisite commits are here, that the pack indexes (every object's
    /// hash; a thin pack's bases are taken from this repository and appended
    /// so the stored pack stands alone) and that every object the refs reach
    /// is in the bundle or already here. The pack goes in through the
    /// store's ``PackReceiver``: a filesystem repository gets it in
    /// `objects/pack` with its `.idx`, a store that keeps objects gets them. Refs are set per `updating` (see ``BundleRefUpdate``) by
    /// compare-and-swap, each with a reflog entry `unbundle: <path>`.
    ///
    /// Cost: indexes the pack and reads every object the refs reach in it
    /// once. Throws `invalidArgument` when the bundle uses another hash
    /// function, `objectNotFound` for missing prerequisites or objects,
    /// `corruptObject` for a damaged or truncated bundle (then nothing is
    /// stored and no ref moves), `io` on a write failure.
    @discardableResult
    public func unbundle(from path: String, updating: BundleRefUpdate = .remoteTracking("bundle")) throws -> UnbundleResult {
        let file = try BundleFile(path: path)
        let indexed = try file.index(for: self)
        var result = UnbundleResult(header: file.header, objects: indexed.result.entries.map(\.id))
        result.warnings = indexed.warnings
        let targets = try refTargets(for: file.header, mode: updating, skipped: &result.skipped)
        let receiver = try objects.packReceiver()
        try indexed.pack.withUnsafeBytes { try receiver.append($0) }
        result.pack = try receiver.install(index: try indexed.result.indexBytes(), checksum: indexed.result.checksum)
        try updateRefs(targets, mode: updating, message: "unbundle: \(path)", result: &result)
        return result
    }

    /// Creates a repository at `path` from the complete bundle at `bundle`,
    /// like `git clone --bare <bundle>`: the bundle's hash function, every
    /// ref under its own name, and `HEAD` on the branch the bundle's `HEAD`
    /// points at (`main`, then `master`, then the first branch with its id;
    /// the first branch when the bundle has no `HEAD`).
    ///
    /// Throws `invalidArgument` for a bundle with prerequisites (a clone
    /// starts empty), `alreadyExists` when a repository is at `path`, and
    /// what `unbundle` throws; on failure the new repository is removed.
    public static func clone(
        fromBundle bundle: String, to path: String, configuration: FileSystemBackend.Configuration = .default
    ) throws -> Repository {
        let header = try BundleHeader.read(from: bundle)
        guard header.prerequisites.isEmpty else {
            throw BanyanError(.invalidArgument, """
                bundle \(bundle) needs \(header.prerequisites.count) prerequisite commits, so it cannot start a repository; \
                unbundle it into one that has them
                """)
        }
        let head = header.headBranch ?? "refs/heads/main"
        let existed = FileManager.default.fileExists(atPath: path)
        let repository = try create(at: path, hashAlgorithm: header.algorithm,
                                    initialBranch: String(head.dropFirst("refs/heads/".count)), configuration: configuration)
        do {
            try repository.unbundle(from: bundle, updating: .sameNames)
            try repository.flush()
        } catch {
            if existed {
                for entry in ["HEAD", "config", "description", "objects", "refs", "info", "logs", "packed-refs"] {
                    try? FileManager.default.removeItem(atPath: path + "/" + entry)
                }
            } else {
                try? FileManager.default.removeItem(atPath: path)
            }
            throw error
        }
        return repository
    }

    /// The ref each bundle ref sets under `mode`, names validated; refs the
    /// mode does not map are added to `skipped`.
    private func refTargets(
        for header: BundleHeader, mode: BundleRefUpdate, skipped: inout [UnbundleResult.Skipped]
    ) throws -> [(ref: BundleHeader.Ref, target: String)] {
        var targets: [(ref: BundleHeader.Ref, target: String)] = []
        for ref in header.refs {
            switch mode {
            case .none:
                return []
            case .remoteTracking(let remote):
                if ref.name.hasPrefix("refs/heads/") {
                    targets.append((ref, "refs/remotes/\(remote)/" + ref.name.dropFirst("refs/heads/".count)))
                } else if ref.name.hasPrefix("refs/tags/") {
                    targets.append((ref, ref.name))
                } else if ref.name != "HEAD" {
                    skipped.append(.init(name: ref.name, reason: "only branches and tags are taken from a bundle into remote-tracking refs"))
                }
            case .sameNames:
                if ref.name != "HEAD" { targets.append((ref, ref.name)) }
            }
        }
        for (_, target) in targets { try RefName.validate(target) }
        return targets
    }

    /// Sets each target by compare-and-swap: remote-tracking branches
    /// forced, tags only created, other refs created or fast-forwarded.
    private func updateRefs(
        _ targets: [(ref: BundleHeader.Ref, target: String)], mode: BundleRefUpdate, message: String,
        result: inout UnbundleResult
    ) throws {
        for (ref, target) in targets {
            let current = try refs.resolve(target)
            if current == ref.id { continue }
            let isTag = target.hasPrefix("refs/tags/")
            let forced = mode != .sameNames && !isTag
            if let current, !forced {
                guard !isTag else {
                    result.skipped.append(.init(name: ref.name, reason: "tag \(target) exists with another value (\(current.abbreviated()))"))
                    continue
                }
                guard (try? isAncestor(current, of: ref.id)) == true else {
                    result.skipped.append(.init(name: ref.name, reason: "\(target) is at \(current.abbreviated()), which the bundle's \(ref.id.abbreviated()) does not contain: not a fast-forward"))
                    continue
                }
            }
            let log = ReflogEntry(old: current ?? .zero(hashAlgorithm), new: ref.id,
                                  committer: defaultAuthor.signature(), message: message)
            try refs.compareAndSwap(target, expected: current.map(RefExpectation.value) ?? .absent, new: ref.id, log: log)
            result.updated.append(.init(name: target, old: current, new: ref.id))
        }
    }
}
