/// `text`: Git's line-based three-way merge (a port of xdiff's diff3): changes to
/// different lines merge, overlapping or adjacent changes conflict.
///
/// The conflict's tentative value is the text with conflict markers,
/// labelled with the sides' labels. Values with a NUL byte in their first
/// 8,000 bytes are merged as `binary`, as Git does.
public struct TextMergeStrategy: MergeStrategy {
    /// `text`.
    public let name = "text"

    /// Creates the strategy.
    public init() {}

    /// Merges line by line; cost about O(n log n) in the lines of the three versions.
    public func merge(base: [UInt8]?, ours: [UInt8], theirs: [UInt8], context: MergeContext) throws -> ValueMergeResult {
        if [base ?? [], ours, theirs].contains(where: Self.isBinary) {
            return try BinaryMergeStrategy().merge(base: base, ours: ours, theirs: theirs, context: context)
        }
        let result = Diff3.merge(base: base ?? [], ours: ours, theirs: theirs, oursLabel: context.ours.label,
                                 theirsLabel: context.theirs.label, markerSize: context.markerSize)
        if result.conflicts == 0 { return .merged(result.content) }
        let hunks = result.conflicts == 1 ? "1 conflicting hunk" : "\(result.conflicts) conflicting hunks"
        return .conflict(ValueConflict(reason: "both sides changed the same lines (\(hunks))", tentative: result.content))
    }

    /// Git's `buffer_is_binary`: a NUL in the first 8,000 bytes.
    static func isBinary(_ bytes: [UInt8]) -> Bool {
        bytes.prefix(8_000).contains(0)
    }
}

/// `union`: Git's union merge: a line merge that resolves each conflicting
/// hunk by keeping ours' lines followed by theirs'. Never conflicts on text;
/// binary values (a NUL in the first 8,000 bytes) conflict as in Git.
///
/// Not symmetric: swapping the sides swaps the order of those lines.
public struct UnionMergeStrategy: MergeStrategy {
    /// `union`.
    public let name = "union"

    /// Creates the strategy.
    public init() {}

    /// Merges line by line, keeping both sides' lines where they conflict.
    public func merge(base: [UInt8]?, ours: [UInt8], theirs: [UInt8], context: MergeContext) throws -> ValueMergeResult {
        if [base ?? [], ours, theirs].contains(where: TextMergeStrategy.isBinary) {
            return try BinaryMergeStrategy().merge(base: base, ours: ours, theirs: theirs, context: context)
        }
        return .merged(Diff3.merge(base: base ?? [], ours: ours, theirs: theirs, favor: .union).content)
    }
}

/// `binary`: values are opaque. The side that changed wins (settled before
/// any strategy runs); both sides changing is always a conflict.
public struct BinaryMergeStrategy: MergeStrategy {
    /// `binary`.
    public let name = "binary"

    /// Creates the strategy.
    public init() {}

    /// Always a conflict: it is called only when both sides changed the value.
    public func merge(base: [UInt8]?, ours: [UInt8], theirs: [UInt8], context: MergeContext) throws -> ValueMergeResult {
        .conflict(ValueConflict(reason: base == nil ? "both sides added different values" : "both sides changed the value"))
    }
}

/// `ours`: when both sides changed a value, keep ours'.
public struct OursMergeStrategy: MergeStrategy {
    /// `ours`.
    public let name = "ours"

    /// Creates the strategy.
    public init() {}

    /// Returns `ours`.
    public func merge(base: [UInt8]?, ours: [UInt8], theirs: [UInt8], context: MergeContext) throws -> ValueMergeResult {
        .merged(ours)
    }
}

/// `theirs`: when both sides changed a value, keep theirs'.
public struct TheirsMergeStrategy: MergeStrategy {
    /// `theirs`.
    public let name = "theirs"

    /// Creates the strategy.
    public init() {}

    /// Returns `theirs`.
    public func merge(base: [UInt8]?, ours: [UInt8], theirs: [UInt8], context: MergeContext) throws -> ValueMergeResult {
        .merged(theirs)
    }
}

/// `set`: the value is a set of lines. Additions and removals from both
/// sides apply; the result lists each line once, sorted by bytes, each
/// ending in `\n`. Empty lines are not elements. Never conflicts; symmetric.
public struct SetMergeStrategy: MergeStrategy {
    /// `set`.
    public let name = "set"

    /// Creates the strategy.
    public init() {}

    /// Keeps a line when both sides have it or one side added it. Cost O(n log n).
    public func merge(base: [UInt8]?, ours: [UInt8], theirs: [UInt8], context: MergeContext) throws -> ValueMergeResult {
        let base = Self.elements(base ?? []), ours = Self.elements(ours), theirs = Self.elements(theirs)
        let kept = ours.intersection(theirs).union(ours.subtracting(base)).union(theirs.subtracting(base))
        var out: [UInt8] = []
        for line in kept.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            out.append(contentsOf: line)
            out.append(0x0a)
        }
        return .merged(out)
    }

    private static func elements(_ bytes: [UInt8]) -> Set<ArraySlice<UInt8>> {
        Set(bytes.split(separator: 0x0a, omittingEmptySubsequences: true))
    }
}
