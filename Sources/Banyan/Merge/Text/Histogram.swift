/// xdiff's histogram diff (`xhistogram.c`), ported line for line so that a
/// merge splits into the same hunks as Git's: find the longest common run
/// whose lines are rarest in the old region, then diff the parts before and
/// after it.
///
/// Line numbers are 1-based, as in xdiff. Regions wait on an explicit work
/// list rather than the call stack, so long texts cannot overflow it (the
/// marks a region leaves do not depend on the order regions are done in).
struct Histogram {
    let a: [Int]
    let b: [Int]
    /// Which lines of `a` and of `b` the diff marks as changed.
    private(set) var changedA: [Bool]
    private(set) var changedB: [Bool]

    // Per-class tables for the region being indexed, sized by class count and
    // reset after each use, so indexing a region costs its length only.
    private var countOf: [Int]
    private var firstOf: [Int]
    private var nextOf: [Int] = []

    /// More occurrences than this and a line is too common to anchor on.
    private static let maxChainLength = 64

    init(a: [Int], b: [Int], classCount: Int) {
        self.a = a
        self.b = b
        changedA = Array(repeating: false, count: a.count)
        changedB = Array(repeating: false, count: b.count)
        countOf = Array(repeating: 0, count: classCount)
        firstOf = Array(repeating: 0, count: classCount)
    }

    private struct Region {
        var line1: Int, count1: Int, line2: Int, count2: Int
    }

    private struct Match {
        var begin1 = 0, end1 = 0, begin2 = 0, end2 = 0
    }

    mutating func run() {
        var work = [Region(line1: 1, count1: a.count, line2: 1, count2: b.count)]
        while let region = work.popLast() {
            let (line1, count1, line2, count2) = (region.line1, region.count1, region.line2, region.count2)
            if count1 <= 0 && count2 <= 0 { continue }
            if count1 == 0 {
                for i in 0..<count2 { changedB[line2 - 1 + i] = true }
                continue
            }
            if count2 == 0 {
                for i in 0..<count1 { changedA[line1 - 1 + i] = true }
                continue
            }
            guard let match = findLCS(region) else {
                var myers = Myers(a: a[(line1 - 1)..<(line1 - 1 + count1)], b: b[(line2 - 1)..<(line2 - 1 + count2)])
                myers.run()
                for (i, changed) in myers.changedA.enumerated() where changed { changedA[line1 - 1 + i] = true }
                for (i, changed) in myers.changedB.enumerated() where changed { changedB[line2 - 1 + i] = true }
                continue
            }
            if match.begin1 == 0 && match.begin2 == 0 {
                for i in 0..<count1 { changedA[line1 - 1 + i] = true }
                for i in 0..<count2 { changedB[line2 - 1 + i] = true }
                continue
            }
            work.append(Region(line1: line1, count1: match.begin1 - line1, line2: line2, count2: match.begin2 - line2))
            work.append(Region(line1: match.end1 + 1, count1: line1 + count1 - 1 - match.end1,
                               line2: match.end2 + 1, count2: line2 + count2 - 1 - match.end2))
        }
    }

    /// The anchor run for `region`: a zero match when the region has no
    /// usable common line, nil when xdiff would fall back to the classic diff.
    private mutating func findLCS(_ region: Region) -> Match? {
        let line1 = region.line1, end1 = region.line1 + region.count1 - 1
        nextOf = Array(repeating: 0, count: region.count1)
        for ptr in stride(from: end1, through: line1, by: -1) {
            let cls = a[ptr - 1]
            if countOf[cls] > 0 {
                nextOf[ptr - line1] = firstOf[cls]
            }
            firstOf[cls] = ptr
            countOf[cls] += 1
        }
        var state = LCSState(match: Match(), cnt: Self.maxChainLength + 1, hasCommon: false)
        var bPtr = region.line2
        while bPtr <= region.line2 + region.count2 - 1 {
            bPtr = tryLCS(&state, bPtr: bPtr, region: region)
        }
        for ptr in line1...end1 {
            countOf[a[ptr - 1]] = 0
        }
        if state.hasCommon && Self.maxChainLength < state.cnt { return nil }
        return state.match
    }

    private struct LCSState {
        var match: Match
        var cnt: Int
        var hasCommon: Bool
    }

    /// xdiff's `try_lcs`: extends every occurrence in `a` of line `bPtr` of
    /// `b` into a run of equal lines and keeps the longest run with the
    /// rarest lines. Returns the next line of `b` worth trying.
    private func tryLCS(_ state: inout LCSState, bPtr: Int, region: Region) -> Int {
        var bNext = bPtr + 1
        let cls = b[bPtr - 1]
        let recordCount = countOf[cls]
        guard recordCount > 0 else { return bNext }
        if recordCount > state.cnt {
            state.hasCommon = true
            return bNext
        }
        state.hasCommon = true
        let line1 = region.line1, line2 = region.line2
        let lineEnd1 = region.line1 + region.count1 - 1, lineEnd2 = region.line2 + region.count2 - 1
        var start1 = firstOf[cls]
        while true {
            var next = nextOf[start1 - line1]
            var start2 = bPtr
            var end1 = start1, end2 = start2
            var rc = recordCount
            while line1 < start1 && line2 < start2 && a[start1 - 2] == b[start2 - 2] {
                start1 -= 1
                start2 -= 1
                if 1 < rc { rc = min(rc, countOf[a[start1 - 1]]) }
            }
            while end1 < lineEnd1 && end2 < lineEnd2 && a[end1] == b[end2] {
                end1 += 1
                end2 += 1
                if 1 < rc { rc = min(rc, countOf[a[end1 - 1]]) }
            }
            if bNext <= end2 { bNext = end2 + 1 }
            if state.match.end1 - state.match.begin1 < end1 - start1 || rc < state.cnt {
                state.match = Match(begin1: start1, end1: end1, begin2: start2, end2: end2)
                state.cnt = rc
            }
            if next == 0 { break }
            while next <= end1 {
                next = nextOf[next - line1]
                if next == 0 { return bNext }
            }
            start1 = next
        }
        return bNext
    }
}
