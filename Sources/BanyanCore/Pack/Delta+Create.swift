extension Delta {
    /// Makes a git delta that rebuilds `target` from `base`, or nil when it
    /// would be larger than `maxSize` bytes (by default half the target).
    ///
    /// Builds a `DeltaIndex` of `base` each call; to try one base against
    /// many targets, build the index once and call `DeltaIndex.delta(to:maxSize:)`.
    public static func create(base: [UInt8], target: [UInt8], maxSize: Int? = nil) -> [UInt8]? {
        DeltaIndex(base: base).delta(to: target, maxSize: maxSize ?? target.count / 2)
    }
}

/// A hash index of a delta base, reusable for many targets.
///
/// The base is cut into 16-byte blocks; each block's rolling hash goes into
/// a chained hash table (runs of identical blocks are indexed once). Making a
/// delta rolls the same hash over every target position, looks candidates
/// up, extends the longest match forward and then backward over pending
/// literal bytes, as Git's `diff-delta.c` does. Building costs O(base) time
/// and about 12 bytes per block plus the table; a delta costs O(target)
/// with at most 64 candidates per position. Immutable and `Sendable`; a
/// class, so a search that keeps indexes in its window shares one, not
/// its five tables.
public final class DeltaIndex: Sendable {
    static let block = 16
    static let multiplier: UInt32 = 0x0100_0193
    static let maxCandidates = 64
    /// A match this long is taken without looking at further candidates.
    static let goodEnough = 4096

    /// The base the index describes.
    public let base: [UInt8]
    private let shift: UInt32
    private let heads: [Int32]
    private let next: [Int32]
    private let entryOffsets: [Int32]
    private let entryHashes: [UInt32]

    /// Indexes `base`. Bases of 2 GiB or more are not indexed: deltas against them are all literals.
    public init(base: [UInt8]) {
        self.base = base
        let blocks = base.count < Int(Int32.max) ? base.count / Self.block : 0
        var bits: UInt32 = 4
        while (1 << bits) < blocks { bits += 1 }
        shift = 32 - bits
        var heads = [Int32](repeating: -1, count: 1 << Int(bits))
        var next: [Int32] = [], offsets: [Int32] = [], hashes: [UInt32] = []
        next.reserveCapacity(blocks)
        offsets.reserveCapacity(blocks)
        hashes.reserveCapacity(blocks)
        base.withUnsafeBytes { bytes in
            var previous: UInt32? = nil
            // Backwards, so that each chain lists the lowest offsets first.
            for block in stride(from: blocks - 1, through: 0, by: -1) {
                let offset = block * Self.block
                let hash = Self.hash(bytes.baseAddress! + offset)
                if hash == previous, let last = offsets.indices.last {
                    offsets[last] = Int32(offset)
                    continue
                }
                previous = hash
                let bucket = Int(Self.bucket(hash, shift: 32 - bits))
                next.append(heads[bucket])
                offsets.append(Int32(offset))
                hashes.append(hash)
                heads[bucket] = Int32(offsets.count - 1)
            }
        }
        self.heads = heads
        self.next = next
        entryOffsets = offsets
        entryHashes = hashes
    }

    @inline(__always)
    static func hash(_ pointer: UnsafeRawPointer) -> UInt32 {
        var hash: UInt32 = 0
        for i in 0..<block { hash = hash &* multiplier &+ UInt32(pointer.load(fromByteOffset: i, as: UInt8.self)) }
        return hash
    }

    @inline(__always)
    static func bucket(_ hash: UInt32, shift: UInt32) -> UInt32 {
        (hash &* 0x9e37_79b1) >> shift
    }

    /// `multiplier` to the power 15: the weight of the byte leaving the rolling window.
    static let outgoingWeight: UInt32 = {
        var weight: UInt32 = 1
        for _ in 1..<block { weight = weight &* multiplier }
        return weight
    }()

    /// A delta from `base` to `target`, or nil when it would be larger than `maxSize` bytes.
    ///
    /// O(target.count) time; the output is the only allocation.
    public func delta(to target: [UInt8], maxSize: Int) -> [UInt8]? {
        guard maxSize > 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(min(maxSize, target.count) + 32)
        Delta.appendSize(base.count, to: &output)
        Delta.appendSize(target.count, to: &output)
        let completed: Bool = base.withUnsafeBytes { base in
            target.withUnsafeBytes { target in
                heads.withUnsafeBufferPointer { heads in
                    next.withUnsafeBufferPointer { next in
                        entryOffsets.withUnsafeBufferPointer { entryOffsets in
                            entryHashes.withUnsafeBufferPointer { entryHashes in
                                let tables = Tables(heads: heads, next: next, offsets: entryOffsets, hashes: entryHashes)
                                return encode(base: base, target: target, tables: tables, maxSize: maxSize, into: &output)
                            }
                        }
                    }
                }
            }
        }
        return completed ? output : nil
    }

    /// The hash table, borrowed without bounds checks for the inner loop.
    private struct Tables {
        var heads: UnsafeBufferPointer<Int32>
        var next: UnsafeBufferPointer<Int32>
        var offsets: UnsafeBufferPointer<Int32>
        var hashes: UnsafeBufferPointer<UInt32>
    }

    private func encode(
        base: UnsafeRawBufferPointer, target: UnsafeRawBufferPointer, tables: Tables, maxSize: Int,
        into output: inout [UInt8]
    ) -> Bool {
        let count = target.count
        let block = Self.block
        var literalStart = 0
        var position = 0
        var hash: UInt32 = count >= block ? Self.hash(target.baseAddress!) : 0
        let canMatch = !tables.offsets.isEmpty
        while position + block <= count {
            var bestLength = 0, bestOffset = 0
            if canMatch {
                var entry = Int(tables.heads[Int(Self.bucket(hash, shift: shift))])
                var tries = 0
                while entry >= 0 && tries < Self.maxCandidates {
                    if tables.hashes[entry] == hash {
                        let offset = Int(tables.offsets[entry])
                        let length = SharedBytes.prefix(base.baseAddress! + offset, target.baseAddress! + position,
                                                      limit: min(base.count - offset, count - position))
                        if length > bestLength {
                            bestLength = length
                            bestOffset = offset
                            if length >= Self.goodEnough { break }
                        }
                    }
                    entry = Int(tables.next[entry])
                    tries += 1
                }
            }
            if bestLength >= block {
                while bestOffset > 0, position > literalStart, base[bestOffset - 1] == target[position - 1] {
                    bestOffset -= 1
                    position -= 1
                    bestLength += 1
                }
                Self.appendLiterals(target, literalStart..<position, to: &output)
                Self.appendCopies(offset: bestOffset, length: bestLength, to: &output)
                position += bestLength
                literalStart = position
                if output.count > maxSize { return false }
                if position + block <= count { hash = Self.hash(target.baseAddress! + position) }
            } else {
                if position + block < count {
                    hash = (hash &- UInt32(target[position]) &* Self.outgoingWeight) &* Self.multiplier
                        &+ UInt32(target[position + block])
                }
                position += 1
                // Pending literals cost their length plus one opcode per 127 bytes.
                let pending = position - literalStart
                if output.count + pending + pending / Delta.maxInsert > maxSize { return false }
            }
        }
        Self.appendLiterals(target, literalStart..<count, to: &output)
        return output.count <= maxSize
    }

    static func appendLiterals(_ target: UnsafeRawBufferPointer, _ range: Range<Int>, to output: inout [UInt8]) {
        var start = range.lowerBound
        while start < range.upperBound {
            let size = min(Delta.maxInsert, range.upperBound - start)
            output.append(UInt8(size))
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: target[start..<(start + size)]))
            start += size
        }
    }

    static func appendCopies(offset: Int, length: Int, to output: inout [UInt8]) {
        var offset = offset, remaining = length
        while remaining > 0 {
            let size = min(Delta.maxCopy, remaining)
            let opcodeIndex = output.count
            var opcode: UInt8 = 0x80
            output.append(0)
            for i in 0..<4 {
                let byte = UInt8(truncatingIfNeeded: offset >> (8 * i))
                if byte != 0 { output.append(byte); opcode |= 1 << i }
            }
            // A size of 0x10000 is encoded as no size bytes at all.
            if size != Delta.maxCopy {
                for i in 0..<3 {
                    let byte = UInt8(truncatingIfNeeded: size >> (8 * i))
                    if byte != 0 { output.append(byte); opcode |= 1 << (4 + i) }
                }
            }
            output[opcodeIndex] = opcode
            offset += size
            remaining -= size
        }
    }
}
