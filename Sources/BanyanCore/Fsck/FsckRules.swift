/// Git's fsck rules (`git help fsck-msgids`, `FsckMessageID`) for objects
/// that come from outside: pushed to `banyan serve`, fetched from a peer,
/// unbundled, or read by `fsck`.
///
/// The checks are Git's own (`fsck.c`): the same scan of a tree's entries,
/// of a commit's and a tag's headers and of an author line, the same
/// message ids and words, so `banyan fsck` and `git fsck` report an object
/// alike. Each finding gets the severity a `FsckPolicy` gives it: errors
/// refuse the object, warnings are reported and let it pass, ignored
/// findings are dropped.
///
/// Checking is independent of decoding: the links an object has (a
/// commit's tree and parents, a tree's entries) come from this scan, so an
/// object that passes with warnings is stored and walked as Git would,
/// whether or not Banyan's codecs can read it.
public enum FsckRules {
    /// An object that another one refers to, with the kind the reference requires.
    public struct Link: Hashable, Sendable {
        /// The object referred to.
        public var id: ObjectID
        /// The kind it must have: a commit's tree is a tree, its parents commits.
        public var kind: ObjectKind
        /// True when a tree names it `.gitattributes`: its body must pass
        /// `checkAttributes(_:id:policy:report:)` too.
        public var isAttributes: Bool
        /// True when a tree names it `.gitmodules`: its body must pass
        /// `checkGitmodules(_:id:policy:report:)` (in Banyan) too.
        public var isGitmodules: Bool

        /// Creates a link.
        public init(id: ObjectID, kind: ObjectKind, isAttributes: Bool = false, isGitmodules: Bool = false) {
            self.id = id
            self.kind = kind
            self.isAttributes = isAttributes
            self.isGitmodules = isGitmodules
        }
    }

    /// The largest `.gitattributes` blob Git accepts (`gitattributesLarge`).
    public static let maxAttributesSize = 100 * 1024 * 1024
    /// The longest `.gitattributes` line Git accepts, newline excluded (`gitattributesLineLength`).
    public static let maxAttributesLineLength = 2047

    /// Checks one object against Git's fsck rules and returns the objects it
    /// refers to (gitlinks excluded: a submodule's commits live elsewhere).
    ///
    /// Every finding the policy does not ignore goes to `report`, errors
    /// included; then the first error, if any, is thrown as `corruptObject`
    /// whose message is `git fsck`'s line for it
    /// (`error in tree 1f2e…: hasDotgit: contains '.git'`). A commit or tag
    /// is checked up to its first error, as Git does; a tree's findings are
    /// all reported. Cost: linear in the body's size.
    public static func check(
        _ object: RawObject, id: ObjectID, algorithm: HashAlgorithm, policy: FsckPolicy = FsckPolicy(),
        report: (FsckFinding) -> Void = { _ in }
    ) throws -> [Link] {
        var reporter = Reporter(policy: policy, kind: object.kind, id: id)
        var links: [Link] = []
        switch object.kind {
        case .blob:
            break
        case .tree:
            try object.body.withUnsafeBytes { body in
                try checkTree(body, id: id, algorithm: algorithm, policy: policy, report: report) { links.append($0) }
            }
        case .commit:
            var headers = HeaderCheck(body: object.body, algorithm: algorithm)
            _ = headers.checkCommit(&reporter) { links.append($0) }
        case .tag:
            var headers = HeaderCheck(body: object.body, algorithm: algorithm)
            _ = headers.checkTag(&reporter) { links.append($0) }
        }
        try reporter.finish(report)
        return links
    }

    /// Checks a blob that a tree names `.gitattributes`: at most
    /// `maxAttributesSize` bytes, no line longer than `maxAttributesLineLength`.
    ///
    /// Findings go to `report`; the first error is thrown as `corruptObject`.
    public static func checkAttributes(
        _ blob: RawObject, id: ObjectID, policy: FsckPolicy = FsckPolicy(), report: (FsckFinding) -> Void = { _ in }
    ) throws {
        var reporter = Reporter(policy: policy, kind: blob.kind, id: id)
        if blob.kind != .blob {
            _ = reporter.found(.gitattributesBlob, "non-blob found at .gitattributes")
        } else if blob.body.count > maxAttributesSize {
            _ = reporter.found(.gitattributesLarge, ".gitattributes too large to parse")
        } else {
            var lineStart = 0
            for index in blob.body.indices where blob.body[index] == UInt8(ascii: "\n") || index == blob.body.count - 1 {
                let length = (blob.body[index] == UInt8(ascii: "\n") ? index : index + 1) - lineStart
                if length > maxAttributesLineLength {
                    _ = reporter.found(.gitattributesLineLength, ".gitattributes has too long lines to parse")
                    break
                }
                lineStart = index + 1
            }
        }
        try reporter.finish(report)
    }

    /// Findings about one object, graded by a policy as they are found.
    struct Reporter {
        let policy: FsckPolicy
        let kind: ObjectKind
        let id: ObjectID
        /// What was found, in order.
        private(set) var findings: [FsckFinding] = []

        init(policy: FsckPolicy, kind: ObjectKind, id: ObjectID) {
            self.policy = policy
            self.kind = kind
            self.id = id
        }

        /// Records a finding; true when it is an error (Git's `report`
        /// returning non-zero, on which a commit's or tag's check stops).
        mutating func found(_ message: FsckMessageID, _ detail: String) -> Bool {
            guard !policy.skipList.contains(id) else { return false }
            let severity = policy.severity(of: message)
            guard severity != .ignore else { return false }
            let isError = severity == .error || severity == .fatal
            findings.append(FsckFinding(message: message, isError: isError, kind: kind, id: id, detail: detail))
            return isError
        }

        /// Hands every finding to `report`, then throws the first error as `corruptObject`.
        func finish(_ report: (FsckFinding) -> Void) throws {
            findings.forEach(report)
            if let error = findings.first(where: \.isError) { throw BanyanError(.corruptObject, error.description) }
        }
    }
}
