extension PackWriter {
    /// Finds how an object is already stored in a pack (see `StoredEntry`), or nil when it is not.
    public typealias StoredLookup = (ObjectID) throws -> StoredEntry?

    /// An entry copied from a stored pack instead of searched and compressed again.
    enum Reuse {
        /// The object stored whole.
        case whole(StoredEntry)
        /// A delta against another object of this pack.
        case inPack(base: Int, StoredEntry)
        /// A delta against an external (thin-pack) base.
        case external(base: Int, StoredEntry)

        var inPackBase: Int? {
            if case .inPack(let base, _) = self { return base }
            return nil
        }

        /// The stored entry copied.
        var entry: StoredEntry {
            switch self {
            case .whole(let entry), .inPack(_, let entry), .external(_, let entry): entry
            }
        }
    }

    /// What each source can copy from its stored form, as Git's
    /// `reuse_delta`: a stored delta is kept when its base is sent too (or is
    /// an external base) and its chain of kept deltas ends at a kept whole
    /// object or an external base within `options.depth`; any other delta,
    /// or a chain that loops, is dropped so the object is searched afresh.
    static func reusable(
        sources: [Source], externalIDs: [ObjectID], options: Options, lookup: StoredLookup
    ) throws -> [Reuse?] {
        reusable(sources: sources, entries: try sources.map { try lookup($0.id) }, externalIDs: externalIDs, options: options)
    }

    /// `reusable(sources:externalIDs:options:lookup:)` with each source's
    /// stored entry looked up already (`entries[i]` for `sources[i]`).
    static func reusable(
        sources: [Source], entries: [StoredEntry?], externalIDs: [ObjectID], options: Options
    ) -> [Reuse?] {
        var positions = ObjectIDMap<Int>(capacity: sources.count)
        for (position, source) in sources.enumerated() { positions.insert(source.id, position) }
        var externalPositions: [ObjectID: Int] = [:]
        for (position, id) in externalIDs.enumerated() { externalPositions[id] = position }
        var reuse = [Reuse?](repeating: nil, count: sources.count)
        for (position, source) in sources.enumerated() {
            guard let entry = entries[position] else { continue }
            switch entry.form {
            case .whole(let kind):
                if kind == source.kind, entry.size == source.size { reuse[position] = .whole(entry) }
            case .delta(let base):
                if let inPack = positions[base], inPack != position {
                    reuse[position] = .inPack(base: inPack, entry)
                } else if let external = externalPositions[base] {
                    reuse[position] = .external(base: external, entry)
                }
            }
        }
        var changed = true
        while changed {
            changed = false
            for position in reuse.indices {
                guard case .inPack(let base, _)? = reuse[position] else { continue }
                if !chainIsKept(from: base, length: 1, reuse: reuse, depth: options.depth) {
                    reuse[position] = nil
                    changed = true
                }
            }
        }
        return reuse
    }

    private static func chainIsKept(from base: Int, length: Int, reuse: [Reuse?], depth: Int) -> Bool {
        var current = base
        var length = length
        while length <= depth {
            switch reuse[current] {
            case .whole?, .external?:
                return true
            case .inPack(let next, _)?:
                current = next
                length += 1
            case nil:
                return false
            }
        }
        return false
    }

    /// The delta search's use of each source: reused deltas stay out of it;
    /// every other object is searched, and one that reused deltas build on
    /// may become a delta itself only as far as the longest chain hanging
    /// from it leaves room under `depth` (`reservedDepth`), as Git's
    /// `try_delta` subtracts `check_delta_limit`. So objects a repack keeps
    /// whole only because an earlier pack's chains start at them still find
    /// a base in a later repack, and no new delta can close a loop (reused
    /// deltas are never bases in the search) or pass the depth limit.
    static func searchRoles(for reuse: [Reuse?]) -> (roles: [DeltaPlanner.Role], reservedDepth: [Int]) {
        let roles = reuse.map { entry -> DeltaPlanner.Role in
            switch entry {
            case .inPack?, .external?: .skip
            case .whole?, nil: .search
            }
        }
        var reserved = [Int](repeating: 0, count: reuse.count)
        for position in reuse.indices {
            guard case .inPack(var base, _)? = reuse[position] else { continue }
            var length = 1
            while case .inPack(let next, _)? = reuse[base], length <= reuse.count {
                base = next
                length += 1
            }
            reserved[base] = max(reserved[base], length)
        }
        return (roles, reserved)
    }
}
