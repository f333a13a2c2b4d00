/// A header line of a commit or tag that Banyan does not interpret
/// (`encoding`, `gpgsig`, `mergetag`, ...), kept so re-encoding is byte-exact.
///
/// A multi-line value is stored with its continuation lines joined by `\n`
/// (without the leading space Git writes before each continuation line).
public struct ExtraHeader: Hashable, Sendable {
    /// The header's key, e.g. `gpgsig`.
    public var key: String
    /// The header's value; may contain newlines.
    public var value: [UInt8]

    /// Creates a header.
    public init(key: String, value: [UInt8]) {
        self.key = key
        self.value = value
    }

    /// Creates a header with a string value.
    public init(key: String, value: String) {
        self.init(key: key, value: Array(value.utf8))
    }
}

/// A Git commit: a tree, parents, author, committer, extra headers and a message.
public struct Commit: Hashable, Sendable {
    /// The root tree of this commit's snapshot.
    public var tree: ObjectID
    /// Parent commits, first parent first.
    public var parents: [ObjectID]
    /// Who wrote the change.
    public var author: Signature
    /// Who made the commit.
    public var committer: Signature
    /// Headers after `committer`, in order (`encoding`, `gpgsig`, `mergetag`, ...).
    public var extraHeaders: [ExtraHeader]
    /// The message bytes, everything after the blank line.
    public var message: [UInt8]
    /// True for a commit stored as headers only, without the blank line
    /// (git reads those); it encodes so again while `message` stays empty.
    public internal(set) var endsAtHeaders = false

    /// Creates a commit.
    public init(
        tree: ObjectID, parents: [ObjectID], author: Signature, committer: Signature,
        extraHeaders: [ExtraHeader] = [], message: [UInt8]
    ) {
        self.tree = tree
        self.parents = parents
        self.author = author
        self.committer = committer
        self.extraHeaders = extraHeaders
        self.message = message
    }

    /// Creates a commit with a string message.
    public init(
        tree: ObjectID, parents: [ObjectID], author: Signature, committer: Signature,
        extraHeaders: [ExtraHeader] = [], message: String
    ) {
        self.init(tree: tree, parents: parents, author: author, committer: committer,
                  extraHeaders: extraHeaders, message: Array(message.utf8))
    }

    /// The message decoded as UTF-8.
    public var messageString: String { String(decoding: message, as: UTF8.self) }

    /// The value of the `encoding` header, if present.
    public var encoding: String? {
        extraHeaders.first { $0.key == "encoding" }.map { String(decoding: $0.value, as: UTF8.self) }
    }
}

/// An annotated Git tag.
public struct Tag: Hashable, Sendable {
    /// The tagged object.
    public var object: ObjectID
    /// The tagged object's kind.
    public var objectKind: ObjectKind
    /// The tag's name.
    public var name: String
    /// Who made the tag; optional, as in very old Git tags.
    public var tagger: Signature?
    /// Headers after `tagger`, in order.
    public var extraHeaders: [ExtraHeader]
    /// The message bytes (including any PGP signature block Git appends).
    public var message: [UInt8]
    /// True for a tag stored as headers only, without the blank line (git
    /// reads those); it encodes so again while `message` stays empty.
    public internal(set) var endsAtHeaders = false

    /// Creates a tag.
    public init(
        object: ObjectID, objectKind: ObjectKind, name: String, tagger: Signature?,
        extraHeaders: [ExtraHeader] = [], message: [UInt8]
    ) {
        self.object = object
        self.objectKind = objectKind
        self.name = name
        self.tagger = tagger
        self.extraHeaders = extraHeaders
        self.message = message
    }
}
