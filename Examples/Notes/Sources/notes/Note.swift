/// One note as the app shows it: the JSON document, its tags and its edit count.
struct Note: Sendable {
    /// The part stored as JSON and merged member by member (`merge=json`).
    struct Content: Codable, Sendable {
        var title: String
        var body: String
    }

    /// The note's name, one key segment.
    var id: String
    var content: Content
    /// Stored one per line and merged as a set (`merge=set`).
    var tags: [String]
    /// How many times the note was edited; merged by adding increments (`merge=counter`).
    var edits: Int64

    /// `ID: TITLE [TAGS] (N edits)`, then the body's lines, indented.
    var listing: String {
        let tagList = tags.isEmpty ? "" : " [" + tags.joined(separator: ", ") + "]"
        let count = edits == 1 ? "1 edit" : "\(edits) edits"
        var text = "\(id): \(content.title)\(tagList) (\(count))"
        for line in content.body.split(separator: "\n") {
            text += "\n    " + line
        }
        return text
    }
}
