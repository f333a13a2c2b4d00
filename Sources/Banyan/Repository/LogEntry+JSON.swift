/// The one JSON shape of a commit, in `banyan log --json` and the REST API's
/// log (`LogEntry` in docs/openapi.json):
///
/// ```json
/// {"id": "…", "tree": "…", "parents": ["…"],
///  "author": {"name": "…", "email": "…", "time": 1700000000, "timeZoneMinutes": 60},
///  "committer": {…}, "message": "…"}
/// ```
///
/// Names and the message are converted to UTF-8 from the commit's
/// `encoding` header as `git log` prints them; times are seconds since 1970
/// with the signer's offset from UTC in minutes.
extension LogEntry: Encodable {
    private enum CodingKeys: String, CodingKey {
        case id, tree, parents, author, committer, message
    }

    private enum PersonKeys: String, CodingKey {
        case name, email, time, timeZoneMinutes
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id.hex, forKey: .id)
        try container.encode(commit.tree.hex, forKey: .tree)
        try container.encode(commit.parents.map(\.hex), forKey: .parents)
        try encode(commit.author, name: commit.displayAuthorName, forKey: .author, in: &container)
        try encode(commit.committer, name: commit.displayCommitterName, forKey: .committer, in: &container)
        try container.encode(String(decoding: commit.displayMessage, as: UTF8.self), forKey: .message)
    }

    private func encode(_ signature: Signature, name: [UInt8], forKey key: CodingKeys,
                        in container: inout KeyedEncodingContainer<CodingKeys>) throws {
        var person = container.nestedContainer(keyedBy: PersonKeys.self, forKey: key)
        try person.encode(String(decoding: name, as: UTF8.self), forKey: .name)
        try person.encode(signature.email, forKey: .email)
        try person.encode(signature.time, forKey: .time)
        try person.encode(signature.timeZoneMinutes, forKey: .timeZoneMinutes)
    }
}
