import CZlib

/// A zlib stream for a small input, made without zlib's per-stream set-up.
///
/// Most pack entries are small (a blob of a few hundred bytes, a delta, a
/// commit), and for them zlib's fixed cost (resetting its state, building
/// Huffman trees for one short block) is most of the work. This writes the
/// same format directly: one final block with the fixed Huffman codes of
/// RFC 1951, greedy LZ77 matching through a small hash table, and the
/// Adler-32 trailer of RFC 1950. Any inflater (git's included) reads it.
struct SmallDeflate {
    /// Inputs up to this many bytes are compressed here; longer ones by zlib,
    /// whose dynamic Huffman codes pay for their header from about here on.
    static let maxInput = 512

    private var table = [Int32](repeating: -1, count: 1 << hashBits)
    private static let hashBits = 10

    /// Appends the zlib stream of `input` (at most `maxInput` bytes) to `output`.
    mutating func compress(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) {
        precondition(input.count <= Self.maxInput)
        var bits = BitWriter()
        output.reserveCapacity(output.count + input.count + input.count / 8 + 16)
        // CMF 0x78 (deflate, 32 KiB window), FLG 0x01 (fastest, check bits).
        output.append(0x78)
        output.append(0x01)
        bits.write(0b011, count: 3, to: &output)  // BFINAL = 1, BTYPE = 01 (fixed codes)
        let count = input.count
        table.withUnsafeMutableBufferPointer { table in
            table.update(repeating: -1)
            var i = 0
            while i + 3 <= count {
                let h = Self.hash(input, i)
                let candidate = Int(table[h])
                table[h] = Int32(i)
                if candidate >= 0 && input[candidate] == input[i] && input[candidate + 1] == input[i + 1]
                    && input[candidate + 2] == input[i + 2] {
                    var length = 3
                    while i + length < count && length < 258 && input[candidate + length] == input[i + length] {
                        length += 1
                    }
                    Self.writeMatch(length: length, distance: i - candidate, bits: &bits, to: &output)
                    // Later matches may start inside this one.
                    var k = i + 1
                    while k < i + length && k + 3 <= count {
                        table[Self.hash(input, k)] = Int32(k)
                        k += 1
                    }
                    i += length
                } else {
                    Self.writeLiteral(Int(input[i]), bits: &bits, to: &output)
                    i += 1
                }
            }
            while i < count {
                Self.writeLiteral(Int(input[i]), bits: &bits, to: &output)
                i += 1
            }
        }
        Self.writeLiteral(256, bits: &bits, to: &output)  // end of block
        bits.flush(to: &output)
        let checksum = UInt32(adler32(1, input.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(count)))
        output.append(UInt8(truncatingIfNeeded: checksum >> 24))
        output.append(UInt8(truncatingIfNeeded: checksum >> 16))
        output.append(UInt8(truncatingIfNeeded: checksum >> 8))
        output.append(UInt8(truncatingIfNeeded: checksum))
    }

    @inline(__always)
    private static func hash(_ input: UnsafeRawBufferPointer, _ i: Int) -> Int {
        let word = UInt32(input[i]) | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2]) << 16
        return Int((word &* 2_654_435_761) >> (32 - UInt32(hashBits)))
    }

    /// Writes literal/length symbol `symbol` with its fixed Huffman code.
    @inline(__always)
    private static func writeLiteral(_ symbol: Int, bits: inout BitWriter, to output: inout [UInt8]) {
        let code = FixedCodes.literals[symbol]
        bits.write(UInt64(code.bits), count: Int(code.length), to: &output)
    }

    private static func writeMatch(length: Int, distance: Int, bits: inout BitWriter, to output: inout [UInt8]) {
        let lengthCode = FixedCodes.lengths[length]
        writeLiteral(257 + Int(lengthCode.symbol), bits: &bits, to: &output)
        if lengthCode.extraBits > 0 {
            bits.write(UInt64(length - Int(FixedCodes.lengthBase[Int(lengthCode.symbol)])), count: Int(lengthCode.extraBits), to: &output)
        }
        let distanceSymbol = FixedCodes.distanceSymbol(distance)
        bits.write(UInt64(FixedCodes.reversed(UInt32(distanceSymbol), length: 5)), count: 5, to: &output)
        let extra = FixedCodes.distanceExtra[distanceSymbol]
        if extra > 0 {
            bits.write(UInt64(distance - Int(FixedCodes.distanceBase[distanceSymbol])), count: Int(extra), to: &output)
        }
    }
}

/// Deflate's bit order: values go in least significant bit first.
private struct BitWriter {
    private var buffer: UInt64 = 0
    private var count = 0

    @inline(__always)
    mutating func write(_ value: UInt64, count bitCount: Int, to output: inout [UInt8]) {
        buffer |= value << UInt64(count)
        count += bitCount
        while count >= 8 {
            output.append(UInt8(truncatingIfNeeded: buffer))
            buffer >>= 8
            count -= 8
        }
    }

    mutating func flush(to output: inout [UInt8]) {
        if count > 0 { output.append(UInt8(truncatingIfNeeded: buffer)) }
        buffer = 0
        count = 0
    }
}

/// The fixed Huffman codes and the length and distance tables of RFC 1951, 3.2.5–3.2.6.
private enum FixedCodes {
    /// Each literal/length symbol's code, bit-reversed for LSB-first output, and its length.
    static let literals: [(bits: UInt32, length: UInt8)] = (0..<288).map { symbol in
        switch symbol {
        case 0...143: (reversed(UInt32(0x30 + symbol), length: 8), 8)
        case 144...255: (reversed(UInt32(0x190 + symbol - 144), length: 9), 9)
        case 256...279: (reversed(UInt32(symbol - 256), length: 7), 7)
        default: (reversed(UInt32(0xC0 + symbol - 280), length: 8), 8)
        }
    }

    static let lengthBase: [UInt16] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
                                       67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase: [UInt16] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
                                         1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra: [UInt8] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10,
                                         11, 11, 12, 12, 13, 13]

    /// For each match length 3...258 (index = length), its length symbol (0-based from 257) and extra bits.
    static let lengths: [(symbol: UInt8, extraBits: UInt8)] = (0...258).map { length in
        guard length >= 3 else { return (0, 0) }
        // Length 258 has its own symbol (285), not 284 with all extra bits set.
        let symbol = length == 258 ? 28 : lengthBase.lastIndex { Int($0) <= length }!
        return (UInt8(symbol), lengthExtra[symbol])
    }

    /// The distance symbol for `distance` (1...32768).
    @inline(__always)
    static func distanceSymbol(_ distance: Int) -> Int {
        var symbol = 0
        while symbol + 1 < distanceBase.count && Int(distanceBase[symbol + 1]) <= distance { symbol += 1 }
        return symbol
    }

    static func reversed(_ value: UInt32, length: Int) -> UInt32 {
        var result: UInt32 = 0
        for i in 0..<length where value & (1 << UInt32(i)) != 0 {
            result |= 1 << UInt32(length - 1 - i)
        }
        return result
    }
}
