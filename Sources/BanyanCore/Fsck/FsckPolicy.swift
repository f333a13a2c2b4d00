/// How serious an fsck finding is, as Git grades them.
public enum FsckSeverity: String, Hashable, Sendable, CaseIterable {
    /// A broken object that no configuration lets pass (`nulInHeader`, `unterminatedHeader`).
    case fatal
    /// Refuses the object: a received pack is not taken in, `fsck` fails.
    case error
    /// Reported, the object passes; `strict` makes it an error.
    case warn
    /// Reported as a warning even when `strict`.
    case info
    /// Not reported.
    case ignore
}

/// Which of Git's fsck findings refuse an object, which are only reported
/// and which are ignored: Git's default severities, `strict` (a warning
/// becomes an error, as `git fsck --strict` and Git's transfer checks do),
/// the `fsck.<msg-id>` overrides, and a skip list of objects not checked.
///
/// A value type with no I/O; `FsckPolicy(config:checking:)` in Banyan reads
/// it from a repository's config the way Git does.
public struct FsckPolicy: Hashable, Sendable {
    /// True when warnings are errors (`git fsck --strict`, Git's `*.fsckObjects`).
    public var strict: Bool
    /// Severities set for single messages; they win over `strict`.
    public var overrides: [FsckMessageID: FsckSeverity]
    /// Objects whose findings are not reported (`fsck.skipList`).
    public var skipList: Set<ObjectID>
    /// The longest tree entry name before `largePathname` (`fsck.largePathname`'s limit).
    public var maxPathnameLength: Int

    /// Git's defaults: `git fsck` without options.
    public init(strict: Bool = false, overrides: [FsckMessageID: FsckSeverity] = [:], skipList: Set<ObjectID> = [],
                maxPathnameLength: Int = 4096) {
        self.strict = strict
        self.overrides = overrides
        self.skipList = skipList
        self.maxPathnameLength = maxPathnameLength
    }

    /// No rule reported: only what cannot be demoted (`fatal`) refuses an
    /// object. What checking is turned off (`*.fsckObjects` false) leaves,
    /// and the way to read an object's links whatever is wrong with it.
    public static let unchecked = FsckPolicy(overrides: Dictionary(uniqueKeysWithValues: FsckMessageID.allCases.lazy
        .filter { $0.defaultSeverity != .fatal }.map { ($0, FsckSeverity.ignore) }))

    /// The severity a finding of `message` gets: `fatal` stays fatal (Git
    /// cannot demote it), an override wins, and `strict` raises a default
    /// warning to an error.
    public func severity(of message: FsckMessageID) -> FsckSeverity {
        let standard = message.defaultSeverity
        if standard == .fatal { return .fatal }
        if let set = overrides[message] { return set }
        return strict && standard == .warn ? .error : standard
    }

    /// Sets `message`'s severity from a config value (`error`, `warn` or
    /// `ignore`, as Git accepts). Throws `invalidArgument` naming the value.
    public mutating func set(_ message: FsckMessageID, to value: String) throws {
        guard let severity = FsckSeverity(rawValue: value.lowercased()),
              severity == .error || severity == .warn || severity == .ignore else {
            throw BanyanError(.invalidArgument, "unknown fsck message type '\(value)' for \(message.rawValue): use error, warn or ignore")
        }
        guard message.defaultSeverity != .fatal || severity == .error else {
            throw BanyanError(.invalidArgument, "cannot demote \(message.rawValue) to \(value)")
        }
        overrides[message] = severity
    }
}

/// One thing Git's fsck rules found wrong with an object.
public struct FsckFinding: Hashable, Sendable, CustomStringConvertible {
    /// The rule, by Git's message id.
    public var message: FsckMessageID
    /// The severity the policy gave it: `error` (`fatal` included) or `warn` (`info` included).
    public var isError: Bool
    /// The object's kind.
    public var kind: ObjectKind
    /// The object.
    public var id: ObjectID
    /// Git's words for the problem, e.g. `contains '.git'`.
    public var detail: String

    /// Creates a finding.
    public init(message: FsckMessageID, isError: Bool, kind: ObjectKind, id: ObjectID, detail: String) {
        self.message = message
        self.isError = isError
        self.kind = kind
        self.id = id
        self.detail = detail
    }

    /// `git fsck`'s line: `error in tree 1f2e…: hasDotgit: contains '.git'`.
    public var description: String {
        "\(isError ? "error" : "warning") in \(kind) \(id): \(message.rawValue): \(detail)"
    }

    /// The line Git's transfer checks print (index-pack, unpack-objects):
    /// `error: object 1f2e…: hasDotgit: contains '.git'`.
    public var transferDescription: String {
        "\(isError ? "error" : "warning"): object \(id): \(message.rawValue): \(detail)"
    }
}
