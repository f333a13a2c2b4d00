import Banyan

/// The one conformance suite every storage backend must pass: the
/// semantics of `ObjectStore` and `RefStore` written as executable checks.
///
/// Each check takes a fresh, empty backend whose `HEAD` is a symbolic ref to
/// the unborn `refs/heads/main`, and throws a `ConformanceFailure` (or the
/// backend's own error) on the first broken promise. The checks do not depend
/// on a test framework, so a backend's tests can run them with Swift Testing:
///
/// ```swift
/// @Test(arguments: BackendConformance.checks)
/// func conformance(_ check: BackendConformance.Check) throws {
///     try check.run(on: MemoryBackend())
/// }
/// ```
///
/// The checks cover both hash formats through the backend's own
/// `hashAlgorithm`; run them once per format.
public enum BackendConformance {
    /// A backend under test.
    public typealias Backend = any ObjectStore & RefStore

    /// One named check of the suite.
    public struct Check: Sendable, CustomStringConvertible {
        /// What the check verifies, e.g. `put is idempotent`.
        public let name: String
        private let body: @Sendable (Backend) throws -> Void

        init(_ name: String, _ body: @escaping @Sendable (Backend) throws -> Void) {
            self.name = name
            self.body = body
        }

        /// Runs the check on `backend`, which must be fresh (see `BackendConformance`).
        public func run(on backend: Backend) throws {
            try body(backend)
        }

        public var description: String { name }
    }

    /// Every check, objects first, then refs, then concurrency.
    public static let checks: [Check] = objectChecks + refChecks + concurrencyChecks
}

/// A broken promise found by a conformance check: what was expected and where.
public struct ConformanceFailure: Error, CustomStringConvertible {
    /// What went wrong, with the values involved.
    public let message: String
    /// The check's source location, `Module/File.swift:line`.
    public let location: String

    public var description: String { "\(location): \(message)" }
}

// MARK: Helpers shared by the checks

extension BackendConformance {
    static func expect(_ condition: Bool, _ message: @autoclosure () -> String, fileID: String = #fileID, line: Int = #line) throws {
        guard condition else { throw ConformanceFailure(message: message(), location: "\(fileID):\(line)") }
    }

    static func expectEqual<T: Equatable>(
        _ actual: T, _ expected: T, _ what: String, fileID: String = #fileID, line: Int = #line
    ) throws {
        try expect(actual == expected, "\(what): got \(actual), expected \(expected)", fileID: fileID, line: line)
    }

    /// Runs `body` and returns the `BanyanError` it throws, which must have `code`.
    @discardableResult
    static func expectError(
        _ code: BanyanError.Code, _ what: String, fileID: String = #fileID, line: Int = #line, _ body: () throws -> Void
    ) throws -> BanyanError {
        do {
            try body()
        } catch let error as BanyanError {
            try expect(error.code == code, "\(what): threw \(error.code) (\(error)), expected \(code)", fileID: fileID, line: line)
            return error
        }
        throw ConformanceFailure(message: "\(what): succeeded, expected a \(code) error", location: "\(fileID):\(line)")
    }

    static func blob(_ text: String) -> RawObject {
        RawObject(kind: .blob, body: Array(text.utf8))
    }

    static func signature(_ time: Int64 = 1_700_000_000, zone: Int = 0) -> Signature {
        Signature(name: "Ada Lovelace", email: "ada@example.com", time: time, timeZoneMinutes: zone)
    }

    /// A log request; its ids are deliberately wrong, since backends record the real ones.
    static func log(_ message: String, _ algorithm: HashAlgorithm, time: Int64 = 1_700_000_000, zone: Int = 0) -> ReflogEntry {
        let junk = ObjectID.zero(algorithm)
        return ReflogEntry(old: junk, new: junk, committer: signature(time, zone: zone), message: message)
    }
}
