import CZlib

/// Byte-level helpers shared by the pack codecs: big-endian loads and
/// stores, CRC-32, and the error-context wrapper.
enum PackBytes {
    /// The big-endian 32-bit value at `offset`; the caller has bounds-checked.
    @inline(__always)
    static func uint32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// The big-endian 64-bit value at `offset`; the caller has bounds-checked.
    @inline(__always)
    static func uint64(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    static func appendUInt32(_ value: UInt32, to buffer: inout [UInt8]) {
        buffer.append(UInt8(truncatingIfNeeded: value >> 24))
        buffer.append(UInt8(truncatingIfNeeded: value >> 16))
        buffer.append(UInt8(truncatingIfNeeded: value >> 8))
        buffer.append(UInt8(truncatingIfNeeded: value))
    }

    static func appendUInt64(_ value: UInt64, to buffer: inout [UInt8]) {
        appendUInt32(UInt32(truncatingIfNeeded: value >> 32), to: &buffer)
        appendUInt32(UInt32(truncatingIfNeeded: value), to: &buffer)
    }

    /// Compares `length` bytes at `a` and `b` as unsigned big-endian strings: <0, 0 or >0, like `memcmp`.
    @inline(__always)
    static func compare(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ length: Int) -> Int {
        var i = 0
        while i + 8 <= length {
            let x = UInt64(bigEndian: a.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let y = UInt64(bigEndian: b.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            if x != y { return x < y ? -1 : 1 }
            i += 8
        }
        while i < length {
            let x = a.load(fromByteOffset: i, as: UInt8.self), y = b.load(fromByteOffset: i, as: UInt8.self)
            if x != y { return x < y ? -1 : 1 }
            i += 1
        }
        return 0
    }

    /// The position of `id` in a sorted table of ids that starts at `ids`,
    /// found through the 256-entry fan-out at `fanout` (the layout of `.idx`
    /// and multi-pack-index files), or nil. O(log n), no allocation; the
    /// caller has validated both tables.
    static func position(of id: ObjectID, in bytes: UnsafeRawBufferPointer, fanout: Int, ids: Int) -> Int? {
        let hashLength = id.algorithm.digestLength
        let bucket = Int(id.firstByte)
        var low = bucket == 0 ? 0 : Int(uint32(bytes, fanout + 4 * (bucket - 1)))
        var high = Int(uint32(bytes, fanout + 4 * bucket))
        return id.withUnsafeBytes { key in
            while low < high {
                let middle = (low + high) / 2
                let order = compare(bytes.baseAddress! + ids + middle * hashLength, key.baseAddress!, hashLength)
                if order == 0 { return middle }
                if order < 0 { low = middle + 1 } else { high = middle }
            }
            return nil
        }
    }

    /// zlib's CRC-32 of `bytes`, continuing from `crc`.
    static func crc32(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var value = uLong(crc)
        var rest = bytes
        while !rest.isEmpty {
            let chunk = min(rest.count, 1 << 30)
            value = CZlib.crc32(value, rest.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(chunk))
            rest = UnsafeRawBufferPointer(rebasing: rest[chunk...])
        }
        return UInt32(truncatingIfNeeded: value)
    }

    /// The id-sized value (checksum or object id) at `offset`; the caller has bounds-checked.
    static func id(_ bytes: UnsafeRawBufferPointer, _ offset: Int, _ algorithm: HashAlgorithm) -> ObjectID {
        ObjectID(digest: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + algorithm.digestLength)]),
                 algorithm: algorithm)
    }

    /// The hash of `bytes` as a pack or index checksum.
    static func checksum(_ bytes: UnsafeRawBufferPointer, _ algorithm: HashAlgorithm) -> ObjectID {
        var hasher = HashAlgorithm.Hasher(algorithm)
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Runs `body`, prefixing the message of any `BanyanError` it throws with `context`.
    @inline(__always)
    static func withContext<R>(_ context: @autoclosure () -> String, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as BanyanError {
            throw BanyanError(error.code, "\(context()): \(error.message)")
        }
    }
}
