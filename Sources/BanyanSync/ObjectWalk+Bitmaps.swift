import Banyan

extension ObjectWalk {
    /// `select`'s answer from a pack's reachability bitmaps, as Git's
    /// upload-pack answers from its bitmaps: what the wants reach minus
    /// what the haves reach, each a union of stored bitmaps plus a walk of
    /// the commits and trees no bitmap covers (those written since gc).
    ///
    /// Nil, so that the walk answers instead, when the store has no bitmap,
    /// a want is not a commit or a tag of one, or the transfer needs what
    /// only the walk gives: a depth limit, a filter, or a thin pack for a
    /// receiver that has something (the walk finds the bases such a pack
    /// deltas against; a clone needs none).
    ///
    /// The objects come in the pack's order (Git's pack reuse sends them so
    /// too), so every stored delta follows its base; the tags asked for
    /// first, the objects the bitmapped pack lacks last.
    func selectWithBitmaps(
        wants: [ObjectID], haves: [ObjectID], depth: Int?, receiverShallow: Set<ObjectID>, deepenRelative: Bool,
        thin: Bool, includeTags: [ObjectID], filter: ObjectFilter?
    ) throws -> Selection? {
        guard depth == nil, receiverShallow.isEmpty, !deepenRelative, filter == nil else { return nil }
        let objects = repository.objects
        let known = try haves.filter { try objects.contains($0) }
        guard known.isEmpty || !thin, let bitmaps = try repository.reachabilityBitmap() else { return nil }

        var selected: [Selected] = []
        var sent = ObjectIDSet()
        var tips: [ObjectID] = []
        for want in wants {
            var roots: [(id: ObjectID, kind: ObjectKind)] = []
            try peelWant(want, selected: &selected, sent: &sent, roots: &roots) { tips.append($0) }
            guard roots.isEmpty else { return nil }
        }
        func fill() -> BitmapFill {
            BitmapFill(store: objects, count: bitmaps.index.count, outsideAllowed: true,
                       bit: bitmaps.bit(of:), stored: bitmaps.reachable(from:))
        }
        var had = fill()
        try had.add(commits: known.compactMap { try? repository.peelToCommit($0) })
        var wanted = fill()
        try wanted.add(commits: tips)

        var bits = wanted.set
        bits.subtract(had.set)
        var commitCount = 0
        bits.forEach { bit in
            let id = bitmaps.id(ofBit: bit)
            let kind = bitmaps.kind(ofBit: bit)
            if kind == .commit { commitCount += 1 }
            sent.insert(id)
            selected.append(Selected(id: id, kind: kind, path: ""))
        }
        var hadOutside = ObjectIDSet()
        for object in had.outside { hadOutside.insert(object.id) }
        for object in wanted.outside where !hadOutside.contains(object.id) {
            if object.kind == .commit { commitCount += 1 }
            sent.insert(object.id)
            selected.append(Selected(id: object.id, kind: object.kind, path: object.path))
        }
        for tag in includeTags where !sent.contains(tag) {
            guard let raw = try objects.find(tag), raw.kind == .tag,
                  sent.contains(try Tag(decoding: raw.body, algorithm: repository.hashAlgorithm).object) else { continue }
            sent.insert(tag)
            selected.append(Selected(id: tag, kind: .tag, path: ""))
        }
        return Selection(objects: selected, bases: [], shallow: [], unshallow: [], commitCount: commitCount)
    }
}
