#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The entries of one append pack file, read by offset.
///
/// An append pack holds whole objects and OFS_DELTA entries (a tree stored
/// as a delta against its previous version, see `Delta.fromEdit`). Reading
/// an entry resolves its delta chain iteratively, helped by a small cache of
/// recently resolved objects; chains are capped at `maxDepth` by the writer.
/// Not thread-safe: its owner serializes access.
struct AppendPackFile {
    /// One decoded entry: a whole object, or a delta against an earlier entry.
    enum Payload {
        case object(RawObject)
        case delta(baseOffset: UInt64, delta: [UInt8])
    }

    /// The longest delta chain the writer makes.
    static let maxDepth = 50

    let file: String
    let algorithm: HashAlgorithm
    /// The start offset of every known entry, ascending: entries are
    /// contiguous, so each one ends where the next starts (the last at `end`).
    private var starts: [UInt64] = []
    /// The end offset of the last known entry.
    private var end: UInt64 = 0
    /// Recently resolved objects by entry offset.
    private var cache = GenerationalCache<UInt64, RawObject>(capacity: 8 << 20) { $0.body.count + 64 }

    init(file: String, algorithm: HashAlgorithm) {
        self.file = file
        self.algorithm = algorithm
    }

    /// Records the entry from `offset` to `end` (its bytes are in the file, or
    /// about to be) and, when known, the object it holds. Entries are
    /// recorded in file order; recording at or before an entry recorded
    /// earlier forgets that one and all after it (a write that failed).
    mutating func record(offset: UInt64, end: UInt64, object: RawObject?) {
        while let last = starts.last, last >= offset { starts.removeLast() }
        starts.append(offset)
        self.end = end
        if let object { cache.insert(object, for: offset) }
    }

    /// Drops the object at `offset` from the cache: it was the base of an
    /// edit, and the next edit will start from the newer version.
    mutating func forget(_ offset: UInt64) {
        cache.remove(offset)
    }

    /// The end offset of the entry starting at `offset`, or nil when no entry starts there.
    private func end(ofEntryAt offset: UInt64) -> UInt64? {
        var low = 0, high = starts.count
        while low < high {
            let mid = (low + high) / 2
            if starts[mid] < offset { low = mid + 1 } else { high = mid }
        }
        guard low < starts.count, starts[low] == offset else { return nil }
        return low + 1 < starts.count ? starts[low + 1] : end
    }

    /// The object of the entry at `offset`, resolving deltas through `fd`.
    mutating func object(at offset: UInt64, fd: Int32) throws -> RawObject {
        var deltas: [[UInt8]] = []
        var current = offset
        var base: RawObject
        while true {
            if let cached = cache.get(current) {
                base = cached
                break
            }
            guard let end = end(ofEntryAt: current), deltas.count <= Self.maxDepth * 4 else {
                throw BanyanError(.corruptObject, "append pack \(file) has no entry at offset \(current) for a delta base")
            }
            let bytes = try Posix.read(fd, at: current, count: Int(end - current), path: file)
            let decoded = try bytes.withUnsafeBytes { try Self.decode($0, at: current, algorithm: algorithm, file: file) }
            switch decoded.payload {
            case .object(let object):
                base = object
            case .delta(let baseOffset, let delta):
                deltas.append(delta)
                current = baseOffset
                continue
            }
            break
        }
        for delta in deltas.reversed() {
            base = RawObject(kind: base.kind, body: try Delta.apply(base: base.body, delta: delta))
        }
        if !deltas.isEmpty { cache.insert(base, for: offset) }
        return base
    }

    /// Decodes the entry at the start of `bytes` (read from `offset`): its
    /// type-and-size header, an OFS_DELTA base offset, and the zlib data.
    /// Returns the payload and the entry's length in bytes.
    static func decode(
        _ raw: UnsafeRawBufferPointer, at offset: UInt64, algorithm: HashAlgorithm, file: String
    ) throws -> (payload: Payload, length: Int) {
        do {
            func damaged(_ reason: String) -> BanyanError {
                BanyanError(.corruptObject, "append pack \(file) has a damaged entry at offset \(offset): \(reason)")
            }
            guard !raw.isEmpty else { throw damaged("it is empty") }
            var position = 0
            var byte = raw[0]
            position = 1
            let code = (byte >> 4) & 7
            var size = Int(byte & 0x0f)
            var shift = 4
            while byte & 0x80 != 0 {
                guard position < raw.count, shift <= 56 else { throw damaged("its header is truncated") }
                byte = raw[position]
                position += 1
                size |= Int(byte & 0x7f) << shift
                shift += 7
            }
            var baseOffset: UInt64?
            if code == 6 {
                guard position < raw.count else { throw damaged("its base offset is truncated") }
                byte = raw[position]
                position += 1
                var distance = UInt64(byte & 0x7f)
                while byte & 0x80 != 0 {
                    guard position < raw.count, distance < UInt64.max >> 8 else { throw damaged("its base offset is truncated") }
                    byte = raw[position]
                    position += 1
                    distance = ((distance + 1) << 7) | UInt64(byte & 0x7f)
                }
                guard distance > 0, distance <= offset - 12 else { throw damaged("its base lies outside the pack") }
                baseOffset = offset - distance
            } else if ObjectKind(packCode: code) == nil {
                throw damaged("type \(code) is not a whole object or an OFS_DELTA")
            }
            let (data, consumed) = try Zlib.inflate(UnsafeRawBufferPointer(rebasing: raw[position...]), limit: size, sizeHint: size)
            guard data.count == size else { throw damaged("it inflates to \(data.count) bytes, not \(size)") }
            let length = position + consumed
            if let baseOffset { return (.delta(baseOffset: baseOffset, delta: data), length) }
            // The code was checked above.
            return (.object(RawObject(kind: ObjectKind(packCode: code)!, body: data)), length)
        }
    }
}
