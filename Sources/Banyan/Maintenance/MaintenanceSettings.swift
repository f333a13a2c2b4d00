import Foundation

/// When and how a store maintains itself, read from its `config` with Git's
/// own keys and defaults, so `git config` tunes Banyan and Git alike.
///
/// | key | default | meaning |
/// |---|---|---|
/// | `maintenance.auto` | true | false: nothing runs automatically |
/// | `maintenance.geometric-repack.auto` | 100 | a geometric repack runs when packs break the progression, or more loose objects than this wait; 0 never, negative: any loose object |
/// | `maintenance.geometric-repack.splitFactor` | 2 | each pack at least this many times the objects of all smaller ones |
/// | `gc.auto` | 6700 | with geometric repacking off, a full gc runs when more loose objects than this wait; 0 turns automatic gc off |
/// | `gc.autoPackLimit` | 50 | with geometric repacking off, a full gc runs when there are more packs than this; 0 turns that off |
/// | `gc.pruneExpire` | `2.weeks.ago` | unreachable objects older than this go in a gc or prune |
/// | `banyan.replacedPackExpire` | `30.seconds.ago` | packs a geometric repack replaced are deleted once replaced before this (`never` keeps them) |
public struct MaintenanceSettings: Sendable, Hashable {
    /// Whether writes start maintenance on their own.
    public var auto = true
    /// Loose objects that make a geometric repack due; 0 turns it off, negative makes any loose object count.
    public var geometricAuto = 100
    /// The geometric progression's factor, at least 2.
    public var splitFactor = 2
    /// Loose objects that make a full gc due; 0 turns automatic gc off.
    public var gcAuto = 6_700
    /// Packs that make a full gc due; 0 turns that trigger off.
    public var gcAutoPackLimit = 50
    /// Unreachable objects last modified at or before this go (nil: never).
    public var pruneExpire: String = "2.weeks.ago"
    /// Packs a geometric repack replaced were kept for git readers and are
    /// deleted once replaced at or before this (`never` keeps them).
    public var replacedPackExpire: String = "30.seconds.ago"

    /// Git's defaults.
    public init() {}

    /// The settings `config` gives, Git's defaults for keys it lacks.
    ///
    /// Throws `invalidRepository` naming the key when a value does not parse.
    public init(config: GitConfig) throws {
        auto = try Self.read("maintenance.auto", config) { try config.bool(forKey: $0) } ?? auto
        geometricAuto = try Self.read("maintenance.geometric-repack.auto", config) { try config.integer(forKey: $0) } ?? geometricAuto
        splitFactor = try Self.read("maintenance.geometric-repack.splitFactor", config) { try config.integer(forKey: $0) } ?? splitFactor
        gcAuto = try Self.read("gc.auto", config) { try config.integer(forKey: $0) } ?? gcAuto
        gcAutoPackLimit = try Self.read("gc.autoPackLimit", config) { try config.integer(forKey: $0) } ?? gcAutoPackLimit
        pruneExpire = config.value(forKey: "gc.pruneExpire") ?? pruneExpire
        replacedPackExpire = config.value(forKey: "banyan.replacedPackExpire") ?? replacedPackExpire
        guard splitFactor >= 2 else {
            throw BanyanError(.invalidRepository, "maintenance.geometric-repack.splitFactor is \(splitFactor); it must be at least 2")
        }
        _ = try PruneExpiry.cutoff(parsing: pruneExpire)
        _ = try PruneExpiry.cutoff(parsing: replacedPackExpire)
    }

    /// How long replaced packs stay, in seconds (infinite for `never`).
    func replacedPackGrace() throws -> TimeInterval {
        let now = Date()
        guard let cutoff = try PruneExpiry.cutoff(parsing: replacedPackExpire, now: now) else { return .infinity }
        return max(0, now.timeIntervalSince(cutoff))
    }

    /// The cutoff `pruneExpire` names, measured from now.
    func pruneCutoff() throws -> Date? {
        try PruneExpiry.cutoff(parsing: pruneExpire)
    }

    private static func read<T>(_ key: String, _ config: GitConfig, _ value: (String) throws -> T?) throws -> T? {
        do {
            return try value(key)
        } catch {
            throw BanyanError(.invalidRepository, "config \(key) = \(config.value(forKey: key) ?? "") does not parse", cause: error)
        }
    }
}
