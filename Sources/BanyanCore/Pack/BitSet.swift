/// A fixed-size set of small integers, one bit each in 64-bit words: the
/// uncompressed form of a reachability bitmap, where bit `n` stands for the
/// `n`th object of a pack in pack order.
///
/// Bit `n` is bit `n % 64` (least significant first) of word `n / 64`, the
/// order EWAH streams its bits in, so words convert without shuffling.
package struct BitSet: Sendable, Equatable {
    /// The words, least significant bit first; bits past `count` are zero.
    package private(set) var words: [UInt64]
    /// How many bits the set spans.
    package let count: Int

    /// An empty set of `count` bits.
    package init(count: Int) {
        self.count = count
        words = [UInt64](repeating: 0, count: (count + 63) / 64)
    }

    /// A set of `count` bits made of `words` (shorter arrays are padded with
    /// zero words). Throws `corruptObject` when a bit at or past `count` is set.
    package init(words: [UInt64], count: Int) throws {
        let needed = (count + 63) / 64
        var padded = Array(words.prefix(needed))
        padded += [UInt64](repeating: 0, count: needed - padded.count)
        let used = count % 64
        if words.dropFirst(needed).contains(where: { $0 != 0 }) || (used != 0 && padded[needed - 1] >> UInt64(used) != 0) {
            throw BanyanError(.corruptObject, "bitmap sets a bit past its \(count) objects")
        }
        self.words = padded
        self.count = count
    }

    /// True when bit `bit` is set.
    @inline(__always)
    package func contains(_ bit: Int) -> Bool {
        words[bit &>> 6] & (1 &<< UInt64(bit & 63)) != 0
    }

    /// Sets bit `bit`; returns whether it was clear before.
    @discardableResult @inline(__always)
    package mutating func insert(_ bit: Int) -> Bool {
        let mask: UInt64 = 1 &<< UInt64(bit & 63)
        let before = words[bit &>> 6]
        words[bit &>> 6] = before | mask
        return before & mask == 0
    }

    /// Adds every bit of `other` (of the same size).
    package mutating func formUnion(_ other: BitSet) {
        precondition(other.count == count, "bit sets of different sizes")
        for index in words.indices { words[index] |= other.words[index] }
    }

    /// Removes every bit of `other` (of the same size).
    package mutating func subtract(_ other: BitSet) {
        precondition(other.count == count, "bit sets of different sizes")
        for index in words.indices { words[index] &= ~other.words[index] }
    }

    /// Flips every bit that `other` (of the same size) sets: how XOR-compressed bitmaps are restored.
    package mutating func formSymmetricDifference(_ other: BitSet) {
        precondition(other.count == count, "bit sets of different sizes")
        for index in words.indices { words[index] ^= other.words[index] }
    }

    /// How many bits are set.
    package var popCount: Int {
        words.reduce(0) { $0 + $1.nonzeroBitCount }
    }

    /// Calls `body` with every set bit, in increasing order.
    package func forEach(_ body: (Int) throws -> Void) rethrows {
        for (index, word) in words.enumerated() where word != 0 {
            var remaining = word
            while remaining != 0 {
                try body(index &* 64 &+ remaining.trailingZeroBitCount)
                remaining &= remaining &- 1
            }
        }
    }
}
