extension Tag {
    /// The Git body of this tag: `object`, `type`, `tag`, `tagger` when
    /// present, extra headers, a blank line, then the message.
    ///
    /// The name and tagger are the caller's to validate; a newline in the name
    /// would make the tag undecodable.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + name.utf8.count + message.count)
        ObjectHeaders.append(key: "object", id: object, to: &out)
        ObjectHeaders.append(key: "type", value: objectKind.rawValue.utf8, to: &out)
        ObjectHeaders.append(key: "tag", value: name.utf8, to: &out)
        if let tagger {
            ObjectHeaders.append(key: "tagger", signature: tagger, to: &out)
        }
        for header in extraHeaders {
            ObjectHeaders.append(key: header.key, value: header.value, to: &out)
        }
        if !(endsAtHeaders && message.isEmpty) { out.append(UInt8(ascii: "\n")) }
        out.append(contentsOf: message)
        return out
    }

    /// This tag as a raw object, ready to hash or store.
    public var rawObject: RawObject { RawObject(kind: .tag, body: encoded()) }

    /// Decodes a tag body whose ids are `algorithm` hex ids.
    ///
    /// Throws `corruptObject` when `object`, `type` or `tag` is missing or out
    /// of order, the type is not an object kind, the name is not UTF-8, the
    /// tagger is malformed, a fixed header repeats, or the blank line is missing.
    public init(decoding body: [UInt8], algorithm: HashAlgorithm) throws {
        var headers = try ObjectHeaders.parse(body, kind: .tag)
        let object = try ObjectHeaders.objectID(
            headers.require("object", after: nil), algorithm: algorithm, kind: .tag, key: "object"
        )
        let typeText = try headers.require("type", after: "object")
        guard let objectKind = ObjectKind(rawValue: String(decoding: typeText, as: UTF8.self)) else {
            throw BanyanError(.corruptObject, "tag type '\(String(decoding: typeText, as: UTF8.self))' is not an object kind")
        }
        let nameBytes = try headers.require("tag", after: "type")
        guard !nameBytes.contains(UInt8(ascii: "\n")), let name = String(validating: nameBytes, as: UTF8.self) else {
            throw BanyanError(.corruptObject, "tag name is not a single line of UTF-8")
        }
        let tagger = try headers.take("tagger").map { try Signature(decoding: $0[...]) }
        self.init(
            object: object,
            objectKind: objectKind,
            name: name,
            tagger: tagger,
            extraHeaders: try headers.extras(fixedKeys: ["object", "type", "tag", "tagger"]),
            message: Array(body[headers.messageStart...])
        )
        endsAtHeaders = !headers.hasBlankLine
    }
}
