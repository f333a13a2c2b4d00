/// The three-way merge of a base tree with ours and theirs.
///
/// It walks the three trees together and descends only where their ids
/// differ: a subtree that one side left alone is taken whole from the other
/// side without being read, so the cost is the number of directories both
/// sides changed, not the size of the store. At each name the value part
/// and the directory part merge separately; a side's value where the other
/// made a directory is a `fileDirectory` conflict. Values both sides
/// changed go to the strategy the `merge` attribute names (see
/// ``MergeStrategies``); what no strategy settles goes to the conflict policy.
///
/// Not thread-safe; used for one merge at a time.
struct TreeMerger {
    /// How conflicts end.
    enum Mode {
        /// A merge the caller sees: conflicts go to the policy, those it
        /// leaves are reported.
        case final(ConflictPolicy)
        /// The merge of merge bases into a virtual base: nothing is reported
        /// and a conflict keeps the strategy's tentative content (text with
        /// conflict markers) or else the base's version, as Git's ort does.
        case virtualBase
    }

    let objects: MergeObjects
    let strategies: MergeStrategies
    let mode: Mode
    /// Whether directories whose two sides changed different names merge
    /// in their encoding (`mergeChangesApart`); off only to test that path
    /// against the general one.
    var usesEncodedTrees = true
    private var context: MergeContext
    private var roots: (base: ObjectID, ours: ObjectID, theirs: ObjectID)?
    private var attributes: GitAttributes?
    /// Whether `.gitattributes` names a strategy that merges identical
    /// changes too; then identical changes are not taken at a glance.
    private var identicalChangesNeedMerging: Bool?
    /// The conflicts left unresolved, in walk order.
    private(set) var conflicts: [MergeConflict] = []

    init(objects: MergeObjects, strategies: MergeStrategies, mode: Mode, ours: MergeSide, theirs: MergeSide, markerSize: Int) {
        self.objects = objects
        self.strategies = strategies
        self.mode = mode
        self.context = MergeContext(key: .root, ours: ours, theirs: theirs, markerSize: markerSize)
    }

    /// Merges three root trees and returns the merged root tree's id (staged, not written).
    mutating func merge(base: ObjectID, ours: ObjectID, theirs: ObjectID) throws -> ObjectID {
        roots = (base, ours, theirs)
        return try mergeDirectory(base, ours, theirs, at: .root) ?? objects.store(Tree.empty)
    }

    /// The merged directory, or nil when nothing is left in it.
    private mutating func mergeDirectory(_ base: ObjectID?, _ ours: ObjectID?, _ theirs: ObjectID?, at key: Key) throws -> ObjectID? {
        if ours == theirs, try ours == base || !combiningStrategyInUse() { return ours }
        if base == ours { return theirs }
        if base == theirs { return ours }
        if usesEncodedTrees, let base, let ours, let theirs,
           case .merged(let merged) = try mergeChangesApart(base, ours, theirs) {
            return merged
        }
        let ourEntries = try ours.map(objects.tree)?.entries ?? [], theirEntries = try theirs.map(objects.tree)?.entries ?? []
        var entries: [TreeEntry] = []
        entries.reserveCapacity(max(ourEntries.count, theirEntries.count))
        try Self.alignByName(try base.map(objects.tree)?.entries ?? [], ourEntries, theirEntries,
                             unchanged: { entries.append($0) }) { name, b, o, t in
            if let entry = try mergeEntry(b, o, t, name: name, in: key) { entries.append(entry) }
        }
        guard !entries.isEmpty else { return nil }
        // They come in name-byte order, which is Git's order unless there are directories.
        return objects.store(entries.contains { $0.mode.isDirectory } ? Tree(entries: entries) : Tree(sortedEntries: entries))
    }

    /// Calls `body` with each name in the three listings and its versions
    /// there, in name-byte order; a file and a directory of the same name align.
    /// An entry all three listings hold unchanged goes to `unchanged` instead.
    ///
    /// A merge join over the listings (each sorted by name bytes first, which
    /// Git's order already is unless a directory's name is a prefix of a
    /// sibling's), so a directory of n entries costs O(n), not a hash per name.
    /// Unchanged entries, most of any directory both sides edited, are
    /// compared in place and never copied into optionals.
    static func alignByName(
        _ base: [TreeEntry], _ ours: [TreeEntry], _ theirs: [TreeEntry],
        unchanged: (TreeEntry) throws -> Void,
        _ body: ([UInt8], TreeEntry?, TreeEntry?, TreeEntry?) throws -> Void
    ) rethrows {
        let (b, o, t) = (byNameBytes(base), byNameBytes(ours), byNameBytes(theirs))
        var (i, j, k) = (0, 0, 0)
        while true {
            // Equal entries have equal names, so all three are the lowest name's versions.
            if i < b.count, j < o.count, k < t.count, o[j] == t[k], b[i] == o[j] {
                try unchanged(o[j])
                (i, j, k) = (i + 1, j + 1, k + 1)
                continue
            }
            let heads = (i < b.count ? b[i] : nil, j < o.count ? o[j] : nil, k < t.count ? t[k] : nil)
            guard let lowest = first(first(heads.0?.name, heads.1?.name), heads.2?.name) else { return }
            let versions = (heads.0?.name == lowest ? heads.0 : nil, heads.1?.name == lowest ? heads.1 : nil,
                            heads.2?.name == lowest ? heads.2 : nil)
            if versions.0 != nil { i += 1 }
            if versions.1 != nil { j += 1 }
            if versions.2 != nil { k += 1 }
            try body(lowest, versions.0, versions.1, versions.2)
        }
    }

    /// The name that comes first in name-byte order; nil only when both are.
    private static func first(_ a: [UInt8]?, _ b: [UInt8]?) -> [UInt8]? {
        guard let a, let b else { return a ?? b }
        return Tree.compareNames(b, false, a, false) < 0 ? b : a
    }

    /// `entries` in name-byte order (they come in Git's order, which differs
    /// only where a directory's name is a prefix of a sibling's).
    private static func byNameBytes(_ entries: [TreeEntry]) -> [TreeEntry] {
        guard entries.contains(where: { $0.mode.isDirectory }) else { return entries }
        let sorted = zip(entries, entries.dropFirst()).allSatisfy { Tree.compareNames($0.name, false, $1.name, false) < 0 }
        return sorted ? entries : entries.sorted { Tree.compareNames($0.name, false, $1.name, false) < 0 }
    }

    /// The merged entry at `name`, or nil when the name ends up empty.
    private mutating func mergeEntry(_ b: TreeEntry?, _ o: TreeEntry?, _ t: TreeEntry?, name: [UInt8], in parent: Key) throws -> TreeEntry? {
        if o == t, try o == b || o == nil || !combiningStrategyInUse() { return o }
        if b == o { return t }
        if b == t { return o }
        let key = try parent.appending(String(decoding: name, as: UTF8.self))
        func directory(_ entry: TreeEntry?) -> ObjectID? { entry?.mode.isDirectory == true ? entry?.id : nil }
        func value(_ entry: TreeEntry?) -> TreeEntry? { entry?.mode.isDirectory == false ? entry : nil }
        let mergedDirectory = try mergeDirectory(directory(b), directory(o), directory(t), at: key)
        let mergedValue = try mergeValue(value(b), value(o), value(t), key: key)
        switch (mergedValue, mergedDirectory) {
        case (.clean(nil), let tree?):
            return TreeEntry(name: name, mode: .directory, id: tree)
        case (.clean(let entry), nil):
            return entry
        case (.conflict(let conflict, let tentative), nil):
            return try settle(conflict, b, o, t, tentative: tentative, name: name)
        case (_, .some):
            let conflict = MergeConflict(key: key, kind: .fileDirectory, base: b?.id, ours: o?.id, theirs: t?.id,
                                         detail: "one side has a value where the other has a directory")
            return try settle(conflict, b, o, t, tentative: nil, name: name)
        }
    }

    private enum ValueMerge {
        case clean(TreeEntry?)
        case conflict(MergeConflict, tentative: [UInt8]?)
    }

    /// The three-way merge of the values (not directories) at `key`.
    private mutating func mergeValue(_ b: TreeEntry?, _ o: TreeEntry?, _ t: TreeEntry?, key: Key) throws -> ValueMerge {
        if o == t, try o == b || o == nil || !combinesIdenticalChanges(at: key) { return .clean(o) }
        if b == o { return .clean(t) }
        if b == t { return .clean(o) }
        guard let o, let t else {
            let kind: MergeConflict.Kind = o == nil ? .deleteModify : .modifyDelete
            return .conflict(MergeConflict(key: key, kind: kind, base: b?.id, ours: o?.id, theirs: t?.id,
                                           detail: o == nil ? "ours removed it, theirs changed it" : "ours changed it, theirs removed it"),
                             tentative: nil)
        }
        let kind: MergeConflict.Kind = b == nil ? .addAdd : .contentConflict
        func conflict(_ detail: String, strategy: String? = nil, locations: [String] = [], tentative: [UInt8]? = nil) -> ValueMerge {
            .conflict(MergeConflict(key: key, kind: kind, base: b?.id, ours: o.id, theirs: t.id, strategy: strategy,
                                    detail: detail, locations: locations), tentative: tentative)
        }
        guard let mode = Self.threeWay(b?.mode, o.mode, t.mode) else {
            return conflict("both sides changed the file mode differently")
        }
        if o.id != t.id, let id = Self.threeWay(b?.id, o.id, t.id) {
            return .clean(TreeEntry(name: o.name, mode: mode, id: id))
        }
        let opaque: Set<FileMode> = [.symlink, .gitlink]
        if opaque.contains(o.mode) || opaque.contains(t.mode) {
            return conflict("both sides changed a symbolic link or submodule")
        }
        let baseBytes = try b.flatMap { opaque.contains($0.mode) ? nil : try objects.blob($0.id) }
        let oursBytes = try objects.blob(o.id), theirsBytes = try objects.blob(t.id)
        let name = MergeStrategies.strategyName(for: try mergeAttribute(for: key),
                                                versions: [baseBytes ?? [], oursBytes, theirsBytes])
        guard let strategy = strategies[name] else {
            return conflict("no merge strategy named '\(name)' is registered", strategy: name)
        }
        context.key = key
        switch try strategy.merge(base: baseBytes, ours: oursBytes, theirs: theirsBytes, context: context) {
        case .merged(let bytes):
            return .clean(TreeEntry(name: o.name, mode: mode, id: objects.storeBlob(bytes)))
        case .conflict(let reason):
            return conflict(reason.reason, strategy: name, locations: reason.locations, tentative: reason.tentative)
        }
    }

    /// The common three-way rule: the changed side wins, equal changes agree; nil when both changed differently.
    private static func threeWay<T: Equatable>(_ base: T?, _ ours: T, _ theirs: T) -> T? {
        if ours == theirs { return ours }
        if base == ours { return theirs }
        if base == theirs { return ours }
        return nil
    }

    /// What the name holds once `conflict` is settled (by the policy, or as a virtual base does).
    private mutating func settle(
        _ conflict: MergeConflict, _ b: TreeEntry?, _ o: TreeEntry?, _ t: TreeEntry?, tentative: [UInt8]?, name: [UInt8]
    ) throws -> TreeEntry? {
        let resolution: ConflictResolution
        switch mode {
        case .virtualBase:
            guard let tentative, conflict.kind == .contentConflict || conflict.kind == .addAdd else { return b }
            resolution = .value(tentative)
        case .final(let policy):
            guard let chosen = try policy.resolve(conflict) else {
                conflicts.append(conflict)
                // A stand-in so the walk can go on and find every conflict; never stored.
                return o
            }
            resolution = chosen
        }
        switch resolution {
        case .ours: return o
        case .theirs: return t
        case .base: return b
        case .remove: return nil
        case .value(let bytes):
            let mode = [o, t].compactMap { $0?.mode }.first { $0 == .regular || $0 == .executable } ?? .regular
            return TreeEntry(name: name, mode: mode, id: objects.storeBlob(bytes))
        }
    }

    /// True when `.gitattributes` names any strategy that combines identical changes.
    private mutating func combiningStrategyInUse() throws -> Bool {
        if let known = identicalChangesNeedMerging { return known }
        _ = try mergeAttribute(for: .root)
        let names = attributes?.mergeStrategyNames ?? []
        let inUse = names.contains { strategies[$0]?.combinesIdenticalChanges == true }
        identicalChangesNeedMerging = inUse
        return inUse
    }

    /// True when the strategy for `key` combines identical changes.
    private mutating func combinesIdenticalChanges(at key: Key) throws -> Bool {
        guard try combiningStrategyInUse() else { return false }
        guard case .value(let name) = try mergeAttribute(for: key) else { return false }
        return strategies[name]?.combinesIdenticalChanges == true
    }

    /// The `merge` attribute of `key`, from the root `.gitattributes` (read once, on first need).
    private mutating func mergeAttribute(for key: Key) throws -> GitAttributes.State {
        if let attributes { return attributes.mergeState(for: key) }
        let loaded = try loadAttributes()
        attributes = loaded
        return loaded.mergeState(for: key)
    }

    /// The rules of the merged tree's root `.gitattributes`: the file merged
    /// line by line when that merges cleanly, otherwise ours' version (what
    /// `git merge` would read from its work tree), otherwise theirs'.
    private func loadAttributes() throws -> GitAttributes {
        guard let roots else { return .empty }
        func file(_ root: ObjectID) throws -> TreeEntry? {
            guard let entry = try objects.tree(root).entry(named: ".gitattributes"),
                  entry.mode == .regular || entry.mode == .executable else { return nil }
            return entry
        }
        let b = try file(roots.base), o = try file(roots.ours), t = try file(roots.theirs)
        let chosen: [UInt8]?
        if let id = Self.threeWay(b?.id, o?.id, t?.id) {
            chosen = try id.map(objects.blob)
        } else if let o, let t {
            let merged = Diff3.merge(base: try b.map { try objects.blob($0.id) } ?? [],
                                     ours: try objects.blob(o.id), theirs: try objects.blob(t.id))
            chosen = merged.conflicts == 0 ? merged.content : try objects.blob(o.id)
        } else {
            chosen = try (o ?? t).map { try objects.blob($0.id) }
        }
        return chosen.map { GitAttributes(bytes: $0) } ?? .empty
    }
}
