/// Git's three-way line merge: xdiff's `xdl_merge` at the level Git's merge
/// machinery uses (`XDL_MERGE_ZEALOUS`), with the default conflict style,
/// over ``LineDiff``'s histogram diff, as `git merge` and
/// `git merge-tree --write-tree` run it.
///
/// Both sides are diffed against the base; changes that do not touch merge;
/// changes that overlap or are adjacent conflict, unless both sides made the
/// same change. Conflicts are then narrowed to the lines where the two sides
/// really differ, and conflicts fewer than four lines apart are joined.
/// Cost: two diffs of the whole texts plus one per conflict.
enum Diff3 {
    /// How conflicting hunks are written.
    enum Favor {
        /// Conflict markers: `<<<<<<< ours`, `=======`, `>>>>>>> theirs`.
        case none
        /// Ours' lines followed by theirs', no markers (Git's `union`).
        case union
    }

    /// What a merge produced.
    struct Result: Equatable {
        /// The merged text, with conflict markers where hunks conflict.
        var content: [UInt8]
        /// How many conflicting hunks the text has (0 for a clean merge).
        var conflicts: Int
    }

    /// Merges `ours` and `theirs`, both derived from `base`.
    ///
    /// `oursLabel` and `theirsLabel` follow the `<<<<<<<` and `>>>>>>>` markers;
    /// `markerSize` is the markers' length (Git's `conflict-marker-size`).
    static func merge(
        base: [UInt8], ours: [UInt8], theirs: [UInt8],
        oursLabel: String = "ours", theirsLabel: String = "theirs",
        favor: Favor = .none, markerSize: Int = 7
    ) -> Result {
        var classifier = LineClassifier()
        let base = classifier.split(base)
        let ours = classifier.split(ours)
        let theirs = classifier.split(theirs)
        let classes = classifier.classCount
        let changes1 = LineDiff.diff(base.classes[...], ours.classes[...], classCount: classes)
        let changes2 = LineDiff.diff(base.classes[...], theirs.classes[...], classCount: classes)
        if changes1.isEmpty { return Result(content: theirs.bytes, conflicts: 0) }
        if changes2.isEmpty { return Result(content: ours.bytes, conflicts: 0) }
        var hunks = combine(changes1, changes2, base: base, ours: ours, theirs: theirs)
        hunks = refine(hunks, ours: ours, theirs: theirs, classCount: classes)
        hunks = joinNearConflicts(hunks)
        var writer = Writer(base: base, ours: ours, theirs: theirs, oursLabel: oursLabel, theirsLabel: theirsLabel,
                            markerSize: markerSize > 0 ? markerSize : 7)
        return writer.write(hunks, favor: favor)
    }

    /// A region of the merge: lines `i1..<i1+chg1` of ours and
    /// `i2..<i2+chg2` of theirs, taken from one side or in conflict. (xdiff
    /// also tracks the base's lines, needed only by the diff3 conflict style.)
    struct Hunk {
        /// 0 conflict, 1 ours changed, 2 theirs changed, 3 both (union), 4 both made the same change.
        var mode: Int
        var i1: Int, chg1: Int
        var i2: Int, chg2: Int
    }

    /// `xdl_append_merge`: a hunk that touches the previous one joins it,
    /// and becomes a conflict when their sides differ.
    private static func append(_ hunks: inout [Hunk], _ hunk: Hunk) {
        if var last = hunks.last, hunk.i1 <= last.i1 + last.chg1 || hunk.i2 <= last.i2 + last.chg2 {
            if hunk.mode != last.mode { last.mode = 0 }
            last.chg1 = hunk.i1 + hunk.chg1 - last.i1
            last.chg2 = hunk.i2 + hunk.chg2 - last.i2
            hunks[hunks.count - 1] = last
        } else {
            hunks.append(hunk)
        }
    }

    /// `xdl_do_merge`'s walk over the two change lists.
    private static func combine(
        _ changes1: [LineDiff.Change], _ changes2: [LineDiff.Change],
        base: TextLines, ours: TextLines, theirs: TextLines
    ) -> [Hunk] {
        let baseCount = base.count, oursCount = ours.count, theirsCount = theirs.count
        var hunks: [Hunk] = []
        var p1 = 0, p2 = 0
        while p1 < changes1.count && p2 < changes2.count {
            let x1 = changes1[p1], x2 = changes2[p2]
            if x1.start1 + x1.count1 < x2.start1 {
                append(&hunks, Hunk(mode: 1, i1: x1.start2, chg1: x1.count2,
                                    i2: x2.start2 - x2.start1 + x1.start1, chg2: x1.count1))
                p1 += 1
                continue
            }
            if x2.start1 + x2.count1 < x1.start1 {
                append(&hunks, Hunk(mode: 2, i1: x1.start2 - x1.start1 + x2.start1,
                                    chg1: x2.count1, i2: x2.start2, chg2: x2.count2))
                p2 += 1
                continue
            }
            let sameChange = x1.start1 == x2.start1 && x1.count1 == x2.count1 && x1.count2 == x2.count2
                && ours.classes[x1.start2..<(x1.start2 + x1.count2)] == theirs.classes[x2.start2..<(x2.start2 + x2.count2)]
            if !sameChange {
                // Widen both sides to cover the union of the two changes' base lines.
                let off = x1.start1 - x2.start1
                let ffo = off + x1.count1 - x2.count1
                var i1 = x1.start2, i2 = x2.start2
                if off > 0 { i1 -= off } else { i2 += off }
                var chg1 = x1.start2 + x1.count2 - i1
                var chg2 = x2.start2 + x2.count2 - i2
                if ffo < 0 { chg1 -= ffo } else { chg2 += ffo }
                append(&hunks, Hunk(mode: 0, i1: i1, chg1: chg1, i2: i2, chg2: chg2))
            }
            let end1 = x1.start1 + x1.count1, end2 = x2.start1 + x2.count1
            if end1 >= end2 { p2 += 1 }
            if end2 >= end1 { p1 += 1 }
        }
        for x1 in changes1[p1...] {
            append(&hunks, Hunk(mode: 1, i1: x1.start2, chg1: x1.count2,
                                i2: x1.start1 + theirsCount - baseCount, chg2: x1.count1))
        }
        for x2 in changes2[p2...] {
            append(&hunks, Hunk(mode: 2, i1: x2.start1 + oursCount - baseCount,
                                chg1: x2.count1, i2: x2.start2, chg2: x2.count2))
        }
        return hunks
    }
}
