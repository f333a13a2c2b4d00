import Foundation

/// One conflict in the ``ConflictInbox``: a key of a branch that a merge
/// could not settle, the three versions involved, the two commits merged,
/// and which version the branch keeps until someone resolves it.
///
/// Records are immutable: a new conflict at the same key replaces the
/// record, a resolution removes it.
public struct ConflictRecord: Hashable, Sendable {
    /// Which side of the recording merge the branch kept meanwhile.
    public enum Side: String, Hashable, Sendable, Codable {
        /// The branch's own side (the device that merged).
        case ours
        /// The side merged in (the remote's).
        case theirs
    }

    /// The branch the conflict is on, e.g. `main`.
    public var branch: String
    /// The key in conflict.
    public var key: Key
    /// The kind of disagreement.
    public var kind: MergeConflict.Kind
    /// The strategy that reported a content conflict (`text`, `json`, ...).
    public var strategy: String?
    /// Why the values do not combine, in words.
    public var detail: String?
    /// Where inside the value they disagree (JSON paths, say).
    public var locations: [String]
    /// The base's object at `key`, nil when absent.
    public var base: ObjectID?
    /// Ours' object at `key`, nil when absent.
    public var ours: ObjectID?
    /// Theirs' object at `key`, nil when absent.
    public var theirs: ObjectID?
    /// The branch's head that was merged into (ours).
    public var oursCommit: ObjectID
    /// The commit merged in (theirs).
    public var theirsCommit: ObjectID
    /// The merge commit that recorded the conflict.
    public var mergeCommit: ObjectID
    /// The version the branch took in `mergeCommit`: the side whose commit
    /// is newer (committer time; on a tie, the larger commit id), so every
    /// device that merges the same two heads keeps the same value.
    public var kept: Side

    /// Creates a record.
    public init(
        branch: String, conflict: MergeConflict, oursCommit: ObjectID, theirsCommit: ObjectID,
        mergeCommit: ObjectID, kept: Side
    ) {
        self.branch = branch
        self.key = conflict.key
        self.kind = conflict.kind
        self.strategy = conflict.strategy
        self.detail = conflict.detail
        self.locations = conflict.locations
        self.base = conflict.base
        self.ours = conflict.ours
        self.theirs = conflict.theirs
        self.oursCommit = oursCommit
        self.theirsCommit = theirsCommit
        self.mergeCommit = mergeCommit
        self.kept = kept
    }

    /// The object the branch holds at `key` meanwhile (nil: the key is absent).
    public var keptObject: ObjectID? { kept == .ours ? ours : theirs }
}

extension ConflictRecord: Codable {
    /// The stored and JSON form (`conflict.json` in the inbox, the CLI's and
    /// the REST API's JSON): ids in hex, the key as its path.
    private struct Stored: Codable {
        var branch: String
        var key: String
        var kind: MergeConflict.Kind
        var strategy: String?
        var detail: String?
        var locations: [String]
        var base: String?
        var ours: String?
        var theirs: String?
        var oursCommit: String
        var theirsCommit: String
        var mergeCommit: String
        var kept: Side
    }

    /// Encodes the record as its stored form.
    public func encode(to encoder: any Encoder) throws {
        try Stored(branch: branch, key: key.path, kind: kind, strategy: strategy, detail: detail,
                   locations: locations, base: base?.hex, ours: ours?.hex, theirs: theirs?.hex,
                   oursCommit: oursCommit.hex, theirsCommit: theirsCommit.hex, mergeCommit: mergeCommit.hex,
                   kept: kept).encode(to: encoder)
    }

    /// Decodes the stored form; a bad key or id is a decoding error naming the field.
    public init(from decoder: any Decoder) throws {
        let stored = try Stored(from: decoder)
        func required(_ hex: String, _ field: String) throws -> ObjectID {
            guard let id = ObjectID(hex: hex) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad \(field) id '\(hex)'"))
            }
            return id
        }
        func id(_ hex: String?, _ field: String) throws -> ObjectID? { try hex.map { try required($0, field) } }
        branch = stored.branch
        key = try Key(stored.key)
        kind = stored.kind
        strategy = stored.strategy
        detail = stored.detail
        locations = stored.locations
        base = try id(stored.base, "base")
        ours = try id(stored.ours, "ours")
        theirs = try id(stored.theirs, "theirs")
        oursCommit = try required(stored.oursCommit, "oursCommit")
        theirsCommit = try required(stored.theirsCommit, "theirsCommit")
        mergeCommit = try required(stored.mergeCommit, "mergeCommit")
        kept = stored.kept
    }

    /// The bytes of `conflict.json`: sorted keys, so a record has one encoding.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// Decodes `conflict.json`; throws `corruptObject` naming `location` when it is not a record.
    init(decoding data: Data, at location: String) throws {
        do {
            self = try JSONDecoder().decode(ConflictRecord.self, from: data)
        } catch {
            throw BanyanError(.corruptObject, "conflict record \(location) is not a conflict record: \(error)")
        }
    }
}
