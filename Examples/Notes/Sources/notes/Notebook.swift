import Banyan
import BanyanSync
import Foundation

/// The notes store: a Banyan repository whose `main` branch holds one
/// directory per note.
///
/// ```
/// .gitattributes          which merge strategy each key uses
/// notes/ID/note.json      {"body": ..., "title": ...}   merge=json
/// notes/ID/tags           one tag per line              merge=set
/// notes/ID/edits          a decimal count               merge=counter
/// ```
///
/// With those strategies, two devices that edited different fields of a
/// note, tagged it differently or both edited it merge without conflicts.
struct Notebook {
    /// The rules that pick each key's merge strategy; committed with every write.
    static let attributes = """
        notes/*/note.json merge=json
        notes/*/tags merge=set
        notes/*/edits merge=counter

        """

    let repository: Repository
    let branch: Branch

    /// Opens the store at `path`, creating it when nothing is there.
    init(path: String) throws {
        repository = FileManager.default.fileExists(atPath: path)
            ? try Repository.open(at: path)
            : try Repository.create(at: path)
        branch = try repository.branch("main")
    }

    /// Adds a note; throws `alreadyExists` when `id` is taken.
    func add(id: String, title: String, body: String, tags: [String]) throws {
        let dir = try Self.directory(id)
        try write("Add note \(id)") { tx in
            guard try tx.find(try dir.appending("note.json")) == nil else {
                throw BanyanError(.alreadyExists, "note \(id) exists; change it with `notes edit \(id)`")
            }
            try tx.set(try dir.appending("note.json"), encoding: Note.Content(title: title, body: body))
            tx.set(try dir.appending("tags"), Self.tagLines(Set(tags)))
            tx.set(try dir.appending("edits"), Data("0\n".utf8))
        }
    }

    /// Changes the title or body, adds and removes tags, and counts one edit.
    /// Throws `keyNotFound` when there is no note `id`.
    func edit(id: String, title: String?, body: String?, addTags: [String], removeTags: [String]) throws {
        let dir = try Self.directory(id)
        try write("Edit note \(id)") { tx in
            guard var content = try tx.find(try dir.appending("note.json"), as: Note.Content.self) else {
                throw BanyanError(.keyNotFound, "there is no note \(id); create it with `notes add \(id) TITLE`")
            }
            content.title = title ?? content.title
            content.body = body ?? content.body
            try tx.set(try dir.appending("note.json"), encoding: content)
            let tags = Self.tags(try tx.find(try dir.appending("tags")))
            tx.set(try dir.appending("tags"), Self.tagLines(tags.union(addTags).subtracting(removeTags)))
            let edits = Self.count(try tx.find(try dir.appending("edits")))
            tx.set(try dir.appending("edits"), Data("\(edits + 1)\n".utf8))
        }
    }

    /// Every note, sorted by id.
    func notes() throws -> [Note] {
        let snapshot = try branch.snapshot()
        let root = try Key("notes")
        guard try snapshot.kind(of: root) == .directory else { return [] }
        return try snapshot.list(root).filter { $0.kind == .directory }.map { entry in
            Note(id: entry.name,
                 content: try snapshot.get(try entry.key.appending("note.json"), as: Note.Content.self),
                 tags: Self.tags(try snapshot.find(try entry.key.appending("tags"))).sorted(),
                 edits: Self.count(try snapshot.find(try entry.key.appending("edits"))))
        }
    }

    /// Makes `url` the remote `origin` (replacing another URL) and returns
    /// the sync operations on this store.
    func syncing(with url: String, token: String?) throws -> Sync {
        if let remote = try Remotes.find("origin", in: repository), remote.url != url {
            try Remotes.remove("origin", from: repository)
        }
        if try Remotes.find("origin", in: repository) == nil {
            try Remotes.add(Remote(name: "origin", url: url), to: repository)
        }
        return Sync(repository: repository, token: token)
    }

    /// One round with `url`: fetch its `main`, merge it into the local one
    /// with the strategies `.gitattributes` names, push the result. What no
    /// strategy merges (both devices changed a note's title, say) does not
    /// stop the sync: the newer edit stays, and the conflict goes into the
    /// store's conflict inbox, which syncs too, so it can be settled on any
    /// device (``conflicts()``, ``resolve(id:keep:)``).
    func sync(url: String, token: String?) async throws -> SyncOutcome {
        try await syncing(with: url, token: token).sync(branches: ["main"], onConflict: .record)
    }

    /// A note's open conflict: the note, the key inside it, and where the
    /// two versions disagree.
    struct Conflict: Equatable {
        var id: String
        var key: String
        var locations: [String]
    }

    /// Every open conflict on `main`, by note.
    func conflicts() throws -> [Conflict] {
        try ConflictInbox(repository: repository).records(branch: "main").compactMap { record in
            let segments = record.key.segments
            guard segments.count == 3, segments[0] == "notes" else { return nil }
            return Conflict(id: segments[1], key: segments[2], locations: record.locations)
        }
    }

    /// Which version of a conflicting note to keep: the one it shows now
    /// (the newer edit) or the other device's. Unlike ours and theirs,
    /// these mean the same on every device.
    enum Choice: String, CaseIterable {
        case shown, other
    }

    /// Settles note `id`'s conflicts by keeping one version of each.
    /// Throws `keyNotFound` when the note has none.
    func resolve(id: String, keep choice: Choice) throws {
        let dir = try Self.directory(id)
        let inbox = ConflictInbox(repository: repository)
        let records = try inbox.records(branch: "main").filter { $0.key.hasPrefix(dir) }
        guard !records.isEmpty else {
            throw BanyanError(.keyNotFound, "note \(id) has no conflict; `notes conflicts` lists them")
        }
        for record in records {
            let keepOurs = (record.kept == .ours) == (choice == .shown)
            try inbox.resolve(record.key, branch: "main", with: keepOurs ? .ours : .theirs)
        }
    }

    /// One commit that also keeps `.gitattributes` current.
    private func write(_ message: String, _ body: (inout Transaction) throws -> Void) throws {
        try branch.transaction(message: message) { tx in
            let rules = try Key(".gitattributes")
            if try tx.find(rules) != Data(Self.attributes.utf8) { tx.set(rules, Data(Self.attributes.utf8)) }
            try body(&tx)
        }
    }

    private static func directory(_ id: String) throws -> Key {
        guard !id.isEmpty, !id.contains("/") else {
            throw BanyanError(.invalidArgument, "a note id is one non-empty name without '/', not '\(id)'")
        }
        return try Key("notes").appending(id)
    }

    private static func tags(_ data: Data?) -> Set<String> {
        Set(String(decoding: data ?? Data(), as: UTF8.self).split(separator: "\n").map(String.init))
    }

    private static func tagLines(_ tags: Set<String>) -> Data {
        Data(tags.sorted().map { $0 + "\n" }.joined().utf8)
    }

    private static func count(_ data: Data?) -> Int64 {
        Int64(String(decoding: data ?? Data(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}
