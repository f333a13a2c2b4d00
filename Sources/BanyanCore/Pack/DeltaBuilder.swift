/// Writes a Git delta from copy and insert steps given in target order,
/// for callers that already know how the target was made from the base (a
/// spliced tree, say) and need no delta search.
///
/// Adjacent copies are merged and inserted bytes are gathered into as few
/// insert instructions as the format allows.
package struct DeltaBuilder: Sendable {
    private var output: [UInt8] = []
    private var copy: Range<Int>?
    private var literal: [UInt8] = []

    /// A delta from a base of `baseCount` bytes to a target of `targetCount` bytes.
    package init(baseCount: Int, targetCount: Int) {
        output.reserveCapacity(64)
        Delta.appendSize(baseCount, to: &output)
        Delta.appendSize(targetCount, to: &output)
    }

    /// The target's next bytes are the base's bytes at `range`.
    package mutating func copy(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        flushLiteral()
        if let run = copy, run.upperBound == range.lowerBound {
            copy = run.lowerBound..<range.upperBound
        } else {
            flushCopy()
            copy = range
        }
    }

    /// The target's next bytes are `bytes`.
    package mutating func insert(_ bytes: some Collection<UInt8>) {
        flushCopy()
        literal.append(contentsOf: bytes)
    }

    /// The number of delta bytes so far (the pending step not counted).
    package var count: Int { output.count }

    /// The finished delta.
    package mutating func finish() -> [UInt8] {
        flushCopy()
        flushLiteral()
        return output
    }

    private mutating func flushCopy() {
        guard let run = copy else { return }
        DeltaIndex.appendCopies(offset: run.lowerBound, length: run.count, to: &output)
        copy = nil
    }

    private mutating func flushLiteral() {
        guard !literal.isEmpty else { return }
        literal.withUnsafeBytes { DeltaIndex.appendLiterals($0, 0..<$0.count, to: &output) }
        literal.removeAll(keepingCapacity: true)
    }
}
