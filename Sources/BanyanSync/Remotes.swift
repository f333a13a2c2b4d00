import Banyan

/// A named remote repository, kept in the repository's `config` as Git
/// keeps it: `remote.NAME.url` and `remote.NAME.fetch`.
public struct Remote: Hashable, Sendable {
    /// The remote's name, e.g. `origin`.
    public var name: String
    /// Its URL (http, https) or a local path.
    public var url: String
    /// Its fetch refspec, `+refs/heads/*:refs/remotes/NAME/*` by default.
    public var fetch: String

    /// A remote with the default fetch refspec.
    public init(name: String, url: String, fetch: String? = nil) {
        self.name = name
        self.url = url
        self.fetch = fetch ?? "+refs/heads/*:refs/remotes/\(name)/*"
    }
}

/// Reads and edits the remotes of a repository, in its configuration
/// (`Repository.loadConfig()`): any backend that is a `ConfigStore`.
public enum Remotes {
    /// Every remote, sorted by name.
    public static func list(in repository: Repository) throws -> [Remote] {
        let config = try repository.loadConfig()
        return config.subsections(of: "remote").sorted().compactMap { name in
            config.value(forKey: "remote.\(name).url").map {
                Remote(name: name, url: $0, fetch: config.value(forKey: "remote.\(name).fetch"))
            }
        }
    }

    /// The remote `name`, or nil when there is none.
    public static func find(_ name: String, in repository: Repository) throws -> Remote? {
        try list(in: repository).first { $0.name == name }
    }

    /// The remote `name`; throws `invalidArgument` naming the known remotes when absent.
    public static func get(_ name: String, in repository: Repository) throws -> Remote {
        guard let remote = try find(name, in: repository) else {
            let known = try list(in: repository).map(\.name)
            throw BanyanError(.invalidArgument, "no remote named \(name.debugDescription)"
                + (known.isEmpty ? "; add one with `banyan remote add NAME URL`" : " (remotes: \(known.joined(separator: ", ")))"))
        }
        return remote
    }

    /// Adds `remote`; throws `alreadyExists` when the name is taken, `invalidArgument` for a bad name.
    public static func add(_ remote: Remote, to repository: Repository) throws {
        guard RefName.isValid("refs/remotes/\(remote.name)/x"), !remote.name.contains("/") else {
            throw BanyanError(.invalidArgument, "\(remote.name.debugDescription) is not a valid remote name")
        }
        try repository.updateConfig { config in
            guard config.value(forKey: "remote.\(remote.name).url") == nil else {
                throw BanyanError(.alreadyExists, "remote \(remote.name) already exists")
            }
            try config.set(remote.url, forKey: "remote.\(remote.name).url")
            try config.set(remote.fetch, forKey: "remote.\(remote.name).fetch")
        }
    }

    /// Removes remote `name` and its remote-tracking refs.
    public static func remove(_ name: String, from repository: Repository) throws {
        _ = try get(name, in: repository)
        try repository.updateConfig { $0.removeSection("remote", subsection: name) }
        for ref in try repository.refs.list(prefix: "refs/remotes/\(name)/") {
            try repository.refs.delete(ref.name, expected: .any)
        }
    }
}
