/// A backend that keeps the repository's Git configuration: remotes, the
/// fsck, maintenance and transfer settings, `http.sslCAInfo`.
///
/// A capability, as go-git's `config.ConfigStorer` is: sync and maintenance
/// ask a repository's backends for it (``Repository/loadConfig()``) instead
/// of knowing which backend they hold. `FileSystemBackend` keeps Git's
/// `config` file; `MemoryBackend` keeps the value in memory.
public protocol ConfigStore: AnyObject, Sendable {
    /// The configuration; empty when none was written.
    ///
    /// Throws `invalidRepository` when the stored configuration does not parse.
    func loadConfig() throws -> GitConfig

    /// Reads the configuration, lets `body` change it and stores the result,
    /// excluding other writers (of this process and, for a store on disk,
    /// of others) from the read to the write; returns what `body` returns.
    ///
    /// Nothing is stored when `body` throws.
    func updateConfig<Result>(_ body: (inout GitConfig) throws -> Result) throws -> Result
}

extension Repository {
    /// The backend that keeps this repository's configuration, if one does.
    var configStore: (any ConfigStore)? {
        (objects as? any ConfigStore) ?? (refs as? any ConfigStore)
    }

    /// The repository's configuration; empty when its backends keep none.
    ///
    /// Throws `invalidRepository` when the stored configuration does not parse.
    public func loadConfig() throws -> GitConfig {
        try configStore?.loadConfig() ?? GitConfig()
    }

    /// Changes the repository's configuration atomically; see ``ConfigStore/updateConfig(_:)``.
    ///
    /// Throws `unsupported` when neither backend keeps a configuration.
    public func updateConfig<Result>(_ body: (inout GitConfig) throws -> Result) throws -> Result {
        guard let store = configStore else {
            throw BanyanError(.unsupported, "this repository's backends keep no configuration (no ConfigStore)")
        }
        return try store.updateConfig(body)
    }
}
