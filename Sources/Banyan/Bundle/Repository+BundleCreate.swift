#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Repository {
    /// Writes a Git bundle to `path`: the refs named by `revisions` and every
    /// object they reach, minus what their excluded ancestors reach, like
    /// `git bundle create`.
    ///
    /// `revisions` are what `git bundle create` takes: ref names (`main`,
    /// `v1.0`, `refs/heads/x`, `HEAD`), ranges `A..B` (B must be a ref; the
    /// commits reachable from A are left out and the boundary ones become
    /// prerequisites), `^A` exclusions, and `--all`; empty means `--all`
    /// (every ref and `HEAD`). With prerequisites the pack is thin: objects
    /// may be deltas against the versions at the same paths in the
    /// prerequisite commits. SHA-1 repositories get a v2 bundle, SHA-256 ones
    /// v3 with `@object-format=sha256`. The file appears whole (written to a
    /// temporary name and renamed). Returns the header written.
    ///
    /// Cost: walks the excluded history in full, reads every included object
    /// into memory and packs it there with a delta search.
    ///
    /// Throws `invalidArgument` for a revision that is no ref where one is
    /// needed and when nothing would be bundled ("empty bundle"),
    /// `invalidRevision` for one that does not resolve, `objectNotFound`
    /// when an object to bundle is missing, `io` when the file cannot be written.
    @discardableResult
    public func createBundle(at path: String, refs revisions: [String] = []) throws -> BundleHeader {
        let selection = try BundleSelection(repository: self, revisions: revisions)
        // What the prerequisites' trees reach, which the receiver has.
        var excluded = TreeClosure(algorithm: hashAlgorithm, paths: true)
        for id in selection.boundary {
            try excluded.add(tree: try commit(id).tree) { $0 == hashAlgorithm.emptyTreeID ? [] : try objects.get($0, kind: .tree).body }
        }
        var known = excluded.ids
        for id in selection.uninteresting { known.insert(id) }
        var walk = ObjectGraphWalk(store: objects, known: known)
        for ref in selection.refs { try walk.add(ref.id, missing: .fail(origin: ref.name)) }
        let found = walk.found
        // Thin-pack bases: what the receiver has at the paths this bundle changes.
        var bases: [PackWriter.Item] = []
        for object in found where object.kind == .tree || object.kind == .blob {
            guard let path = object.nameHint, let base = excluded.paths?[path], base != object.id,
                  let raw = try objects.find(base), raw.kind == object.kind else { continue }
            bases.append(PackWriter.Item(raw, id: base, nameHint: path))
        }
        let output = try PackWriter.write(sources: found, algorithm: hashAlgorithm, baseItems: bases) {
            try objects.get(found[$0].id)
        }
        var prerequisites: [BundleHeader.Prerequisite] = []
        for id in selection.boundary {
            let subject = try commit(id).messageString.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""
            prerequisites.append(BundleHeader.Prerequisite(id: id, comment: String(subject)))
        }
        let header = BundleHeader(algorithm: hashAlgorithm, prerequisites: prerequisites, refs: selection.refs)
        let absolute = Posix.absolutePath(path)
        let directory = Posix.parent(of: absolute)
        var bytes = header.encoded()
        bytes += output.pack
        let temporary = try bytes.withUnsafeBytes { try Posix.writeTemporaryFile(in: directory, prefix: ".tmp-bundle-", $0) }
        do {
            guard chmod(temporary, 0o644) == 0 else { throw Posix.ioError("set the mode of", temporary) }
            try Posix.rename(temporary, to: absolute)
        } catch {
            FileIO.unlink(temporary)
            throw error
        }
        return header
    }
}

/// Which refs and commits a bundle holds, from `git bundle create` arguments.
private struct BundleSelection {
    /// The refs to record, in argument order, without duplicates.
    var refs: [BundleHeader.Ref] = []
    /// Every commit reachable from an excluded revision.
    var uninteresting: Set<ObjectID> = []
    /// The excluded commits that included ones have as parents: the prerequisites.
    var boundary: [ObjectID] = []

    init(repository: Repository, revisions: [String]) throws {
        var positives: [BundleHeader.Ref] = []
        var negatives: [ObjectID] = []
        for revision in revisions.isEmpty ? ["--all"] : revisions {
            if revision == "--all" {
                positives += try repository.refs.list(prefix: "refs/").map { BundleHeader.Ref(name: $0.name, id: $0.id) }
                if let head = try repository.refs.resolve("HEAD") { positives.append(BundleHeader.Ref(name: "HEAD", id: head)) }
            } else if let range = revision.range(of: ".."), !revision.contains("...") {
                let left = String(revision[..<range.lowerBound]), right = String(revision[range.upperBound...])
                negatives.append(try repository.peelToCommit(repository.resolve(left.isEmpty ? "HEAD" : left)))
                positives.append(try Self.ref(named: right.isEmpty ? "HEAD" : right, in: repository))
            } else if revision.hasPrefix("^") {
                negatives.append(try repository.peelToCommit(repository.resolve(String(revision.dropFirst()))))
            } else {
                positives.append(try Self.ref(named: revision, in: repository))
            }
        }
        uninteresting = try CommitWalk.ancestors(of: negatives, in: repository.objects)
        var seenNames = Set<String>()
        var tips: [ObjectID] = []
        for ref in positives where seenNames.insert(ref.name).inserted {
            let peeled = try repository.peel(ref.id)
            // A ref whose commit the receiver has already carries nothing new; Git leaves it out.
            if peeled.kind == .commit && uninteresting.contains(peeled.id) { continue }
            refs.append(ref)
            if peeled.kind == .commit { tips.append(peeled.id) }
        }
        var walk = CommitWalk(store: repository.objects)
        walk.excluded = uninteresting
        var visited = ObjectIDSet()
        try walk.walk(from: tips, missing: .fail(origin: "the bundle's refs"), visited: &visited) { _, _, _ in }
        boundary = walk.boundary
        guard !refs.isEmpty else {
            throw BanyanError(.invalidArgument, "refusing to create an empty bundle: every ref given is reachable from the excluded revisions")
        }
    }

    /// The full ref name `name` stands for, in Git's order: as given, `refs/`,
    /// `refs/tags/`, `refs/heads/`, `refs/remotes/`, `refs/remotes/<name>/HEAD`.
    static func ref(named name: String, in repository: Repository) throws -> BundleHeader.Ref {
        let candidates = name == "HEAD" || name.hasPrefix("refs/")
            ? [name]
            : ["refs/\(name)", "refs/tags/\(name)", "refs/heads/\(name)", "refs/remotes/\(name)", "refs/remotes/\(name)/HEAD"]
        for candidate in candidates where RefName.isValid(candidate) {
            if let id = try repository.refs.resolve(candidate) { return BundleHeader.Ref(name: candidate, id: id) }
        }
        throw BanyanError(.invalidArgument, """
            '\(name)' is not a ref: a bundle records refs, so name a branch or tag, or give a range A..B whose right side is one
            """)
    }
}
