extension Delta {
    /// A delta from `base` to `target` for a local edit: copy the common
    /// prefix, insert what differs, copy the common suffix.
    ///
    /// This is how a tree changed in a few neighbouring entries is stored as
    /// a delta against its previous version without a delta search: O(n)
    /// byte comparisons, no index. Returns nil when the delta would not be
    /// smaller than half of `target` (not worth a delta).
    public static func fromEdit(base: [UInt8], target: [UInt8]) -> [UInt8]? {
        let limit = min(base.count, target.count)
        var prefix = 0
        while prefix < limit && base[prefix] == target[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < limit - prefix && base[base.count - 1 - suffix] == target[target.count - 1 - suffix] {
            suffix += 1
        }
        let inserted = target.count - prefix - suffix
        guard inserted + 32 < target.count / 2 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(inserted + inserted / Delta.maxInsert + 32)
        appendSize(base.count, to: &output)
        appendSize(target.count, to: &output)
        DeltaIndex.appendCopies(offset: 0, length: prefix, to: &output)
        target.withUnsafeBytes { DeltaIndex.appendLiterals($0, prefix..<(prefix + inserted), to: &output) }
        DeltaIndex.appendCopies(offset: base.count - suffix, length: suffix, to: &output)
        return output
    }
}

extension Delta {
    /// A delta from the encoded tree `base` to the encoded tree `target`,
    /// found by walking their sorted entries side by side: runs of entries
    /// both share are copied from `base`, changed and new entries inserted.
    ///
    /// This stores an edit of scattered entries (a root tree with five of
    /// its directories changed, say) as a small delta in one O(n) pass,
    /// where ``fromEdit(base:target:)`` would insert everything between the
    /// first and the last change. Returns nil when either body is not a
    /// well-formed tree or the delta would not be smaller than half of `target`.
    public static func fromTreeEdit(base: [UInt8], target: [UInt8], hashLength: Int) -> [UInt8]? {
        base.withUnsafeBytes { base in
            target.withUnsafeBytes { target in
                TreeEditDelta(base: base, target: target, hashLength: hashLength).make()
            }
        }
    }
}

/// The walk behind ``Delta/fromTreeEdit(base:target:hashLength:)``.
private struct TreeEditDelta {
    let base: UnsafeRawBufferPointer
    let target: UnsafeRawBufferPointer
    let hashLength: Int

    /// One entry of an encoded tree: where its name lies and where it ends.
    struct Entry {
        var name: Range<Int>
        var end: Int
        var isDirectory: Bool
    }

    /// The entry starting at `start`, or nil when the bytes are not one.
    func entry(in tree: UnsafeRawBufferPointer, at start: Int) -> Entry? {
        var space = start
        while space < tree.count && tree[space] != 0x20 { space += 1 }
        var nul = space + 1
        while nul < tree.count && tree[nul] != 0 { nul += 1 }
        let end = nul + 1 + hashLength
        guard space > start, nul < tree.count, end <= tree.count else { return nil }
        // Git writes a directory's mode as "40000"; every other mode is six digits.
        return Entry(name: (space + 1)..<nul, end: end, isDirectory: space - start == 5)
    }

    /// Git's tree order of two entries' names (a directory sorts as if its name ended in "/").
    func order(_ a: Entry, _ b: Entry) -> Int {
        let aCount = a.name.count, bCount = b.name.count
        let common = min(aCount, bCount)
        for i in 0..<common {
            let x = base[a.name.lowerBound + i], y = target[b.name.lowerBound + i]
            if x != y { return Int(x) - Int(y) }
        }
        let aNext = aCount > common ? Int(base[a.name.lowerBound + common]) : (a.isDirectory ? 0x2f : 0)
        let bNext = bCount > common ? Int(target[b.name.lowerBound + common]) : (b.isDirectory ? 0x2f : 0)
        return aNext - bNext
    }

    func make() -> [UInt8]? {
        var delta = DeltaBuilder(baseCount: base.count, targetCount: target.count)
        var i = 0, j = 0
        while j < target.count {
            guard let t = entry(in: target, at: j) else { return nil }
            guard i < base.count else {
                delta.insert(target[j..<t.end])
                j = t.end
                continue
            }
            guard let b = entry(in: base, at: i) else { return nil }
            let c = order(b, t)
            if c < 0 {
                i = b.end  // removed from base
            } else if c > 0 {
                delta.insert(target[j..<t.end])  // new in target
                j = t.end
            } else {
                if b.end - i == t.end - j && PackBytes.compare(base.baseAddress! + i, target.baseAddress! + j, t.end - j) == 0 {
                    delta.copy(i..<b.end)
                } else {
                    delta.insert(target[j..<t.end])
                }
                i = b.end
                j = t.end
            }
        }
        let output = delta.finish()
        return output.count < target.count / 2 ? output : nil
    }
}
