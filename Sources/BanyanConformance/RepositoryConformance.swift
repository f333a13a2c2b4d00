import Banyan
import Foundation

extension BackendConformance {
    /// Makes a fresh, empty repository (no refs, `HEAD` on the unborn
    /// `main`) over the backend under test, with the given hash function.
    public typealias RepositoryFactory = @Sendable (HashAlgorithm) throws -> Repository

    /// One named check of what is built on a backend: sync over Git's smart
    /// HTTP protocol (a store served by `BanyanServer`, another syncing with
    /// it), bundles, received packs, remotes and maintenance. Each takes a
    /// factory of fresh repositories of the backend, as many as it needs.
    ///
    /// ```swift
    /// @Test(arguments: BackendConformance.repositoryChecks)
    /// func conformance(_ check: BackendConformance.RepositoryCheck) async throws {
    ///     try await check.run { try Repository.inMemory(hashAlgorithm: $0) }
    /// }
    /// ```
    ///
    /// A backend passes them by implementing the capabilities sync and
    /// maintenance ask for: `ConfigStore`, `ShallowStore`,
    /// `MaintainableStore` (a `PackReceivingStore` is optional: without it,
    /// received packs are stored object by object).
    public struct RepositoryCheck: Sendable, CustomStringConvertible {
        /// What the check verifies.
        public let name: String
        private let body: @Sendable (RepositoryFactory) async throws -> Void

        init(_ name: String, _ body: @escaping @Sendable (RepositoryFactory) async throws -> Void) {
            self.name = name
            self.body = body
        }

        /// Runs the check with repositories from `factory`.
        public func run(with factory: RepositoryFactory) async throws {
            try await body(factory)
        }

        public var description: String { name }
    }

    /// Every repository-level check: transfer, then packs and bundles, then maintenance.
    public static let repositoryChecks: [RepositoryCheck] = transferChecks + packChecks + maintenanceChecks
}

// MARK: Helpers shared by the repository checks

extension BackendConformance {
    /// A signature at `time` seconds after a fixed epoch, so ids are deterministic.
    static func author(_ time: Int64) -> Signature {
        Signature(name: "Conformance", email: "conformance@example.com", time: 1_700_000_000 + time, timeZoneMinutes: 0)
    }

    /// Sets `key` to `value` on `branch` of `repository` at `time`; returns the new head.
    @discardableResult
    static func write(_ repository: Repository, _ key: String, _ value: String, branch: String = "main", time: Int64) throws -> ObjectID {
        try repository.branch(branch).set(try Key(key), Data(value.utf8), message: "set \(key)", author: author(time),
                                          committer: author(time))
    }

    /// The value of `key` on `branch`, as text; nil when absent.
    static func read(_ repository: Repository, _ key: String, branch: String = "main") throws -> String? {
        let branch = try repository.branch(branch)
        guard try branch.head() != nil else { return nil }
        return try branch.snapshot().find(try Key(key)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Throws unless every object `tip` reaches is in `repository` (parents of `shallow` commits not followed).
    static func expectComplete(_ repository: Repository, from tip: ObjectID, shallow: Set<ObjectID> = [],
                               fileID: String = #fileID, line: Int = #line) throws {
        var seen = Set<ObjectID>()
        var stack = [tip]
        while let id = stack.popLast() {
            guard seen.insert(id).inserted else { continue }
            guard let object = try repository.objects.find(id) else {
                throw ConformanceFailure(message: "object \(id) reachable from \(tip) is missing", location: "\(fileID):\(line)")
            }
            switch object.kind {
            case .commit:
                let commit = try repository.commit(id)
                stack.append(commit.tree)
                if !shallow.contains(id) { stack += commit.parents }
            case .tree:
                stack += try Tree(decoding: object.body, algorithm: repository.hashAlgorithm).entries.map(\.id)
            case .tag:
                stack.append(try Tag(decoding: object.body, algorithm: repository.hashAlgorithm).object)
            case .blob:
                break
            }
        }
    }

    /// Runs `body` with a fresh temporary directory, removed afterwards.
    static func withTemporaryDirectory<R>(_ body: (String) async throws -> R) async throws -> R {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("banyan-conformance-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }
}
