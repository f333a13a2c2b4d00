/// Myers' O(ND) diff in linear space (divide and conquer on the middle
/// snake), for the regions where the histogram diff finds only lines that
/// repeat too often to anchor on (xdiff falls back to its classic diff there).
///
/// It marks a shortest edit script; xdiff's classic diff adds heuristics
/// that can pick a different script of the same or greater length, so in
/// these rare regions hunks may differ from Git's.
struct Myers {
    private let a: [Int]
    private let b: [Int]
    /// Which lines of `a` and of `b` are changed (0-based within the inputs).
    private(set) var changedA: [Bool]
    private(set) var changedB: [Bool]
    private var forward: [Int] = []
    private var backward: [Int] = []

    init(a: ArraySlice<Int>, b: ArraySlice<Int>) {
        self.a = Array(a)
        self.b = Array(b)
        changedA = Array(repeating: false, count: a.count)
        changedB = Array(repeating: false, count: b.count)
    }

    mutating func run() {
        let size = a.count + b.count + 4
        forward = Array(repeating: 0, count: size)
        backward = Array(repeating: 0, count: size)
        var work = [(0, a.count, 0, b.count)]
        while let (lowA, highA, lowB, highB) = work.popLast() {
            var lowA = lowA, highA = highA, lowB = lowB, highB = highB
            while lowA < highA && lowB < highB && a[lowA] == b[lowB] { lowA += 1; lowB += 1 }
            while lowA < highA && lowB < highB && a[highA - 1] == b[highB - 1] { highA -= 1; highB -= 1 }
            if lowA == highA {
                for i in lowB..<highB { changedB[i] = true }
            } else if lowB == highB {
                for i in lowA..<highA { changedA[i] = true }
            } else {
                guard let (x, y) = middleSnake(lowA, highA, lowB, highB) else {
                    for i in lowA..<highA { changedA[i] = true }
                    for i in lowB..<highB { changedB[i] = true }
                    continue
                }
                work.append((lowA, x, lowB, y))
                work.append((x, highA, y, highB))
            }
        }
    }

    /// A point on an optimal path through the box, splitting it in two
    /// (the bisection of diff-match-patch: forward and reverse searches
    /// meet at the middle snake). Nil when the two ranges share no line.
    private mutating func middleSnake(_ lowA: Int, _ highA: Int, _ lowB: Int, _ highB: Int) -> (Int, Int)? {
        let n = highA - lowA, m = highB - lowB
        let maxD = (n + m + 1) / 2
        let offset = maxD, length = 2 * maxD + 2
        for i in 0..<length { forward[i] = -1; backward[i] = -1 }
        forward[offset + 1] = 0
        backward[offset + 1] = 0
        let delta = n - m
        let front = delta & 1 != 0
        var k1Start = 0, k1End = 0, k2Start = 0, k2End = 0
        for d in 0..<maxD {
            for k1 in stride(from: -d + k1Start, through: d - k1End, by: 2) {
                let i = offset + k1
                var x1 = (k1 == -d || (k1 != d && forward[i - 1] < forward[i + 1])) ? forward[i + 1] : forward[i - 1] + 1
                var y1 = x1 - k1
                while x1 < n && y1 < m && a[lowA + x1] == b[lowB + y1] { x1 += 1; y1 += 1 }
                forward[i] = x1
                if x1 > n {
                    k1End += 2
                } else if y1 > m {
                    k1Start += 2
                } else if front {
                    let j = offset + delta - k1
                    if j >= 0 && j < length && backward[j] != -1 && x1 >= n - backward[j] {
                        return (lowA + x1, lowB + y1)
                    }
                }
            }
            for k2 in stride(from: -d + k2Start, through: d - k2End, by: 2) {
                let i = offset + k2
                var x2 = (k2 == -d || (k2 != d && backward[i - 1] < backward[i + 1])) ? backward[i + 1] : backward[i - 1] + 1
                var y2 = x2 - k2
                while x2 < n && y2 < m && a[highA - 1 - x2] == b[highB - 1 - y2] { x2 += 1; y2 += 1 }
                backward[i] = x2
                if x2 > n {
                    k2End += 2
                } else if y2 > m {
                    k2Start += 2
                } else if !front {
                    let j = offset + delta - k2
                    if j >= 0 && j < length && forward[j] != -1 {
                        let x1 = forward[j]
                        if x1 >= n - x2 { return (lowA + x1, lowB + x1 - (j - offset)) }
                    }
                }
            }
        }
        return nil
    }
}
