import Banyan
import Foundation

// The JSON bodies of the REST API; docs/openapi.json describes each one.

struct ErrorBody: Encodable {
    struct Detail: Encodable {
        var code: String
        var message: String
    }
    var error: Detail
    var conflicts: [ConflictBody]?
}

struct ConflictBody: Encodable {
    var key: String
    var kind: String
    var base: String?
    var ours: String?
    var theirs: String?
    var detail: String?

    init(_ conflict: MergeConflict) {
        key = conflict.key.path
        kind = conflict.kind.rawValue
        base = conflict.base?.hex
        ours = conflict.ours?.hex
        theirs = conflict.theirs?.hex
        detail = conflict.detail
    }
}

struct BranchBody: Encodable {
    var name: String
    var head: String?
    var isDefault: Bool

    enum CodingKeys: String, CodingKey { case name, head, isDefault = "default" }
}

struct BranchesBody: Encodable { var branches: [BranchBody] }

struct CreateBranchRequest: Decodable {
    var name: String
    var from: String?
}

struct CommitBody: Encodable { var commit: String }

struct OptionalCommitBody: Encodable { var commit: String? }

struct EntryBody: Encodable {
    var name: String
    var key: String
    var kind: String
    var id: String
}

struct ListBody: Encodable { var entries: [EntryBody] }

struct CommitRequest: Decodable {
    var message: String?
    var author: String?
    var set: [String: String]?
    var remove: [String]?
    var expect: String?
}

/// The log: commits in `LogEntry`'s one JSON shape.
struct LogBody: Encodable { var commits: [LogEntry] }

struct ChangeBody: Encodable {
    var key: String
    var kind: String
    var old: String?
    var new: String?

    init(key: String, kind: String, old: String?, new: String?) {
        self.key = key
        self.kind = kind
        self.old = old
        self.new = new
    }

    init(_ change: KeyChange) {
        self.init(key: change.key.path, kind: change.kind.rawValue, old: change.old?.hex, new: change.new?.hex)
    }
}

struct DiffBody: Encodable {
    /// Nil for a root commit diffed against nothing, sent as null.
    var from: String?
    var to: String
    var changes: [ChangeBody]

    enum CodingKeys: String, CodingKey { case from, to, changes }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(changes, forKey: .changes)
    }
}

struct MergeRequest: Decodable {
    var source: String
    var target: String
    var onConflict: String?
    var message: String?
    var author: String?
}

struct MergeBody: Encodable {
    var outcome: String
    var commit: String?
    /// The keys recorded in the conflict inbox, for outcome `recorded`.
    var recorded: [String]? = nil
}

struct CompareBody: Encodable {
    var base: String
    var head: String
    var mergeBase: String?
    var ahead: Int
    var behind: Int
}

struct MergePreviewBody: Encodable {
    var source: String
    var target: String
    var base: String?
    var outcome: String
    var keys: [MergePreviewKeyBody]
}

/// What a merge does with one key that either side changed since the merge base.
struct MergePreviewKeyBody: Encodable {
    var key: String
    var base: String?
    var ours: String?
    var theirs: String?
    /// `ours`, `theirs` (one side changed it, or the conflict policy chose), `same`, `merged` or `conflict`.
    var result: String
    var strategy: String?
    var detail: String?
    /// The merged value, when a strategy combined two changes into UTF-8 text.
    var merged: String?
}

struct InfoBody: Encodable {
    var readOnly: Bool
    var defaultBranch: String?
}
