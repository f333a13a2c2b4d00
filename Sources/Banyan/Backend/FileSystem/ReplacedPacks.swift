import Foundation

/// Packs a geometric repack replaced, kept on disk for a grace period
/// before they are deleted, listed in `objects/info/banyan-replaced-packs`
/// (one `<unix seconds> <pack-name>` line each; Git ignores the file).
///
/// Why: `git fsck` (and `git multi-pack-index verify`, which it runs) lists
/// the packs when it starts and fails on one that disappears before it
/// reads it, as it does beside `git repack -d`. Kept for a grace period
/// (`banyan.replacedPackExpire`, default ``defaultGrace``), a replaced pack
/// is still there for the git processes that started before the repack,
/// while Banyan no longer reads it (its objects are in the new
/// pack, the multi-pack-index leaves it out, and geometric repacks do not
/// count it). gc deletes them at once, as `git gc` does.
enum ReplacedPacks {
    /// How long a replaced pack stays for the git processes that may still read it, by default.
    static let defaultGrace: TimeInterval = 30

    static func listFile(_ repository: String) -> String {
        repository + "/objects/info/banyan-replaced-packs"
    }

    /// The replaced packs (`pack-<hex>` names) and when they were replaced;
    /// empty when there is no list or it does not parse.
    static func read(_ repository: String) -> [String: Date] {
        guard let bytes = try? Posix.readFile(listFile(repository)) else { return [:] }
        var packs: [String: Date] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 1)
            guard fields.count == 2, let seconds = TimeInterval(fields[0]), fields[1].hasPrefix("pack-") else { continue }
            packs[String(fields[1])] = Date(timeIntervalSince1970: seconds)
        }
        return packs
    }

    /// Adds `names` (`pack-<hex>`) to the list, replaced now.
    static func add(_ names: [String], repository: String, durable: Bool) throws {
        guard !names.isEmpty else { return }
        try rewrite(repository, durable: durable) { packs in
            for name in names { packs[name] = Date() }
        }
    }

    /// Takes `name` (`pack-<hex>`) off the list before a pack of that name
    /// is installed or sealed again: a pack is named by its checksum, so new
    /// objects can come back as the very pack a repack replaced, and the
    /// listed file, kept because it has the same bytes, must not be deleted
    /// under them. A no-op (one small read) when it is not listed.
    static func revive(_ name: String, repository: String, durable: Bool) throws {
        guard read(repository)[name] != nil else { return }
        try rewrite(repository, durable: durable) { packs in packs[name] = nil }
    }

    /// Deletes the listed packs replaced at least `grace` seconds ago
    /// (with `.rev`, `.bitmap` and the rest), and forgets the ones gone.
    /// Returns how many it deleted.
    @discardableResult
    static func removeExpired(repository: String, grace: TimeInterval, durable: Bool, now: Date = Date()) throws -> Int {
        guard !read(repository).isEmpty else { return 0 }
        var removed = 0
        let directory = repository + "/objects/pack/"
        try rewrite(repository, durable: durable) { packs in
            for (name, replaced) in packs {
                if now.timeIntervalSince(replaced) >= grace {
                    try ObjectDirectory.removePack(directory + name)
                    removed += 1
                    packs[name] = nil
                } else if Posix.fileType(directory + name + ".idx") == nil {
                    packs[name] = nil
                }
            }
        }
        return removed
    }

    /// When the oldest listed pack may go; nil when none is listed.
    static func nextExpiry(_ repository: String, grace: TimeInterval) -> Date? {
        read(repository).values.min().map { $0.addingTimeInterval(grace) }
    }

    private static func rewrite(_ repository: String, durable: Bool, _ change: (inout [String: Date]) throws -> Void) throws {
        let file = listFile(repository)
        try Posix.makeDirectories(Posix.parent(of: file))
        try LockFile.withLock(on: file) { lock in
            var packs = read(repository)
            try change(&packs)
            let text = packs.sorted { $0.key < $1.key }
                .map { "\(Int64($0.value.timeIntervalSince1970)) \($0.key)\n" }.joined()
            try lock.write(Array(text.utf8))
            try lock.commit(durable: durable)
        }
    }
}
