/// A bundle file opened for reading: its header parsed and its pack mapped.
struct BundleFile {
    let path: String
    let header: BundleHeader
    private let storage: ByteStorage
    private let packOffset: Int

    /// Maps the bundle at `path` and parses its header.
    ///
    /// Throws `io` when the file cannot be read, and what
    /// `BundleHeader.parse` throws, with the path in the message.
    init(path: String) throws {
        guard let storage = try Posix.mapFile(path) else {
            throw BanyanError(.io, "bundle \(path) does not exist")
        }
        do {
            (header, packOffset) = try BundleHeader.parse(storage.bytes)
        } catch let error as BanyanError {
            throw BanyanError(error.code, "bundle \(path): \(error.message)", cause: error)
        }
        self.path = path
        self.storage = storage
    }

    /// A pack indexed against a repository, self-contained and checked.
    struct IndexedPack {
        /// The pack's bytes (with the thin pack's bases appended).
        var pack: ByteStorage
        var result: PackIndexer.Result
        var reader: PackReader
        /// What the fsck rules found without refusing an object.
        var warnings: [FsckFinding] = []
    }

    /// Checks the bundle against `repository` and indexes its pack.
    ///
    /// Checks that the hash functions agree and the prerequisites are
    /// present; indexes the pack (every object hashed, deltas resolved,
    /// bases of a thin pack taken from the repository and appended, as
    /// `git index-pack --fix-thin` does); then walks from every ref through
    /// the pack's objects, checking each with Git's fsck rules under the
    /// repository's `fetch` policy, and requires every object they
    /// reference to be in the pack or the repository. Nothing is written.
    ///
    /// Throws `invalidArgument` for a hash function mismatch,
    /// `objectNotFound` for missing prerequisites or an incomplete pack,
    /// `corruptObject` for a damaged or truncated pack or an object that
    /// fails Git's fsck rules.
    func index(for repository: Repository) throws -> IndexedPack {
        let algorithm = repository.hashAlgorithm
        guard header.algorithm == algorithm else {
            throw BanyanError(.invalidArgument, "bundle \(path) holds \(header.algorithm) objects but the repository uses \(algorithm)")
        }
        let missing = try missingPrerequisites(in: repository)
        guard missing.isEmpty else {
            throw BanyanError(.objectNotFound, "the repository lacks the prerequisite commits of bundle \(path): \(missing.map(\.hex).joined(separator: ", "))")
        }
        let objects = repository.objects
        let lookup: PackIndexer.BaseLookup? = header.prerequisites.isEmpty ? nil : { try objects.find($0) }
        let packBytes = UnsafeRawBufferPointer(rebasing: storage.bytes[packOffset...])
        var result: PackIndexer.Result
        let pack: ByteStorage
        do {
            result = try PackIndexer.index(pack: packBytes, algorithm: algorithm, baseLookup: lookup)
            if let lookup, !result.externalBases.isEmpty {
                let completed = try PackIndexer.completeThinPack(Array(packBytes), indexed: result, algorithm: algorithm, baseLookup: lookup)
                result = completed.result
                pack = ByteStorage(completed.pack)
            } else {
                // A view into the mapping, which the deallocator keeps alive.
                pack = ByteStorage(unsafeBytes: packBytes) { [storage] _ in withExtendedLifetime(storage) {} }
            }
        } catch let error as BanyanError {
            throw BanyanError(error.code, "bundle \(path): \(error.message)", cause: error)
        }
        let reader = try PackReader(pack: pack, index: PackIndex(bytes: result.indexBytes(), algorithm: algorithm))
        let warnings = try checkConnected(reader, repository: repository)
        return IndexedPack(pack: pack, result: result, reader: reader, warnings: warnings)
    }

    /// The prerequisite commits `repository` does not have.
    func missingPrerequisites(in repository: Repository) throws -> [ObjectID] {
        try header.prerequisites.map(\.id).filter { try !repository.objects.contains($0) }
    }

    /// Walks from the refs through the pack's objects; an object outside the
    /// pack must be in the repository (and is taken to be complete there, as
    /// Git's connectivity check does).
    private func checkConnected(_ reader: PackReader, repository: Repository) throws -> [FsckFinding] {
        let algorithm = repository.hashAlgorithm
        let policy = try repository.fsckPolicy(.fetch) ?? .unchecked
        var warnings: [FsckFinding] = []
        // Blobs a tree names `.gitattributes` or `.gitmodules`, checked as such when reached.
        var special: [ObjectID: (attributes: Bool, gitmodules: Bool)] = [:]
        var seen = Set<ObjectID>()
        var stack = header.refs.map { (id: $0.id, origin: "ref \($0.name)") }
        while let (id, origin) = stack.popLast() {
            guard seen.insert(id).inserted else { continue }
            guard let object = try reader.find(id) else {
                guard try repository.objects.contains(id) else {
                    throw BanyanError(.objectNotFound, "bundle \(path) is incomplete: object \(id), reachable from \(origin), is neither in it nor in the repository")
                }
                continue
            }
            let here = "\(object.kind) \(id.hex)"
            do {
                for link in try FsckRules.check(object, id: id, algorithm: algorithm, policy: policy, report: { warnings.append($0) }) {
                    stack.append((link.id, here))
                    if link.isAttributes { special[link.id, default: (false, false)].attributes = true }
                    if link.isGitmodules { special[link.id, default: (false, false)].gitmodules = true }
                }
                if let (attributes, gitmodules) = special[id] {
                    if attributes { try FsckRules.checkAttributes(object, id: id, policy: policy) { warnings.append($0) } }
                    if gitmodules { try FsckRules.checkGitmodules(object, id: id, policy: policy) { warnings.append($0) } }
                }
            } catch let error as BanyanError {
                throw BanyanError(.corruptObject, "bundle \(path): \(error.message)")
            }
        }
        return warnings
    }
}
