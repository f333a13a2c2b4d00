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
        var delta = DeltaBuilder(baseCount: base.count, targetCount: target.count)
        delta.copy(0..<prefix)
        delta.insert(target[prefix..<(prefix + inserted)])
        delta.copy((base.count - suffix)..<base.count)
        return delta.finish()
    }
}
