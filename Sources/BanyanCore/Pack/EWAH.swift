/// The EWAH compressed bitmaps of Git's `.bitmap` files (JavaEWAH's
/// serialization, as JGit and Git write it).
///
/// A serialized bitmap is: the number of bits (32-bit), the number of
/// 64-bit words that follow (32-bit), the words, and the position of the
/// last run-length word (32-bit), all big-endian. The words are chunks: a
/// run-length word (bit 0 the repeated bit, bits 1–32 how many whole words
/// of it, bits 33–63 how many literal words follow), then those literal words.
package enum EWAH {
    /// The most words one run-length word can repeat (32 bits).
    static let maximumRun = Int(UInt32.max)
    /// The most literal words one run-length word can announce (31 bits).
    static let maximumLiterals = Int(UInt32.max >> 1)

    /// Appends `set` serialized to `buffer`. Runs of all-zero and all-one
    /// words become run-length words, every other word is a literal, and
    /// trailing zero words are left out, as Git's `bitmap_to_ewah` does.
    package static func encode(_ set: BitSet, into buffer: inout [UInt8]) {
        var end = set.words.count
        while end > 0, set.words[end - 1] == 0 { end -= 1 }
        var compressed: [UInt64] = []
        var lastRunLengthWord = 0
        var position = 0
        repeat {
            var bit: UInt64 = 0
            var run = 0
            if position < end, set.words[position] == 0 || set.words[position] == .max {
                let word = set.words[position]
                bit = word == 0 ? 0 : 1
                while position < end, set.words[position] == word, run < maximumRun {
                    run += 1
                    position += 1
                }
            }
            let literalsStart = position
            while position < end, set.words[position] != 0, set.words[position] != .max,
                  position - literalsStart < maximumLiterals {
                position += 1
            }
            lastRunLengthWord = compressed.count
            compressed.append(bit | UInt64(run) << 1 | UInt64(position - literalsStart) << 33)
            compressed += set.words[literalsStart..<position]
        } while position < end
        PackBytes.appendUInt32(UInt32(set.count), to: &buffer)
        PackBytes.appendUInt32(UInt32(compressed.count), to: &buffer)
        buffer.reserveCapacity(buffer.count + compressed.count * 8 + 4)
        for word in compressed { PackBytes.appendUInt64(word, to: &buffer) }
        PackBytes.appendUInt32(UInt32(lastRunLengthWord), to: &buffer)
    }

    /// The serialized bitmap at `offset` in `bytes`, expanded to a set of
    /// `count` bits, and the offset just past it.
    ///
    /// Throws `corruptObject` when the bitmap runs past `end`, a chunk
    /// announces more literal words than follow, the last run-length word's
    /// position is not in the bitmap, or a bit at or past `count` is set
    /// (so a damaged run length cannot make it allocate more than `count` bits).
    package static func decode(_ bytes: UnsafeRawBufferPointer, at offset: Int, end: Int, count: Int) throws -> (set: BitSet, next: Int) {
        // Bit count, word count and last-word position: 12 bytes at least.
        guard end - offset >= 12 else { throw corrupt("ends before its header") }
        let wordCount = Int(PackBytes.uint32(bytes, offset + 4))
        let wordsStart = offset + 8
        guard wordCount <= (end - wordsStart - 4) / 8 else {
            throw corrupt("announces \(wordCount) words but only \(max(0, end - wordsStart - 4) / 8) fit")
        }
        let next = wordsStart + wordCount * 8 + 4
        guard Int(PackBytes.uint32(bytes, next - 4)) < max(wordCount, 1) else {
            throw corrupt("names run-length word \(PackBytes.uint32(bytes, next - 4)) of \(wordCount)")
        }
        let limit = (count + 63) / 64
        var words: [UInt64] = []
        words.reserveCapacity(limit)
        var index = 0
        while index < wordCount {
            let marker = PackBytes.uint64(bytes, wordsStart + index * 8)
            let run = Int((marker >> 1) & 0xFFFF_FFFF)
            let literals = Int(marker >> 33)
            guard literals < wordCount - index else {
                throw corrupt("chunk at word \(index) announces \(literals) literal words; \(wordCount - index - 1) follow")
            }
            if run > 0 {
                let word: UInt64 = marker & 1 == 0 ? 0 : .max
                // Zeros may run past the last object; ones may not.
                guard words.count + run <= limit || (word == 0 && literals == 0) else {
                    throw corrupt("sets bits past its \(count) objects")
                }
                words += repeatElement(word, count: min(run, max(0, limit - words.count)))
            }
            guard words.count + literals <= limit else { throw corrupt("sets bits past its \(count) objects") }
            for literal in 0..<literals {
                words.append(PackBytes.uint64(bytes, wordsStart + (index + 1 + literal) * 8))
            }
            index += 1 + literals
        }
        do {
            return (try BitSet(words: words, count: count), next)
        } catch {
            throw corrupt("sets bits past its \(count) objects")
        }
    }

    private static func corrupt(_ detail: String) -> BanyanError {
        BanyanError(.corruptObject, "EWAH bitmap \(detail)")
    }
}
