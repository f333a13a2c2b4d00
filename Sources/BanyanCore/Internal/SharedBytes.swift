/// How many bytes two buffers share at their start or their end, compared
/// eight at a time: the test behind skipping what a tree or a delta target
/// shares with the version it was made from.
package enum SharedBytes {
    /// How many leading bytes `a` and `b` share, up to `limit`.
    @inline(__always)
    package static func prefix(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, limit: Int) -> Int {
        var length = 0
        while length + 8 <= limit {
            let difference = UInt64(littleEndian: a.loadUnaligned(fromByteOffset: length, as: UInt64.self)
                ^ b.loadUnaligned(fromByteOffset: length, as: UInt64.self))
            if difference != 0 { return length + difference.trailingZeroBitCount / 8 }
            length += 8
        }
        while length < limit, a.load(fromByteOffset: length, as: UInt8.self) == b.load(fromByteOffset: length, as: UInt8.self) {
            length += 1
        }
        return length
    }

    /// How many leading bytes `a` and `b` share.
    package static func prefix(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        guard let first = a.baseAddress, let second = b.baseAddress else { return 0 }
        return prefix(first, second, limit: min(a.count, b.count))
    }

    /// How many trailing bytes `a` and `b` share, up to `limit`.
    package static func suffix(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, limit: Int) -> Int {
        guard let first = a.baseAddress, let second = b.baseAddress else { return 0 }
        let limit = min(limit, a.count, b.count)
        let aEnd = first + a.count, bEnd = second + b.count
        var length = 0
        while length + 8 <= limit {
            let difference = UInt64(littleEndian: (aEnd - length - 8).loadUnaligned(as: UInt64.self)
                ^ (bEnd - length - 8).loadUnaligned(as: UInt64.self))
            if difference != 0 { return length + difference.leadingZeroBitCount / 8 }
            length += 8
        }
        while length < limit, (aEnd - length - 1).load(as: UInt8.self) == (bEnd - length - 1).load(as: UInt8.self) {
            length += 1
        }
        return length
    }
}
