#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

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
    ///
    /// Every seal and pack-list reload asks, and a busy store's list holds
    /// thousands of lines: the last list parsed is kept per file with the
    /// file's identity (device, inode, size, change and modification
    /// times), and returned while the file is unchanged and older than two
    /// seconds, for one `stat`. Otherwise the file is read, and parsed only
    /// when its bytes differ from the cached ones.
    static func read(_ repository: String) -> [String: Date] {
        let file = listFile(repository)
        var info = stat()
        guard stat(file, &info) == 0 else { return [:] }
        let identity = FileIdentity(info)
        let cached = cache.withLock { $0[file] }
        // Inode numbers are reused and coarse clocks tick every few
        // milliseconds: a file changed within the last two seconds could
        // look like the cached one, so its bytes are compared.
        let settled = Date().timeIntervalSince1970 - Double(identity.modified) > 2
        if let cached, cached.identity == identity, settled { return cached.packs }
        guard let bytes = try? Posix.readFile(file) else { return [:] }
        let packs = cached?.bytes == bytes ? cached!.packs : parse(bytes)
        cache.withLock { $0[file] = Cached(identity: identity, bytes: bytes, packs: packs) }
        return packs
    }

    /// What tells one version of the list file from another without reading it.
    private struct FileIdentity: Equatable {
        var device: UInt64, inode: UInt64, size: Int64
        var changed: Int, changedNanoseconds: Int, modified: Int, modifiedNanoseconds: Int

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            changed = info.st_ctim.tv_sec
            changedNanoseconds = info.st_ctim.tv_nsec
            modified = info.st_mtim.tv_sec
            modifiedNanoseconds = info.st_mtim.tv_nsec
        }
    }

    private struct Cached {
        var identity: FileIdentity
        var bytes: [UInt8]
        var packs: [String: Date]
    }

    /// The last list read, by file.
    private static let cache = Mutex<[String: Cached]>([:])

    /// The lines of a list: `<unix seconds> pack-<name>`; others are skipped.
    static func parse(_ bytes: [UInt8]) -> [String: Date] {
        var packs: [String: Date] = [:]
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            defer { start = end + 1 }
            guard let space = bytes[start..<end].firstIndex(of: 0x20), space > start else { continue }
            var seconds: Int64 = 0
            guard bytes[start..<space].allSatisfy({ (0x30...0x39).contains($0) }), space - start <= 18 else { continue }
            for digit in bytes[start..<space] { seconds = seconds * 10 + Int64(digit - 0x30) }
            let name = bytes[(space + 1)..<end]
            guard name.starts(with: "pack-".utf8) else { continue }
            packs[String(decoding: name, as: UTF8.self)] = Date(timeIntervalSince1970: TimeInterval(seconds))
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

    /// How long past its grace a replaced pack waits for the git processes
    /// reading the store (``GitReaders``) before it is deleted anyway: a
    /// `git log` left open in a pager must not keep packs forever.
    static let readerDeferral: TimeInterval = 600

    /// Deletes the listed packs replaced at least `grace` seconds ago
    /// (with `.rev`, `.bitmap` and the rest), and forgets the ones gone.
    /// While a git process reads the store (``GitReaders``), the packs wait,
    /// up to `readerDeferral` past their grace. Returns how many it deleted.
    ///
    /// Readers are looked for under the list's lock just before each
    /// deletion (git maps the multi-pack-index before it lists the packs,
    /// so one that has listed them is seen): what is left is a git process
    /// that lists the packs between a look and the deletion that follows
    /// it, a window of one `/proc` scan (about a millisecond here).
    @discardableResult
    static func removeExpired(repository: String, grace: TimeInterval, durable: Bool, now: Date = Date()) throws -> Int {
        guard !read(repository).isEmpty else { return 0 }
        let directory = repository + "/objects/pack/"
        var removed = 0
        var deferred = false
        try rewrite(repository, durable: durable) { packs in
            var expired: [String] = []
            for (name, replaced) in packs {
                if let modified = Self.modifiedSeconds(directory + name + ".pack"), modified > Int64(replaced.timeIntervalSince1970) {
                    // Made again since it was replaced (its files had gone,
                    // and a seal wrote the same bytes): no longer replaced.
                    packs[name] = nil
                } else if now.timeIntervalSince(replaced) >= grace {
                    expired.append(name)
                } else if Posix.fileType(directory + name + ".idx") == nil {
                    packs[name] = nil
                }
            }
            // Oldest first: when a reader shows up, the ones past the deferral go anyway.
            expired.sort { packs[$0]! < packs[$1]! }
            for name in expired {
                if !deferred { deferred = GitReaders.areReading(directory) }
                if deferred && now.timeIntervalSince(packs[name]!) < grace + readerDeferral { break }
                try ObjectDirectory.removePack(directory + name)
                removed += 1
                packs[name] = nil
            }
        }
        lastDeferral.withLock { $0[repository] = deferred ? now : nil }
        return removed
    }

    /// The whole seconds of `path`'s modification time, nil when it is not there.
    private static func modifiedSeconds(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_mtim.tv_sec)
    }

    /// When the oldest listed pack may go; nil when none is listed. After
    /// this process deferred deletions for a git reader, not before
    /// `readerRecheck` has passed, so maintenance asks again then rather
    /// than at once.
    static func nextExpiry(_ repository: String, grace: TimeInterval) -> Date? {
        guard let expiry = read(repository).values.min().map({ $0.addingTimeInterval(grace) }) else { return nil }
        guard let deferred = lastDeferral.withLock({ $0[repository] }) else { return expiry }
        return max(expiry, deferred.addingTimeInterval(readerRecheck))
    }

    /// How often deletions deferred for a git reader look again.
    static let readerRecheck: TimeInterval = 5

    /// When this process last deferred deletions for a git reader, by repository.
    private static let lastDeferral = Mutex<[String: Date]>([:])

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
