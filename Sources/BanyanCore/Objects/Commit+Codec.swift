extension Commit {
    /// The Git body of this commit: `tree`, `parent`s, `author`, `committer`,
    /// extra headers, a blank line, then the message.
    ///
    /// Signatures and header keys are the caller's to validate (see
    /// `Signature.validate(name:email:)`); a newline in an extra header's
    /// value becomes a continuation line, as Git writes `gpgsig`.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + message.count + extraHeaders.reduce(0) { $0 + $1.key.utf8.count + $1.value.count + 16 })
        ObjectHeaders.append(key: "tree", id: tree, to: &out)
        for parent in parents {
            ObjectHeaders.append(key: "parent", id: parent, to: &out)
        }
        ObjectHeaders.append(key: "author", signature: author, to: &out)
        ObjectHeaders.append(key: "committer", signature: committer, to: &out)
        for header in extraHeaders {
            ObjectHeaders.append(key: header.key, value: header.value, to: &out)
        }
        if !(endsAtHeaders && message.isEmpty) { out.append(UInt8(ascii: "\n")) }
        out.append(contentsOf: message)
        return out
    }

    /// This commit as a raw object, ready to hash or store.
    public var rawObject: RawObject { RawObject(kind: .commit, body: encoded()) }

    /// Decodes a commit body whose ids are `algorithm` hex ids.
    ///
    /// Strict so that `encoded()` gives back the same bytes: throws
    /// `corruptObject` when `tree`, `author` or `committer` is missing or out
    /// of order, an id is not lowercase hex of the right length, a signature is
    /// malformed, a fixed header repeats, or the blank line is missing.
    public init(decoding body: [UInt8], algorithm: HashAlgorithm) throws {
        var headers = try ObjectHeaders.parse(body, kind: .commit)
        let tree = try ObjectHeaders.objectID(
            headers.require("tree", after: nil), algorithm: algorithm, kind: .commit, key: "tree"
        )
        var parents: [ObjectID] = []
        while let parentHex = headers.take("parent") {
            parents.append(try ObjectHeaders.objectID(parentHex, algorithm: algorithm, kind: .commit, key: "parent"))
        }
        let author = try headers.require("author", after: "tree and parents")
        let committer = try headers.require("committer", after: "author")
        self.init(
            tree: tree,
            parents: parents,
            author: try Signature(decoding: author[...]),
            committer: try Signature(decoding: committer[...]),
            extraHeaders: try headers.extras(fixedKeys: ["tree", "parent", "author", "committer"]),
            message: Array(body[headers.messageStart...])
        )
        endsAtHeaders = !headers.hasBlankLine
    }
}
