/// A way to merge the values of one key: a function of (base, ours,
/// theirs) that returns the merged bytes or a conflict.
///
/// A tree merge calls a strategy only when both sides changed a value and
/// ended with different bytes; every other case (one side changed, both made
/// the same change) is settled without it. `base` is nil when both sides
/// added the key. Implementations must be deterministic (every node merging
/// the same versions must get the same bytes) and thread-safe. Throwing
/// aborts the whole merge; a disagreement is a returned `.conflict`.
public protocol MergeStrategy: Sendable {
    /// The name `.gitattributes` uses for it (`merge=NAME`).
    var name: String { get }

    /// Merges `ours` and `theirs`, both derived from `base`.
    func merge(base: [UInt8]?, ours: [UInt8], theirs: [UInt8], context: MergeContext) throws -> ValueMergeResult

    /// True when two sides that made the same change still need merging
    /// (a counter both sides raised from 3 to 4 is 5, not 4). Most
    /// strategies take an identical change once, as Git does.
    var combinesIdenticalChanges: Bool { get }
}

extension MergeStrategy {
    /// Identical changes are taken once.
    public var combinesIdenticalChanges: Bool { false }
}

/// What a strategy made of one value.
public enum ValueMergeResult: Hashable, Sendable {
    /// The merged bytes.
    case merged([UInt8])
    /// The changes do not combine.
    case conflict(ValueConflict)
}

/// Why a strategy could not merge a value.
public struct ValueConflict: Hashable, Sendable {
    /// Why, in words.
    public var reason: String
    /// Where inside the value, e.g. JSON paths.
    public var locations: [String]
    /// A best-effort merge to stand in for the value where a merge must go
    /// on regardless (a virtual merge base), e.g. text with conflict markers;
    /// nil to use the base's version.
    public var tentative: [UInt8]?

    /// Creates a conflict.
    public init(reason: String, locations: [String] = [], tentative: [UInt8]? = nil) {
        self.reason = reason
        self.locations = locations
        self.tentative = tentative
    }
}

/// One side of a merge as strategies see it.
public struct MergeSide: Hashable, Sendable {
    /// The name conflict markers use for this side.
    public var label: String
    /// The head commit of this side, when the merge is of commits.
    public var commit: ObjectID?
    /// That commit's committer time (seconds since the epoch).
    public var time: Int64?

    /// Creates a side.
    public init(label: String, commit: ObjectID? = nil, time: Int64? = nil) {
        self.label = label
        self.commit = commit
        self.time = time
    }
}

/// What a strategy knows about the merge it takes part in.
public struct MergeContext: Hashable, Sendable {
    /// The key being merged.
    public var key: Key
    /// The side merged into.
    public var ours: MergeSide
    /// The side merged from.
    public var theirs: MergeSide
    /// The length of conflict markers (7, longer inside virtual merge bases, as in Git).
    public var markerSize: Int

    /// Creates a context.
    public init(key: Key, ours: MergeSide, theirs: MergeSide, markerSize: Int = 7) {
        self.key = key
        self.ours = ours
        self.theirs = theirs
        self.markerSize = markerSize
    }
}

/// The strategies a merge may use, by name: a value, so each merge call
/// gets exactly the set it was given.
///
/// Starts with the built-ins: `text`, `binary`, `ours`, `theirs`, `union`,
/// `counter`, `json`, `set`, `lww`. Registering a name again replaces it
/// (so `text` itself can be replaced).
public struct MergeStrategies: Sendable {
    private var byName: [String: any MergeStrategy] = [:]

    /// The built-in strategies.
    public init() {
        let builtIns: [any MergeStrategy] = [
            TextMergeStrategy(), BinaryMergeStrategy(), OursMergeStrategy(), TheirsMergeStrategy(),
            UnionMergeStrategy(), CounterMergeStrategy(), JSONMergeStrategy(), SetMergeStrategy(),
            LastWriterWinsMergeStrategy(),
        ]
        for strategy in builtIns { register(strategy) }
    }

    /// The built-in strategies.
    public static let builtIn = MergeStrategies()

    /// Adds `strategy` under its name, replacing any strategy of that name.
    public mutating func register(_ strategy: any MergeStrategy) {
        byName[strategy.name] = strategy
    }

    /// Adds a strategy named `name` for JSON values of a ``Mergeable`` type.
    public mutating func register<Value: Mergeable>(_ type: Value.Type, as name: String) {
        register(MergeableStrategy(Value.self, name: name))
    }

    /// The strategy named `name`, if registered.
    public subscript(name: String) -> (any MergeStrategy)? { byName[name] }

    /// The registered names, sorted.
    public var names: [String] { byName.keys.sorted() }

    /// The strategy name for a key whose `merge` attribute is `state`, or
    /// for unspecified attributes, `text` when every version looks like
    /// text (valid UTF-8 without NUL) and `binary` otherwise.
    package static func strategyName(for state: GitAttributes.State, versions: [[UInt8]]) -> String {
        switch state {
        case .set: "text"
        case .unset: "binary"
        case .value(let name): name
        case .unspecified: versions.allSatisfy(looksLikeText) ? "text" : "binary"
        }
    }

    /// True for valid UTF-8 with no NUL byte.
    static func looksLikeText(_ bytes: [UInt8]) -> Bool {
        !bytes.contains(0) && String(validating: bytes, as: UTF8.self) != nil
    }
}
