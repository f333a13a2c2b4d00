import Foundation

extension BranchUpdate: Encodable {
    private enum CodingKeys: String, CodingKey { case branch, old, new, changes }
    private enum ChangeKeys: String, CodingKey { case key, kind, old, new }

    /// Encodes as `{"branch", "old", "new", "changes": [{"key", "kind", "old", "new"}]}`,
    /// ids as hex strings and absent ids as null: the form the CLI and the HTTP API print.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(branch, forKey: .branch)
        try container.encode(old?.hex, forKey: .old)
        try container.encode(new?.hex, forKey: .new)
        var list = container.nestedUnkeyedContainer(forKey: .changes)
        for change in changes {
            var item = list.nestedContainer(keyedBy: ChangeKeys.self)
            try item.encode(change.key.path, forKey: .key)
            try item.encode(change.kind, forKey: .kind)
            try item.encode(change.old?.hex, forKey: .old)
            try item.encode(change.new?.hex, forKey: .new)
        }
    }

    /// The update as one line of JSON (sorted keys, no trailing newline).
    public func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
