extension Diff3 {
    /// `xdl_refine_conflicts`: diffs the two sides of each conflict against
    /// each other, so only the lines where they differ stay in conflict; a
    /// conflict whose sides are equal is no conflict at all.
    static func refine(_ hunks: [Hunk], ours: TextLines, theirs: TextLines, classCount: Int) -> [Hunk] {
        var refined: [Hunk] = []
        refined.reserveCapacity(hunks.count)
        for var hunk in hunks {
            guard hunk.mode == 0, hunk.chg1 > 0, hunk.chg2 > 0 else {
                refined.append(hunk)
                continue
            }
            let changes = LineDiff.diff(ours.classes[hunk.i1..<(hunk.i1 + hunk.chg1)],
                                        theirs.classes[hunk.i2..<(hunk.i2 + hunk.chg2)], classCount: classCount)
            if changes.isEmpty {
                hunk.mode = 4
                refined.append(hunk)
                continue
            }
            for change in changes {
                refined.append(Hunk(mode: 0, i1: hunk.i1 + change.start1, chg1: change.count1,
                                    i2: hunk.i2 + change.start2, chg2: change.count2))
            }
        }
        return refined
    }

    /// `xdl_simplify_non_conflicts`: two conflicts at most three lines apart
    /// read better as one, so they are joined (the lines between go into both sides).
    static func joinNearConflicts(_ hunks: [Hunk]) -> [Hunk] {
        var hunks = hunks
        var index = 0
        while index + 1 < hunks.count {
            let current = hunks[index], next = hunks[index + 1]
            if current.mode != 0 || next.mode != 0 || next.i1 - (current.i1 + current.chg1) > 3 {
                index += 1
                continue
            }
            hunks[index].chg1 = next.i1 + next.chg1 - current.i1
            hunks[index].chg2 = next.i2 + next.chg2 - current.i2
            hunks.remove(at: index + 1)
        }
        return hunks
    }

    /// `xdl_fill_merge_buffer`: writes ours' text with each hunk applied.
    struct Writer {
        let base: TextLines
        let ours: TextLines
        let theirs: TextLines
        let oursLabel: String
        let theirsLabel: String
        let markerSize: Int
        private var out: [UInt8] = []

        init(base: TextLines, ours: TextLines, theirs: TextLines, oursLabel: String, theirsLabel: String, markerSize: Int) {
            self.base = base
            self.ours = ours
            self.theirs = theirs
            self.oursLabel = oursLabel
            self.theirsLabel = theirsLabel
            self.markerSize = markerSize
        }

        mutating func write(_ hunks: [Hunk], favor: Favor) -> Result {
            let favorMode = favor == .union ? 3 : 0
            out.reserveCapacity(ours.bytes.count + theirs.bytes.count / 4)
            var conflicts = 0
            var next = 0
            for var hunk in hunks {
                if hunk.mode == 0 { hunk.mode = favorMode }
                if hunk.mode == 0 {
                    writeConflict(hunk, from: next)
                    conflicts += 1
                } else if hunk.mode & 3 != 0 {
                    copy(ours, next, hunk.i1 - next, needsCR: false, addNewline: false)
                    if hunk.mode & 1 != 0 {
                        copy(ours, hunk.i1, hunk.chg1, needsCR: needsCR(hunk), addNewline: hunk.mode & 2 != 0)
                    }
                    if hunk.mode & 2 != 0 {
                        copy(theirs, hunk.i2, hunk.chg2, needsCR: false, addNewline: false)
                    }
                } else {
                    continue
                }
                next = hunk.i1 + hunk.chg1
            }
            copy(ours, next, ours.count - next, needsCR: false, addNewline: false)
            return Result(content: out, conflicts: conflicts)
        }

        private mutating func writeConflict(_ hunk: Hunk, from next: Int) {
            let cr = needsCR(hunk)
            copy(ours, next, hunk.i1 - next, needsCR: false, addNewline: false)
            marker(UInt8(ascii: "<"), label: oursLabel, cr: cr)
            copy(ours, hunk.i1, hunk.chg1, needsCR: cr, addNewline: true)
            marker(UInt8(ascii: "="), label: nil, cr: cr)
            copy(theirs, hunk.i2, hunk.chg2, needsCR: cr, addNewline: true)
            marker(UInt8(ascii: ">"), label: theirsLabel, cr: cr)
        }

        private mutating func marker(_ character: UInt8, label: String?, cr: Bool) {
            out.append(contentsOf: repeatElement(character, count: markerSize))
            if let label {
                out.append(UInt8(ascii: " "))
                out.append(contentsOf: label.utf8)
            }
            if cr { out.append(0x0d) }
            out.append(0x0a)
        }

        /// `xdl_recs_copy`: lines `start..<start+count`, plus a newline when
        /// `addNewline` and the last of them has none.
        private mutating func copy(_ text: TextLines, _ start: Int, _ count: Int, needsCR: Bool, addNewline: Bool) {
            guard count > 0 else { return }
            out.append(contentsOf: text.bytes[text.ranges[start].lowerBound..<text.ranges[start + count - 1].upperBound])
            if addNewline && !text.endsInNewline(start + count - 1) {
                if needsCR { out.append(0x0d) }
                out.append(0x0a)
            }
        }

        /// `is_cr_needed`: markers and added newlines follow the CRLF style of
        /// the lines around the hunk when every side uses it.
        private func needsCR(_ hunk: Hunk) -> Bool {
            var needs = Self.eolIsCRLF(ours, hunk.i1 > 0 ? hunk.i1 - 1 : 0)
            if needs != 0 { needs = Self.eolIsCRLF(theirs, hunk.i2 > 0 ? hunk.i2 - 1 : 0) }
            if needs != 0 { needs = Self.eolIsCRLF(base, 0) }
            return needs == 1
        }

        /// 1 when line `index` ends in CRLF, 0 when in LF, -1 when it cannot tell.
        private static func eolIsCRLF(_ text: TextLines, _ index: Int) -> Int {
            if index < text.count - 1 { return text.endsInCRLF(index) ? 1 : 0 }
            if text.count == 0 { return -1 }
            if text.endsInNewline(index) { return text.endsInCRLF(index) ? 1 : 0 }
            if index == 0 { return -1 }
            return text.endsInCRLF(index - 1) ? 1 : 0
        }
    }
}
