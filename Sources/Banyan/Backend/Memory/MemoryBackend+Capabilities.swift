extension MemoryBackend: ConfigStore {
    /// The configuration; empty until one is stored.
    public func loadConfig() throws -> GitConfig {
        config.withLock { $0 }
    }

    /// Changes the configuration under its lock; nothing changes when `body` throws.
    public func updateConfig<Result>(_ body: (inout GitConfig) throws -> Result) throws -> Result {
        try config.withLock { stored in
            var changed = stored
            let result = try body(&changed)
            stored = changed
            return result
        }
    }
}

extension MemoryBackend: ShallowStore {
    /// The shallow commits; empty for a complete history.
    public func shallowCommits() throws -> Set<ObjectID> {
        shallow.withLock { $0 }
    }

    /// Replaces the shallow commits.
    public func setShallowCommits(_ ids: Set<ObjectID>) throws {
        shallow.withLock { $0 = ids }
    }
}
