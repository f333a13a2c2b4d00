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

    /// The object of the entry at `offset`, resolving deltas through `fd`
    /// (`DeltaChain`, the pack reader's resolver).
    mutating func object(at offset: UInt64, fd: Int32) throws -> RawObject {
        // The writer caps chains at `maxDepth`; a longer one is damage, not to be followed far.
        var depth = 0
        return try DeltaChain.resolve(
            at: Int(offset), limit: Zlib.defaultInflateLimit,
            cached: { cache.get(UInt64($0)) },
            read: { current -> DeltaChain.Link<[UInt8]> in
                guard let end = end(ofEntryAt: UInt64(current)), depth <= Self.maxDepth * 4 else {
                    throw BanyanError(.corruptObject, "append pack \(file) has no entry at offset \(current) for a delta base")
                }
                depth += 1
                let bytes = try Posix.read(fd, at: UInt64(current), count: Int(end) - current, path: file)
                switch try bytes.withUnsafeBytes({ try Self.decode($0, at: UInt64(current), algorithm: algorithm, file: file) }).payload {
                case .object(let object): return .whole(object)
                case .delta(let base, let delta): return .delta(delta, base: Int(base))
                }
            },
            delta: { _, delta in delta },
            resolved: { resolvedOffset, object in
                // Only the object asked for: the chain's bases are the writer's to keep.
                if resolvedOffset == Int(offset) { cache.insert(object, for: offset) }
            }
        )
    }

    /// Decodes the entry at the start of `bytes` (read from `offset`): its
    /// header (`PackEntryHeader`, the pack codec's parser), which must be a
    /// whole object's or an OFS_DELTA's, and the zlib data.
    /// Returns the payload and the entry's length in bytes.
    static func decode(
        _ raw: UnsafeRawBufferPointer, at offset: UInt64, algorithm: HashAlgorithm, file: String
    ) throws -> (payload: Payload, length: Int) {
        func damaged(_ reason: String) -> BanyanError {
            BanyanError(.corruptObject, "append pack \(file) has a damaged entry at offset \(offset): \(reason)")
        }
        let header: PackEntryHeader
        do {
            header = try PackEntryHeader.parse(raw, at: 0, end: raw.count, entryOffset: Int(offset), algorithm: algorithm)
        } catch let error as BanyanError {
            throw damaged(error.message)
        }
        let (data, consumed) = try Zlib.inflate(UnsafeRawBufferPointer(rebasing: raw[header.dataStart...]),
                                                limit: header.size, sizeHint: header.size)
        guard data.count == header.size else { throw damaged("it inflates to \(data.count) bytes, not \(header.size)") }
        let length = header.dataStart + consumed
        switch header.kind {
        case .object(let kind): return (.object(RawObject(kind: kind, body: data)), length)
        case .ofsDelta(let base): return (.delta(baseOffset: UInt64(base), delta: data), length)
        case .refDelta: throw damaged("a REF_DELTA is not a whole object or an OFS_DELTA")
        }
    }
}
