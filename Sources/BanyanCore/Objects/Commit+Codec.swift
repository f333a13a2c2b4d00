extension Commit {
    /// The Git encoding: `tree`, `parent`s, `author`, `committer`, extra headers, blank line, message.
    ///
    /// Callers validate signatures (`Signature.validate`) before encoding.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + parents.count * 48 + message.count)
        HeaderCodec.append(key: "tree", value: Array(tree.hex.utf8), to: &out)
        for parent in parents {
            HeaderCodec.append(key: "parent", value: Array(parent.hex.utf8), to: &out)
        }
        HeaderCodec.append(key: "author", value: author.encoded(), to: &out)
        HeaderCodec.append(key: "committer", value: committer.encoded(), to: &out)
        for header in extraHeaders {
            HeaderCodec.append(key: header.key, value: header.value, to: &out)
        }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: message)
        return out
    }

    /// The raw object for this commit.
    public var rawObject: RawObject { RawObject(kind: .commit, body: encoded()) }

    /// Decodes a commit body strictly: headers in Git's order, full lowercase
    /// hex ids, well-formed signatures. Throws `corruptObject` naming the problem.
    public init(decoding body: [UInt8], algorithm: HashAlgorithm) throws {
        let (headers, message) = try HeaderCodec.parse(body, kind: "commit")
        var index = 0
        func next(_ key: String) throws -> HeaderCodec.Line {
            guard index < headers.count, headers[index].key == key, headers[index].joined == nil else {
                throw BanyanError(.corruptObject, "commit has no '\(key)' header where Git puts it")
            }
            defer { index += 1 }
            return headers[index]
        }
        let tree = try HeaderCodec.objectID(try next("tree").value, algorithm: algorithm, field: "tree", kind: "commit")
        var parents: [ObjectID] = []
        while index < headers.count, headers[index].key == "parent" {
            parents.append(try HeaderCodec.objectID(try next("parent").value, algorithm: algorithm, field: "parent", kind: "commit"))
        }
        let author = try Signature(decoding: try next("author").value)
        let committer = try Signature(decoding: try next("committer").value)
        let extra = headers[index...].map { ExtraHeader(key: $0.key, value: $0.bytes) }
        for header in extra where ["tree", "parent", "author", "committer"].contains(header.key) {
            throw BanyanError(.corruptObject, "commit has a second or misplaced '\(header.key)' header")
        }
        self.init(tree: tree, parents: parents, author: author, committer: committer,
                  extraHeaders: extra, message: message)
    }
}

extension Tag {
    /// The Git encoding: `object`, `type`, `tag`, optional `tagger`, extra headers, blank line, message.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + name.utf8.count + message.count)
        HeaderCodec.append(key: "object", value: Array(object.hex.utf8), to: &out)
        HeaderCodec.append(key: "type", value: Array(objectKind.rawValue.utf8), to: &out)
        HeaderCodec.append(key: "tag", value: Array(name.utf8), to: &out)
        if let tagger {
            HeaderCodec.append(key: "tagger", value: tagger.encoded(), to: &out)
        }
        for header in extraHeaders {
            HeaderCodec.append(key: header.key, value: header.value, to: &out)
        }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: message)
        return out
    }

    /// The raw object for this tag.
    public var rawObject: RawObject { RawObject(kind: .tag, body: encoded()) }

    /// Decodes a tag body strictly. Throws `corruptObject` naming the problem.
    public init(decoding body: [UInt8], algorithm: HashAlgorithm) throws {
        let (headers, message) = try HeaderCodec.parse(body, kind: "tag")
        guard headers.count >= 3, headers[0].key == "object", headers[1].key == "type", headers[2].key == "tag",
              headers[0...2].allSatisfy({ $0.joined == nil })
        else { throw BanyanError(.corruptObject, "tag does not start with 'object', 'type' and 'tag' headers") }
        let object = try HeaderCodec.objectID(headers[0].value, algorithm: algorithm, field: "object", kind: "tag")
        guard let kind = ObjectKind(rawValue: String(decoding: headers[1].value, as: UTF8.self)) else {
            throw BanyanError(.corruptObject, "tag 'type' is not blob, tree, commit or tag")
        }
        guard let name = String(validating: headers[2].value, as: UTF8.self), !name.isEmpty else {
            throw BanyanError(.corruptObject, "tag name is empty or not UTF-8")
        }
        var index = 3
        var tagger: Signature?
        if index < headers.count, headers[index].key == "tagger" {
            tagger = try Signature(decoding: headers[index].value)
            index += 1
        }
        self.init(object: object, objectKind: kind, name: name, tagger: tagger,
                  extraHeaders: headers[index...].map { ExtraHeader(key: $0.key, value: $0.bytes) }, message: message)
    }
}
