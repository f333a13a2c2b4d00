/// A line diff computed the way Git's xdiff computes it for merges: the
/// histogram algorithm (`xhistogram.c`), then `xdl_change_compact` on both
/// sides (slide each group of changes as far down as it goes, then back up
/// to line up with a change on the other side), then `xdl_build_script`.
///
/// Matching xdiff hunk for hunk matters: whether two sides' edits touch, and
/// so whether a text merge is clean, depends on where the diff puts them.
/// Cost: about O(n log n) for ordinary texts; regions whose every common
/// line repeats more than 64 times fall back to Myers' O(ND) diff, as xdiff does.
enum LineDiff {
    /// One change: `count1` lines of the old text at `start1` became
    /// `count2` lines of the new text at `start2` (0-based line numbers).
    struct Change: Equatable {
        var start1: Int
        var count1: Int
        var start2: Int
        var count2: Int
    }

    /// The changes that turn `a` into `b` (sequences of line class ids), in order.
    static func diff(_ a: ArraySlice<Int>, _ b: ArraySlice<Int>, classCount: Int) -> [Change] {
        var old = ChangeMarks(classes: Array(a))
        var new = ChangeMarks(classes: Array(b))
        var histogram = Histogram(a: old.classes, b: new.classes, classCount: classCount)
        histogram.run()
        old.setChanged(histogram.changedA)
        new.setChanged(histogram.changedB)
        compact(&old, other: new)
        compact(&new, other: old)
        return buildScript(old, new)
    }

    /// Pairs runs of changed lines into changes, as `xdl_build_script` does.
    private static func buildScript(_ old: ChangeMarks, _ new: ChangeMarks) -> [Change] {
        var changes: [Change] = []
        var i1 = old.count, i2 = new.count
        while i1 >= 0 || i2 >= 0 {
            if old[i1 - 1] || new[i2 - 1] {
                let l1 = i1, l2 = i2
                while old[i1 - 1] { i1 -= 1 }
                while new[i2 - 1] { i2 -= 1 }
                changes.append(Change(start1: i1, count1: l1 - i1, start2: i2, count2: l2 - i2))
            }
            i1 -= 1
            i2 -= 1
        }
        return changes.reversed()
    }

    /// A contiguous group of changed lines: `start..<end`, empty between two unchanged lines.
    private struct Group {
        var start = 0
        var end = 0
    }

    /// `xdl_change_compact`: slides each group of changes down as far as it
    /// goes (merging groups it bumps into), then back up until it lines up
    /// with a group of changes in `other`, if it ever did.
    private static func compact(_ file: inout ChangeMarks, other: ChangeMarks) {
        var g = Group(), go = Group()
        file.first(&g)
        other.first(&go)
        while true {
            if g.end != g.start {
                var groupSize: Int
                var earliestEnd: Int
                var endMatchingOther: Int
                repeat {
                    groupSize = g.end - g.start
                    endMatchingOther = -1
                    while file.slideUp(&g) {
                        other.previous(&go)
                    }
                    earliestEnd = g.end
                    if go.end > go.start { endMatchingOther = g.end }
                    while file.slideDown(&g) {
                        other.next(&go)
                        if go.end > go.start { endMatchingOther = g.end }
                    }
                } while groupSize != g.end - g.start
                if g.end != earliestEnd && endMatchingOther != -1 {
                    while go.end == go.start {
                        _ = file.slideUp(&g)
                        other.previous(&go)
                    }
                }
            }
            if !file.next(&g) { break }
            other.next(&go)
        }
    }

    /// The class ids of one file and which of its lines are changed, with
    /// xdiff's sentinels: lines -1 and `count` read as unchanged.
    private struct ChangeMarks {
        let classes: [Int]
        private var changed: [Bool]

        init(classes: [Int]) {
            self.classes = classes
            changed = Array(repeating: false, count: classes.count)
        }

        var count: Int { classes.count }

        subscript(index: Int) -> Bool {
            index >= 0 && index < changed.count ? changed[index] : false
        }

        mutating func setChanged(_ marks: [Bool]) { changed = marks }

        func first(_ g: inout Group) {
            g.start = 0
            g.end = 0
            while self[g.end] { g.end += 1 }
        }

        /// Moves to the next group; false at the end of the file.
        @discardableResult
        func next(_ g: inout Group) -> Bool {
            if g.end == count { return false }
            g.start = g.end + 1
            g.end = g.start
            while self[g.end] { g.end += 1 }
            return true
        }

        /// Moves to the previous group; false at the start of the file.
        @discardableResult
        func previous(_ g: inout Group) -> Bool {
            if g.start == 0 { return false }
            g.end = g.start - 1
            g.start = g.end
            while self[g.start - 1] { g.start -= 1 }
            return true
        }

        mutating func slideDown(_ g: inout Group) -> Bool {
            guard g.end < count && classes[g.start] == classes[g.end] else { return false }
            changed[g.start] = false
            changed[g.end] = true
            g.start += 1
            g.end += 1
            while self[g.end] { g.end += 1 }
            return true
        }

        mutating func slideUp(_ g: inout Group) -> Bool {
            guard g.start > 0 && classes[g.start - 1] == classes[g.end - 1] else { return false }
            g.start -= 1
            g.end -= 1
            changed[g.start] = true
            changed[g.end] = false
            while self[g.start - 1] { g.start -= 1 }
            return true
        }
    }
}
