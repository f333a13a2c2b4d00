extension TreeMerger {
    /// What `mergeChangesApart` made of a directory.
    enum ApartMerge {
        /// The directory's two sides changed some name alike, or too many
        /// names: the general merge decides.
        case notApart
        /// The merged directory, nil when nothing is left in it.
        case merged(ObjectID?)
    }

    /// The most changed entries on one side the encoded merge takes on.
    static let maxApartChanges = 256

    /// Merges a directory both sides changed, when no name was changed by
    /// both: the result is ours with theirs' changes spliced into its
    /// encoding, which is what the general merge gives (each name changed
    /// on one side takes that side's version), without decoding the three
    /// listings. Trees are checked as strictly as decoding checks them.
    ///
    /// Cost: a check of each tree (one pass, shared starts passed over) and
    /// a compare of the bytes each side shares with the base; the entries
    /// between are read one by one.
    func mergeChangesApart(_ base: ObjectID, _ ours: ObjectID, _ theirs: ObjectID) throws -> ApartMerge {
        // Theirs is read only once ours' changes are few enough.
        guard let baseTree = try objects.encodedTree(base),
              let ourTree = try objects.encodedTree(ours, base: baseTree),
              let ourChanges = baseTree.changes(to: ourTree, limit: Self.maxApartChanges),
              let theirTree = try objects.encodedTree(theirs, base: baseTree),
              let theirChanges = baseTree.changes(to: theirTree, limit: Self.maxApartChanges)
        else { return .notApart }
        // A file and a directory of one name are one name here, as in `alignByName`.
        func name(_ tree: EncodedTree, _ i: Int) -> ArraySlice<UInt8> { tree.body[tree.modeAndName(i).1] }
        var ourNames = Set<ArraySlice<UInt8>>()
        for change in ourChanges {
            if let i = change.mine { ourNames.insert(name(baseTree, i)) }
            if let j = change.theirs { ourNames.insert(name(ourTree, j)) }
        }
        var edits: [EncodedTree.Edit] = []
        for change in theirChanges {
            let removed = change.mine.map { (name: Array(name(baseTree, $0)), isDirectory: baseTree.isDirectory($0)) }
            let added = change.theirs.map { theirTree.entry($0) }
            if let removed, ourNames.contains(removed.name[...]) { return .notApart }
            if let added, ourNames.contains(added.name[...]) { return .notApart }
            // Ours left this name as the base has it, so its entry is where the base's is.
            switch (removed, added) {
            case (let removed?, let added?) where removed.isDirectory == added.mode.isDirectory:
                edits.append(.replace(index: ourTree.lowerBound(removed.name, isDirectory: removed.isDirectory), entry: added))
            default:
                if let removed {
                    edits.append(.remove(index: ourTree.lowerBound(removed.name, isDirectory: removed.isDirectory)))
                }
                if let added {
                    edits.append(.insert(index: ourTree.lowerBound(added.name, isDirectory: added.mode.isDirectory), entry: added))
                }
            }
        }
        let merged = ourTree.applying(edits).tree
        return .merged(merged.count == 0 ? nil : objects.store(merged))
    }
}
