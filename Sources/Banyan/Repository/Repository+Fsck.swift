/// One problem `fsck` found, or a dangling object it lists.
public struct FsckProblem: Hashable, Sendable, CustomStringConvertible {
    /// What part of the check found it; each is one bit of `git fsck`'s exit status.
    public enum Category: Int32, Hashable, Sendable {
        /// An object that fails Git's fsck rules or cannot be read (exit bit 1).
        case object = 1
        /// Something a ref, reflog or object refers to is missing (exit bit 2).
        case reachability = 2
        /// An object nothing refers to; not a problem (no exit bit).
        case dangling = 0
    }

    /// The object the problem is about, if it is about one.
    public var id: ObjectID?
    /// `git fsck`'s line for it, e.g. `error in tree 1f2e…: hasDotgit: contains '.git'`
    /// or `missing blob 5e6f…`.
    public var message: String
    /// True for an error (the check fails), false for a warning or a dangling object.
    public var isError: Bool
    /// Which part of the check found it.
    public var category: Category
    /// The fsck rule, for a finding about an object's content.
    public var finding: FsckFinding?

    /// Creates a problem.
    public init(id: ObjectID?, message: String, isError: Bool, category: Category, finding: FsckFinding? = nil) {
        self.id = id
        self.message = message
        self.isError = isError
        self.category = category
        self.finding = finding
    }

    /// True when `git fsck` prints it on standard output (what is missing
    /// or dangling); object and ref errors go to standard error.
    public var isListing: Bool {
        category == .dangling || (category == .reachability && !message.hasPrefix("error: "))
    }

    public var description: String { message }
}

/// What `Repository.fsck(policy:dangling:)` found.
public struct FsckReport: Hashable, Sendable {
    /// Errors and warnings, then dangling objects when asked for, in the order found.
    public var problems: [FsckProblem]

    /// `git fsck`'s exit status: 1 for a bad object, 2 for a missing one, 3 for both; 0 when clean.
    public var exitStatus: Int32 {
        problems.filter(\.isError).reduce(0) { $0 | $1.category.rawValue }
    }
}

extension Repository {
    /// Checks the whole repository as `git fsck` does: every stored object
    /// hashes to its id and passes Git's fsck rules (`FsckRules`) under the
    /// policy of the repository's `fsck.*` config, every pack and index
    /// matches its checksum (``ChecksummedStore``), and everything reachable
    /// from every ref, `HEAD` and every reflog entry is present and of the
    /// right kind. Returns the errors and warnings (empty when clean).
    /// In a partial clone (`isPartialClone`), a missing tree or blob is
    /// not a problem: the promisor remote has it, as `git fsck` takes it.
    public func fsck() throws -> [FsckProblem] {
        try fsck(policy: fsckPolicy(.fsck) ?? FsckPolicy(), dangling: false).problems
    }

    /// Checks the whole repository, as `fsck()`, under `policy`; with
    /// `dangling`, also lists the objects nothing refers to, as `git fsck`
    /// does by default (`dangling commit 1f2e…`).
    ///
    /// Objects are listed first and the refs read afterwards, so a ref that
    /// moved meanwhile (another process writing) names objects the listing
    /// missed: those are looked up again and checked then, so fsck never
    /// calls missing an object that `get` reads.
    ///
    /// Cost: reads every object once and every reachable one twice (the
    /// second time only its links are scanned); memory proportional to the
    /// object count (and to the links, with `dangling`).
    public func fsck(policy: FsckPolicy, dangling: Bool) throws -> FsckReport {
        var walk = FsckWalk(repository: self, policy: policy, tracksReferences: dangling)
        for id in try objects.allObjectIDs() { walk.checkListed(id) }
        walk.checkSpecialBlobs()
        if let store = objects as? any ChecksummedStore {
            for message in try store.verifyChecksums() {
                walk.problems.append(FsckProblem(id: nil, message: "error: \(message)", isError: true, category: .object))
            }
        }
        var roots: [(origin: String, id: ObjectID)] = []
        var refNames = try refs.list(prefix: "refs/")
        if let head = try refs.resolve("HEAD") { refNames.append(("HEAD", head)) }
        for (name, id) in refNames {
            roots.append((name, id))
            for entry in try refs.reflog(name) {
                for id in [entry.old, entry.new] where !id.isZero { roots.append(("\(name)@{reflog}", id)) }
            }
        }
        for root in roots { try walk.walk(from: root.id, root: root.origin) }
        if dangling { walk.listDangling() }
        return FsckReport(problems: walk.problems)
    }
}

/// The state of one `fsck` run: kinds of the objects seen, what is reachable, the problems.
private struct FsckWalk {
    let repository: Repository
    let policy: FsckPolicy
    let tracksReferences: Bool
    var problems: [FsckProblem] = []
    /// Every readable object and its kind.
    var kinds: [ObjectID: ObjectKind] = [:]
    /// Objects some stored object refers to (with `tracksReferences`).
    var referenced: Set<ObjectID> = []
    /// Blobs a tree names `.gitattributes` or `.gitmodules`, checked as such once all are listed.
    var specialBlobs: [ObjectID: (attributes: Bool, gitmodules: Bool)] = [:]
    var reachable: Set<ObjectID> = []
    /// True in a partial clone, where missing trees and blobs are promised, not lost.
    let isPartialClone: Bool

    init(repository: Repository, policy: FsckPolicy, tracksReferences: Bool) {
        self.repository = repository
        isPartialClone = repository.isPartialClone
        self.policy = policy
        self.tracksReferences = tracksReferences
    }

    /// Reads and checks a listed object.
    mutating func checkListed(_ id: ObjectID) {
        do {
            let raw = try repository.objects.get(id)
            kinds[id] = raw.kind
            let links = check(raw, id: id)
            if tracksReferences { referenced.formUnion(links.lazy.map(\.id)) }
            for link in links where link.isAttributes || link.isGitmodules {
                if link.isAttributes { specialBlobs[link.id, default: (false, false)].attributes = true }
                if link.isGitmodules { specialBlobs[link.id, default: (false, false)].gitmodules = true }
            }
        } catch {
            problems.append(FsckProblem(id: id, message: "error: \(id): object corrupt or missing: \(error)",
                                        isError: true, category: .object))
        }
    }

    /// Checks the blobs trees name `.gitattributes` or `.gitmodules` by
    /// the rules for them (Git's `fsck_finish`); missing ones are left to the walk.
    mutating func checkSpecialBlobs() {
        for (id, special) in specialBlobs.sorted(by: { $0.key < $1.key }) {
            guard let raw = try? repository.objects.find(id) else { continue }
            var findings: [FsckFinding] = []
            if special.attributes { _ = try? FsckRules.checkAttributes(raw, id: id, policy: policy) { findings.append($0) } }
            if special.gitmodules { _ = try? FsckRules.checkGitmodules(raw, id: id, policy: policy) { findings.append($0) } }
            record(findings, id: id)
        }
    }

    private mutating func record(_ findings: [FsckFinding], id: ObjectID) {
        for finding in findings {
            problems.append(FsckProblem(id: id, message: finding.description, isError: finding.isError, category: .object,
                                        finding: finding))
        }
    }

    /// The object's links, its findings recorded as problems.
    private mutating func check(_ raw: RawObject, id: ObjectID) -> [FsckRules.Link] {
        var findings: [FsckFinding] = []
        let links = try? FsckRules.check(raw, id: id, algorithm: repository.hashAlgorithm, policy: policy) { findings.append($0) }
        record(findings, id: id)
        // An object with an error is still walked as far as its links could be read.
        return links ?? self.links(of: raw, id: id)
    }

    /// The kind of `id` when it was stored after the listing, checked as
    /// the listed objects were; nil when it is absent.
    private mutating func lateKind(_ id: ObjectID) -> ObjectKind? {
        guard let raw = try? repository.objects.find(id) else { return nil }
        kinds[id] = raw.kind
        _ = check(raw, id: id)
        return raw.kind
    }

    /// Walks from `start`, a ref's or a reflog entry's value, without recursion (histories can be deep).
    mutating func walk(from start: ObjectID, root: String) throws {
        guard !reachable.contains(start) else { return }
        guard kinds[start] != nil || lateKind(start) != nil else {
            reachable.insert(start)
            let what = root.hasSuffix("@{reflog}") ? "invalid reflog entry" : "invalid sha1 pointer"
            let name = root.hasSuffix("@{reflog}") ? String(root.dropLast(9)) : root
            problems.append(FsckProblem(id: start, message: "error: \(name): \(what) \(start)", isError: true,
                                        category: .reachability))
            return
        }
        var stack: [(id: ObjectID, expected: ObjectKind?, from: (ObjectID, ObjectKind)?)] = [(start, nil, nil)]
        while let (id, expected, from) = stack.popLast() {
            guard reachable.insert(id).inserted else { continue }
            guard let kind = kinds[id] ?? lateKind(id) else {
                // A partial clone's promisor remote has the trees and blobs it left out.
                if isPartialClone, expected == .tree || expected == .blob { continue }
                let what = expected.map { "\($0)" } ?? "object"
                if let (parent, parentKind) = from {
                    problems.append(FsckProblem(
                        id: id, message: "broken link from \(Self.padded(parentKind)) \(parent)\n              to \(Self.padded(expected)) \(id)",
                        isError: true, category: .reachability))
                }
                problems.append(FsckProblem(id: id, message: "missing \(what) \(id)", isError: true, category: .reachability))
                continue
            }
            if let expected, expected != kind, let (parent, parentKind) = from {
                problems.append(FsckProblem(id: parent, message: "error in \(parentKind) \(parent): wrong object type in link",
                                            isError: true, category: .object))
                continue
            }
            guard kind != .blob, let raw = try? repository.objects.get(id) else { continue }
            for link in links(of: raw, id: id) { stack.append((link.id, link.kind, (id, kind))) }
        }
    }

    /// The links of an object, whatever is wrong with it (it is checked once, in the listing).
    private func links(of raw: RawObject, id: ObjectID) -> [FsckRules.Link] {
        (try? FsckRules.check(raw, id: id, algorithm: repository.hashAlgorithm, policy: .unchecked)) ?? []
    }

    /// Git's `%7s` of a kind name.
    private static func padded(_ kind: ObjectKind?) -> String {
        let name = kind.map { "\($0)" } ?? "unknown"
        return String(repeating: " ", count: max(0, 7 - name.count)) + name
    }

    /// Lists the unreachable objects no other object refers to.
    mutating func listDangling() {
        for (id, kind) in kinds.sorted(by: { $0.key < $1.key }) where !reachable.contains(id) && !referenced.contains(id) {
            problems.append(FsckProblem(id: id, message: "dangling \(kind) \(id)", isError: false, category: .dangling))
        }
    }
}
