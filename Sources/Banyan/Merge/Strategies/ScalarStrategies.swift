import Foundation

/// `counter`: the value is a decimal integer (surrounding whitespace and a
/// leading sign allowed) and the merge adds both sides' increments:
/// `ours + theirs - base`. A missing or empty base counts as 0.
///
/// The result is written in plain decimal, with a trailing newline when
/// any version had one, so it is symmetric in ours and theirs. A value that
/// is not an integer, or a sum that overflows `Int64`, is a conflict.
public struct CounterMergeStrategy: MergeStrategy {
    /// `counter`.
    public let name = "counter"

    /// Both sides adding is two additions, even when they add the same amount.
    public var combinesIdenticalChanges: Bool { true }

    /// Creates the strategy.
    public init() {}

    /// Adds the increments.
    public func merge(base: [UInt8]?, ours: [UInt8], theirs: [UInt8], context: MergeContext) throws -> ValueMergeResult {
        var values: [Int64] = []
        for (label, bytes) in [("base", base ?? []), ("ours", ours), ("theirs", theirs)] {
            guard let value = Self.parse(bytes) else {
                return .conflict(ValueConflict(reason: "the \(label) value is not a decimal integer"))
            }
            values.append(value)
        }
        // In 128 bits nothing overflows midway, so the result cannot depend on which side is ours.
        guard let sum = Int64(exactly: Int128(values[1]) + Int128(values[2]) - Int128(values[0])) else {
            return .conflict(ValueConflict(reason: "the merged counter does not fit in 64 bits"))
        }
        let newline = [base ?? [], ours, theirs].contains { $0.last == 0x0a }
        return .merged(Array((String(sum) + (newline ? "\n" : "")).utf8))
    }

    /// The integer in `bytes`, 0 for blank input, nil when it is not one.
    static func parse(_ bytes: [UInt8]) -> Int64? {
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return 0 }
        return Int64(text)
    }
}

/// `lww`: last writer wins. Of two changed values, the side whose head
/// commit is later (committer time, ties broken by the larger commit id)
/// wins, so every node merging the same commits picks the same value.
///
/// Without commit information (e.g. as a Git merge driver) the larger value
/// by bytes wins, which is just as deterministic. The time is the head
/// commit's, not the time the key was written: a side that wrote the key
/// long ago and committed something else recently still wins. Never conflicts.
public struct LastWriterWinsMergeStrategy: MergeStrategy {
    /// `lww`.
    public let name = "lww"

    /// Creates the strategy.
    public init() {}

    /// Returns the later side's value.
    public func merge(base: [UInt8]?, ours: [UInt8], theirs: [UInt8], context: MergeContext) throws -> ValueMergeResult {
        if let oursTime = context.ours.time, let oursCommit = context.ours.commit,
           let theirsTime = context.theirs.time, let theirsCommit = context.theirs.commit,
           oursCommit != theirsCommit {
            return .merged((oursTime, oursCommit) > (theirsTime, theirsCommit) ? ours : theirs)
        }
        return .merged(theirs.lexicographicallyPrecedes(ours) ? ours : theirs)
    }
}
