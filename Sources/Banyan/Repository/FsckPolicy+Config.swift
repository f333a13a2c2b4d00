import Foundation

extension FsckPolicy {
    /// Where objects are checked, which decides the config keys read, as in Git.
    public enum Checking: String, Sendable {
        /// `fsck`: `fsck.<msg-id>`, `fsck.skipList`.
        case fsck
        /// Objects pushed to this repository (`banyan serve`):
        /// `receive.fsckObjects`, `receive.fsck.<msg-id>`, `receive.fsck.skipList`.
        case receive
        /// Objects fetched, cloned or unbundled into this repository:
        /// `fetch.fsckObjects`, `fetch.fsck.<msg-id>`, `fetch.fsck.skipList`.
        case fetch
    }

    /// The policy `config` gives for `checking`; nil when config turns the
    /// checks off (`receive.fsckObjects` or `fetch.fsckObjects` false, or
    /// unset and `transfer.fsckObjects` false).
    ///
    /// Banyan checks what it receives unless told not to, which is safer
    /// than Git's default (no checks). Without config, objects pushed to a
    /// server are checked strictly, as Git's `receive.fsckObjects` does:
    /// what Git only warns about (a `.git` tree entry, a zero-padded mode)
    /// is refused, since the pusher may be anyone. Objects fetched are
    /// checked with Git's own severities: errors refuse, warnings are
    /// reported, so every history `git clone` accepts can be fetched.
    /// Setting `*.fsckObjects` to true asks for Git's behaviour exactly
    /// (strict). `fsck` is never strict unless asked (`git fsck --strict`).
    ///
    /// A `skipList` is a file of object ids, one per line (`#` comments and
    /// blank lines allowed), read relative to the current directory as Git
    /// reads it. Throws `invalidArgument` naming the key whose value is not
    /// understood, or the skip list's line.
    public init?(config: GitConfig, checking: Checking) throws {
        // `fsck.<id>` is section fsck; `receive.fsck.<id>` is section receive, subsection fsck.
        let (section, subsection): (String, String?)
        switch checking {
        case .fsck:
            self.init()
            (section, subsection) = ("fsck", nil)
        case .receive, .fetch:
            let enabled = try config.bool(forKey: "\(checking.rawValue).fsckObjects") ?? config.bool(forKey: "transfer.fsckObjects")
            if enabled == false { return nil }
            self.init(strict: enabled == true || checking == .receive)
            (section, subsection) = (checking.rawValue, "fsck")
        }
        for block in config.sections where block.name.lowercased() == section && block.subsection == subsection {
            for entry in block.entries {
                try apply(name: entry.key, value: entry.value, key: ([section] + [subsection, entry.key].compactMap { $0 }).joined(separator: "."))
            }
        }
    }

    /// Applies one `<prefix><name> = value` entry.
    private mutating func apply(name: String, value: String?, key: String) throws {
        guard let value else { throw BanyanError(.invalidArgument, "\(key) needs a value") }
        if name.lowercased() == "skiplist" {
            skipList = try Self.readSkipList(at: value)
            return
        }
        guard let message = FsckMessageID.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
            throw BanyanError(.invalidArgument, "\(key): '\(name)' is not a Git fsck message id")
        }
        var severity = value
        if message == .largePathname, let colon = value.firstIndex(of: ":") {
            guard let limit = Int(value[value.index(after: colon)...]), limit >= 0 else {
                throw BanyanError(.invalidArgument, "\(key) = \(value): the limit after ':' is not a number")
            }
            maxPathnameLength = limit
            severity = String(value[..<colon])
        }
        do {
            try set(message, to: severity)
        } catch let error as BanyanError {
            throw BanyanError(.invalidArgument, "\(key): \(error.message)")
        }
    }

    /// The ids in a skip list file.
    private static func readSkipList(at path: String) throws -> Set<ObjectID> {
        let expanded = path.hasPrefix("~/") ? NSHomeDirectory() + path.dropFirst() : path
        guard let data = FileManager.default.contents(atPath: expanded) else {
            throw BanyanError(.invalidArgument, "cannot read the fsck skip list \(expanded)")
        }
        var ids: Set<ObjectID> = []
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?
                .trimmingCharacters(in: .whitespaces) ?? ""
            guard !text.isEmpty else { continue }
            guard let id = ObjectID(hex: text) else {
                throw BanyanError(.invalidArgument, "\(expanded):\(number + 1): '\(text)' is not an object id")
            }
            ids.insert(id)
        }
        return ids
    }
}

extension Repository {
    /// The fsck policy this repository's config gives for `checking` (see
    /// `FsckPolicy(config:checking:)`); a store without a configuration gets the defaults.
    public func fsckPolicy(_ checking: FsckPolicy.Checking) throws -> FsckPolicy? {
        try FsckPolicy(config: try loadConfig(), checking: checking)
    }
}
