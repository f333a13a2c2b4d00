/// Git's delta format: a base size, a result size, then instructions that
/// copy ranges of the base or insert literal bytes.
///
/// `apply` rebuilds an object from its base and a delta, checking every
/// size and range against the input, so a hostile delta can only fail with
/// an error. `create` (see `Delta+Create.swift`) makes deltas git accepts.
public enum Delta {
    /// The largest single copy instruction `create` emits, as Git does.
    static let maxCopy = 0x10000
    /// The largest single insert instruction: seven bits of length.
    static let maxInsert = 0x7f

    /// The base and result sizes at the start of `delta`, and how many bytes they took.
    ///
    /// Throws `corruptObject` when the header is truncated or a size does not fit 63 bits.
    public static func header(of delta: UnsafeRawBufferPointer) throws -> (baseSize: Int, resultSize: Int, length: Int) {
        var position = 0
        let baseSize = try readSize(delta, &position)
        let resultSize = try readSize(delta, &position)
        return (baseSize, resultSize, position)
    }

    /// Rebuilds the object that `delta` describes from `base`.
    ///
    /// O(result size), one allocation. Throws `corruptObject` when the
    /// delta's base size differs from `base.count`, an instruction copies
    /// outside the base, is the reserved instruction 0, is truncated, or the
    /// output does not come to exactly the declared result size; throws
    /// `limitExceeded` when the declared result size is above `limit`.
    public static func apply(
        base: UnsafeRawBufferPointer, delta: UnsafeRawBufferPointer, limit: Int = Zlib.defaultInflateLimit
    ) throws -> [UInt8] {
        let (baseSize, resultSize, headerLength) = try header(of: delta)
        guard baseSize == base.count else {
            throw BanyanError(.corruptObject, "delta expects a base of \(baseSize) bytes but the base has \(base.count)")
        }
        guard resultSize <= limit else {
            throw BanyanError(.limitExceeded, "delta result of \(resultSize) bytes is larger than the \(limit)-byte limit")
        }
        return try [UInt8](exactCount: resultSize) { output in
            try run(base: base, delta: delta, from: headerLength, into: output, resultSize: resultSize)
        }
    }

    /// Rebuilds the object that `delta` describes from `base`; see the pointer version.
    public static func apply(base: [UInt8], delta: [UInt8], limit: Int = Zlib.defaultInflateLimit) throws -> [UInt8] {
        try base.withUnsafeBytes { base in
            try delta.withUnsafeBytes { delta in try apply(base: base, delta: delta, limit: limit) }
        }
    }

    private static func run(
        base: UnsafeRawBufferPointer, delta: UnsafeRawBufferPointer, from start: Int,
        into output: UnsafeMutableBufferPointer<UInt8>, resultSize: Int
    ) throws {
        let end = delta.count
        var position = start
        var written = 0
        while position < end {
            let instructionStart = position
            let instruction = delta[position]
            position += 1
            let source: UnsafeRawPointer
            let size: Int
            if instruction & 0x80 != 0 {
                // Copy: bits 0-3 say which offset bytes follow, bits 4-6 which size bytes.
                var offset = 0, copySize = 0
                for bit in 0..<7 where instruction & (1 << bit) != 0 {
                    guard position < end else {
                        throw BanyanError(.corruptObject, "delta copy instruction at byte \(instructionStart) is truncated")
                    }
                    let byte = Int(delta[position])
                    position += 1
                    if bit < 4 { offset |= byte << (8 * bit) } else { copySize |= byte << (8 * (bit - 4)) }
                }
                size = copySize == 0 ? 0x10000 : copySize
                guard offset <= base.count, size <= base.count - offset else {
                    throw BanyanError(.corruptObject, "delta copies bytes \(offset)..<\(offset + size) from a base of \(base.count) bytes")
                }
                source = base.baseAddress! + offset
            } else if instruction != 0 {
                size = Int(instruction)
                guard size <= end - position else {
                    throw BanyanError(.corruptObject, "delta insert instruction at byte \(instructionStart) is truncated")
                }
                source = delta.baseAddress! + position
                position += size
            } else {
                throw BanyanError(.corruptObject, "delta uses the reserved instruction 0 at byte \(instructionStart)")
            }
            guard size <= resultSize - written else {
                throw BanyanError(.corruptObject, "delta writes past its declared result size of \(resultSize) bytes")
            }
            UnsafeMutableRawPointer(output.baseAddress! + written).copyMemory(from: source, byteCount: size)
            written += size
        }
        guard written == resultSize else {
            throw BanyanError(.corruptObject, "delta produces \(written) bytes but declares \(resultSize)")
        }
    }

    /// Reads one little-endian base-128 size.
    static func readSize(_ bytes: UnsafeRawBufferPointer, _ position: inout Int) throws -> Int {
        var value = 0
        var shift = 0
        while true {
            guard position < bytes.count else {
                throw BanyanError(.corruptObject, "delta header is truncated")
            }
            let byte = bytes[position]
            position += 1
            guard shift <= 56 else {
                throw BanyanError(.corruptObject, "delta header size does not fit 63 bits")
            }
            value |= Int(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// Appends `value` as a little-endian base-128 size.
    static func appendSize(_ value: Int, to buffer: inout [UInt8]) {
        var value = UInt64(value)
        while value >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        buffer.append(UInt8(value))
    }
}
