/// Which packs a geometric repack rolls up, by the rule of
/// `git repack --geometric=<factor>`: after the roll-up, every pack holds at
/// least `factor` times as many objects as all smaller packs together, so a
/// store of n objects keeps at most about log_factor(n) packs, and a small
/// write rewrites only the small packs, never everything.
///
/// Weights are object counts, as Git's are. Packs with a `.keep` take no part.
struct PackGeometry {
    /// A pack's name (any stable key) and its object count.
    struct Pack: Hashable {
        var name: String
        var objects: Int
    }

    /// The packs to roll up into one, smallest first; empty when the packs
    /// already form a progression.
    let rollUp: [Pack]
    /// The packs that stay as they are.
    let keep: [Pack]

    /// Splits `packs` as Git's `split_pack_geometry` does, counting
    /// `looseObjects` (packed by the same run) as part of the new pack.
    init(packs: [Pack], factor: Int, looseObjects: Int = 0) {
        let sorted = packs.sorted { ($0.objects, $0.name) < ($1.objects, $1.name) }
        var split = 0
        // From the largest down, find the first pair out of progression:
        // everything at or below its smaller member is rolled up.
        if sorted.count > 1 {
            var index = sorted.count - 1
            while index > 0 {
                let (ours, previous) = (sorted[index], sorted[index - 1])
                if ours.objects < Self.times(factor, previous.objects) { break }
                index -= 1
            }
            split = index == 0 ? 0 : index + 1
        }
        // The new pack may break the progression above it: absorb the packs
        // it would not be `factor` times smaller than.
        var total = sorted.prefix(split).reduce(looseObjects) { $0 + $1.objects }
        while split < sorted.count, Self.times(factor, total) > sorted[split].objects {
            total += sorted[split].objects
            split += 1
        }
        // Rewriting one pack alone, with nothing loose, would change nothing.
        if split < 2 && looseObjects == 0 { split = 0 }
        rollUp = Array(sorted.prefix(split))
        keep = Array(sorted.dropFirst(split))
        self.looseObjects = looseObjects
    }

    /// The loose objects the new pack takes too.
    let looseObjects: Int

    /// True when a roll-up would change something: packs to merge, or loose objects to pack.
    var isNeeded: Bool { !rollUp.isEmpty || looseObjects > 0 }

    private static func times(_ factor: Int, _ count: Int) -> Int {
        let (product, overflow) = factor.multipliedReportingOverflow(by: count)
        return overflow ? Int.max : product
    }
}
