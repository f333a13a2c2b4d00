/// Git's fsck rules (`git help fsck-msgids`) for objects that come from
/// outside: pushed to `banyan serve`, fetched from a peer, or read by `fsck`.
///
/// The codecs enforce most rules already (a tree's modes, order,
/// duplicates and `.`/`..`/`/` names; a commit's or tag's header order,
/// ids and signatures), refusing what `git fsck` calls an error and
/// passing what it only warns about (zero-padded modes, a `-0000` zone). This adds what decoding alone lets through, so that
/// one call decides whether an object may enter the store:
///
/// - `nulInHeader`: a NUL byte among a commit's or tag's headers.
/// - `hasDotgit`: a tree entry Git would take for its own directory (`.git`
///   in any case, NTFS `git~1` and trailing dots or spaces, HFS+ ignorable
///   code points). Git only warns; Banyan refuses, since no key may hold it.
/// - `nullSha1`: a tree entry pointing at the all-zero id (a warning in Git;
///   nothing can ever satisfy it, and gitlinks are not otherwise checked).
/// - `gitattributesBlob`, `gitattributesLarge`, `gitattributesLineLength`:
///   `.gitattributes` must be a blob Banyan's merge can parse safely (see
///   `checkAttributes(_:id:)`).
///
/// Every failure throws `corruptObject` whose message names the object and
/// Git's message id, e.g. `received tree 1f2e… fails fsck (hasDotgit): …`.
public enum FsckRules {
    /// An object that another one refers to, with the kind the reference requires.
    public struct Link: Hashable, Sendable {
        /// The object referred to.
        public var id: ObjectID
        /// The kind it must have: a commit's tree is a tree, its parents commits.
        public var kind: ObjectKind
        /// True when a tree names it `.gitattributes`: its body must pass
        /// `checkAttributes(_:id:)` too.
        public var isAttributes: Bool

        /// Creates a link.
        public init(id: ObjectID, kind: ObjectKind, isAttributes: Bool = false) {
            self.id = id
            self.kind = kind
            self.isAttributes = isAttributes
        }
    }

    /// The largest `.gitattributes` blob Git accepts (`gitattributesLarge`).
    public static let maxAttributesSize = 100 * 1024 * 1024
    /// The longest `.gitattributes` line Git accepts, newline excluded (`gitattributesLineLength`).
    public static let maxAttributesLineLength = 2047

    /// Checks one object against Git's fsck rules and returns the objects it
    /// refers to (gitlinks excluded: a submodule's commits live elsewhere).
    ///
    /// Cost: linear in the body's size (a tree is scanned, not decoded). Throws
    /// `corruptObject` naming `id` and the rule broken.
    public static func check(_ object: RawObject, id: ObjectID, algorithm: HashAlgorithm) throws -> [Link] {
        let broken = { failure(object.kind, id, $0, $1) }
        switch object.kind {
        case .blob:
            return []
        case .tree:
            var links: [Link] = []
            try object.body.withUnsafeBytes { try checkTree($0, id: id, algorithm: algorithm) { links.append($0) } }
            return links
        case .commit:
            try checkHeadersHaveNoNUL(object.body, failure: broken)
            let commit = try decoded(object.kind, id) { try Commit(decoding: object.body, algorithm: algorithm) }
            return [Link(id: commit.tree, kind: .tree)] + commit.parents.map { Link(id: $0, kind: .commit) }
        case .tag:
            try checkHeadersHaveNoNUL(object.body, failure: broken)
            let tag = try decoded(object.kind, id) { try Tag(decoding: object.body, algorithm: algorithm) }
            return [Link(id: tag.object, kind: tag.objectKind)]
        }
    }

    /// Checks a blob that a tree names `.gitattributes`: at most
    /// `maxAttributesSize` bytes, no line longer than `maxAttributesLineLength`.
    ///
    /// Throws `corruptObject` naming `id` and the rule broken.
    public static func checkAttributes(_ blob: RawObject, id: ObjectID) throws {
        func failure(_ rule: String, _ problem: String) -> BanyanError {
            BanyanError(.corruptObject, ".gitattributes blob \(id) fails fsck (\(rule)): \(problem)")
        }
        guard blob.kind == .blob else { throw failure("gitattributesBlob", "it is a \(blob.kind), not a blob") }
        guard blob.body.count <= maxAttributesSize else {
            throw failure("gitattributesLarge", "\(blob.body.count) bytes is over the \(maxAttributesSize)-byte limit")
        }
        var lineStart = 0
        for index in blob.body.indices where blob.body[index] == UInt8(ascii: "\n") || index == blob.body.count - 1 {
            let length = (blob.body[index] == UInt8(ascii: "\n") ? index : index + 1) - lineStart
            guard length <= maxAttributesLineLength else {
                throw failure("gitattributesLineLength", "a line of \(length) bytes is over the \(maxAttributesLineLength)-byte limit")
            }
            lineStart = index + 1
        }
    }

    /// A broken rule, as `check` reports it.
    private static func failure(_ kind: ObjectKind, _ id: ObjectID, _ rule: String, _ problem: String) -> BanyanError {
        BanyanError(.corruptObject, "\(kind) \(id) fails fsck (\(rule)): \(problem)")
    }

    /// What `decode` returns, or its error restated as `check` reports it.
    private static func decoded<T>(_ kind: ObjectKind, _ id: ObjectID, _ decode: () throws -> T) throws -> T {
        do {
            return try decode()
        } catch let error as BanyanError {
            throw BanyanError(.corruptObject, "\(kind) \(id) fails fsck: \(error.message)")
        }
    }

    /// `check` for a tree by decoding it: the way to name the problem `checkTree`'s scan stopped at.
    package static func checkDecodedTree(_ body: [UInt8], id: ObjectID, algorithm: HashAlgorithm) throws -> [Link] {
        try treeLinks(decoded(.tree, id) { try Tree(decoding: body, algorithm: algorithm) }) { failure(.tree, id, $0, $1) }
    }

    private static func treeLinks(_ tree: Tree, failure: (String, String) -> BanyanError) throws -> [Link] {
        var links: [Link] = []
        links.reserveCapacity(tree.entries.count)
        for entry in tree.entries {
            if Key.isReservedForGit(name: entry.name) {
                throw failure("hasDotgit", "entry '\(entry.nameString)' names Git's own directory")
            }
            if entry.id.isZero {
                throw failure("nullSha1", "entry '\(entry.nameString)' points at the null id")
            }
            let isAttributes = entry.name.elementsEqual(".gitattributes".utf8)
            if isAttributes && entry.mode.objectKind != .blob {
                throw failure("gitattributesBlob", "entry '.gitattributes' is a \(entry.mode.objectKind), not a blob")
            }
            guard entry.mode != .gitlink else { continue }
            links.append(Link(id: entry.id, kind: entry.mode.objectKind, isAttributes: isAttributes))
        }
        return links
    }

    /// Git's `verify_headers`: no NUL before the blank line that ends the headers.
    private static func checkHeadersHaveNoNUL(_ body: [UInt8], failure: (String, String) -> BanyanError) throws {
        var previous: UInt8 = 0
        for (index, byte) in body.enumerated() {
            if byte == 0 { throw failure("nulInHeader", "NUL byte at offset \(index) in the headers") }
            if byte == UInt8(ascii: "\n") && previous == UInt8(ascii: "\n") { return }
            previous = byte
        }
    }
}
