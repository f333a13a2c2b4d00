extension FileSystemBackend {
    /// How a filesystem store is opened or created: when writes reach stable
    /// storage, how objects are written, and whether the store maintains
    /// itself while this process writes. One value for
    /// ``FileSystemBackend/create(at:hashAlgorithm:initialBranch:configuration:)``,
    /// ``FileSystemBackend/open(at:configuration:)`` and their ``Repository`` counterparts.
    public struct Configuration: Sendable, Hashable {
        /// When commits reach stable storage; nil: the store's
        /// `banyan.durability` setting on open, `.none` for a new store.
        public var durability: Durability?
        /// An append pack (fast, sealed before every ref moves) or one loose file per object.
        public var writeMode: WriteMode
        /// In `.pack` mode, the size past which the open append pack is sealed and a new one started.
        public var packSizeLimit: UInt64
        /// Whether due maintenance runs in the background of this process (see ``AutoMaintenance``).
        public var maintenance: AutoMaintenance

        /// A configuration; by default the store's durability, append packs of
        /// up to 64 MiB and background maintenance.
        public init(durability: Durability? = nil, writeMode: WriteMode = .pack, packSizeLimit: UInt64 = 64 << 20,
                    maintenance: AutoMaintenance = .background) {
            self.durability = durability
            self.writeMode = writeMode
            self.packSizeLimit = packSizeLimit
            self.maintenance = maintenance
        }

        /// The defaults.
        public static let `default` = Configuration()
    }
}
