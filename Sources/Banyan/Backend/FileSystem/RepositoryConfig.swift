/// The repository-format part of a repository's `config`: what `git init
/// --bare` writes, and the checks Git makes before it touches a repository.
enum RepositoryConfig {
    /// Extensions whose meaning does not change how Banyan reads or writes
    /// loose objects and files-backend refs; any other extension is refused.
    /// `partialclone` (a partial clone's promisor remote) is read by the
    /// repository: missing objects are fetched or reported, never written.
    private static let harmlessExtensions: Set<String> = ["noop", "partialclone", "preciousobjects", "worktreeconfig"]

    /// The config `git init --bare` writes for `algorithm`.
    static func initial(_ algorithm: HashAlgorithm) -> GitConfig {
        var sections = [GitConfig.Section(name: "core", entries: [
            GitConfig.Entry(key: "repositoryformatversion", value: algorithm == .sha1 ? "0" : "1"),
            GitConfig.Entry(key: "filemode", value: "true"),
            GitConfig.Entry(key: "bare", value: "true"),
        ])]
        if algorithm != .sha1 {
            sections.append(GitConfig.Section(name: "extensions", entries: [
                GitConfig.Entry(key: "objectformat", value: algorithm.rawValue),
            ]))
        }
        return GitConfig(sections: sections)
    }

    /// The hash function of a repository with `config`, after Git's format checks.
    ///
    /// Throws `unsupported` for `repositoryformatversion` above 1, an unknown
    /// extension, or an extension that needs version 1 under version 0 (Git
    /// refuses those too), and `invalidRepository` for malformed values.
    static func hashAlgorithm(of config: GitConfig, path: String) throws -> HashAlgorithm {
        let version: Int
        do {
            version = try config.integer(forKey: "core.repositoryformatversion") ?? 0
        } catch {
            throw BanyanError(.invalidRepository, "\(path)/config has a malformed core.repositoryformatversion", cause: error)
        }
        guard version == 0 || version == 1 else {
            throw BanyanError(.unsupported, "\(path) has repositoryformatversion \(version); Banyan reads versions 0 and 1")
        }
        var algorithm = HashAlgorithm.sha1
        for section in config.sections where section.name.lowercased() == "extensions" && section.subsection == nil {
            for entry in section.entries {
                let name = entry.key.lowercased()
                if harmlessExtensions.contains(name) { continue }
                guard name == "objectformat" else {
                    throw BanyanError(.unsupported, "\(path) uses the Git extension extensions.\(entry.key), which Banyan does not support")
                }
                guard version == 1 else {
                    throw BanyanError(.unsupported, "\(path) sets extensions.objectformat but has repositoryformatversion 0; Git requires 1")
                }
                guard let value = entry.value.map({ $0.lowercased() }), let format = HashAlgorithm(rawValue: value) else {
                    throw BanyanError(.unsupported, "\(path) has extensions.objectformat = \(entry.value ?? "true"); Banyan supports sha1 and sha256")
                }
                algorithm = format
            }
        }
        return algorithm
    }

    /// True when `config` makes the repository a partial clone (`extensions.partialClone`).
    static func isPartialClone(_ config: GitConfig) -> Bool {
        config.value(forKey: "extensions.partialclone") != nil
    }

    /// How long a writer waits for another's `packed-refs.lock` before it
    /// gives up with `refLocked`: `core.packedRefsTimeout` in milliseconds,
    /// as Git reads it (default 1000; negative: without end, here a day; 0:
    /// not at all).
    ///
    /// Throws `invalidRepository` when the value is not an integer.
    static func packedRefsTimeout(of config: GitConfig, path: String) throws -> Duration {
        let milliseconds: Int?
        do { milliseconds = try config.integer(forKey: "core.packedrefstimeout") } catch {
            throw BanyanError(.invalidRepository, "\(path)/config sets core.packedRefsTimeout to something that is not a number of milliseconds")
        }
        guard let milliseconds else { return .seconds(1) }
        return milliseconds < 0 ? .seconds(86_400) : .milliseconds(milliseconds)
    }

    /// The durability `banyan.durability` asks for: `none` (or unset) or `commit`.
    ///
    /// Throws `invalidRepository` for any other value, so a typo never silently drops durability.
    static func durability(of config: GitConfig, path: String) throws -> FileSystemBackend.Durability {
        switch config.value(forKey: "banyan.durability")?.lowercased() {
        case nil, "none": return .none
        case "commit": return .commit
        case let other?:
            throw BanyanError(.invalidRepository, "\(path)/config sets banyan.durability = \(other); use none or commit")
        }
    }
}
