import Synchronization

/// A parsed reachability bitmap index (`pack-<hex>.bitmap` beside its pack):
/// for selected commits, the set of every object of the pack reachable from
/// each, so "what does this commit reach" is a lookup instead of a walk.
///
/// Git's format, version 1 (Documentation/technical/bitmap-format.txt):
/// a header (`BITM`, version, flags, entry count, the pack's checksum), four
/// EWAH bitmaps saying which objects are commits, trees, blobs and tags,
/// then per selected commit its index position, an XOR offset, flags and an
/// EWAH bitmap (XORed with the one `offset` entries before when the offset
/// is not 0); optionally a lookup table and a name-hash cache (skipped
/// here); then the file's checksum. Bit `n` is the `n`th object in pack
/// order (`PackOrder`). Only pack bitmaps are read, not a multi-pack-index's.
///
/// Opening validates the header, the pack checksum, every entry's extent
/// and the type bitmaps, and by default hashes the file against its
/// checksum; the commits' bitmaps are expanded when first asked for and
/// kept. Thread-safe.
package final class PackBitmapIndex: Sendable {
    /// The header flags Git defines.
    package struct Flags: OptionSet, Sendable {
        package let rawValue: UInt16
        package init(rawValue: UInt16) { self.rawValue = rawValue }

        /// Required: every object the pack's objects link to is in the pack.
        package static let fullClosure = Flags(rawValue: 0x1)
        /// A name-hash per object follows the entries.
        package static let hashCache = Flags(rawValue: 0x4)
        /// A table of the entries' offsets follows the entries.
        package static let lookupTable = Flags(rawValue: 0x10)
    }

    private struct Entry: Sendable {
        /// The commit's position in the pack index.
        let indexPosition: Int
        /// 0, or how many entries back the one this bitmap is XORed with is.
        let xorOffset: Int
        /// Where the entry's EWAH bitmap starts.
        let bitmapOffset: Int
    }

    /// The first four bytes of the file.
    static let signature: [UInt8] = Array("BITM".utf8)
    /// Entries may XOR against at most this many entries before them.
    static let maximumXOROffset = 160
    /// Bytes of a lookup-table row: commit position, offset, XOR row.
    static let lookupTableRowSize = 16

    /// The index of the pack the bitmaps describe.
    package let index: PackIndex
    /// The pack's objects in pack order: bit `n` is `order.indexPositions[n]`.
    package let order: PackOrder
    /// The header's flags.
    package let flags: Flags
    /// Which objects are commits, trees, blobs and tags.
    package let commits: BitSet
    package let trees: BitSet
    package let blobs: BitSet
    package let tags: BitSet
    /// The commits that have a bitmap, in the file's order.
    package let commitIDs: [ObjectID]

    private let storage: ByteStorage
    private let entries: [Entry]
    private let entryOfCommit: [ObjectID: Int]
    private let expanded = Mutex<[Int: BitSet]>([:])

    /// Parses the bitmap index in `storage` for the pack whose index is
    /// `index`. Throws `corruptObject` for a malformed or damaged file or
    /// one written for another pack, `unsupported` for another version.
    package init(_ storage: ByteStorage, index: PackIndex, order: PackOrder? = nil, verifyChecksum: Bool = true) throws {
        let hashLength = index.algorithm.digestLength
        let bytes = storage.bytes
        let headerSize = 12 + hashLength
        guard bytes.count >= headerSize + hashLength else {
            throw Self.corrupt("is \(bytes.count) bytes, too short for a header and checksum")
        }
        guard bytes.prefix(4).elementsEqual(Self.signature) else { throw Self.corrupt("does not start with 'BITM'") }
        let version = UInt16(bytes[4]) << 8 | UInt16(bytes[5])
        guard version == 1 else {
            throw BanyanError(.unsupported, "bitmap index version \(version) is not supported (only 1)")
        }
        flags = Flags(rawValue: UInt16(bytes[6]) << 8 | UInt16(bytes[7]))
        guard flags.contains(.fullClosure) else { throw Self.corrupt("lacks the required full-closure flag") }
        let entryCount = Int(PackBytes.uint32(bytes, 8))
        let packChecksum = ObjectID(digest: UnsafeRawBufferPointer(rebasing: bytes[12..<headerSize]), algorithm: index.algorithm)
        guard packChecksum == index.packChecksum else {
            throw Self.corrupt("belongs to pack \(packChecksum.hex), not to pack \(index.packChecksum.hex)")
        }
        if verifyChecksum {
            let stored = ObjectID(digest: UnsafeRawBufferPointer(rebasing: bytes[(bytes.count - hashLength)...]),
                                  algorithm: index.algorithm)
            guard index.algorithm.digest(UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - hashLength)])) == stored else {
                throw Self.corrupt("does not match its checksum")
            }
        }
        var end = bytes.count - hashLength
        if flags.contains(.hashCache) {
            guard end - headerSize >= index.count * 4 else { throw Self.corrupt("is too short for its name-hash cache") }
            end -= index.count * 4
        }
        if flags.contains(.lookupTable) {
            guard (end - headerSize) / Self.lookupTableRowSize >= entryCount else {
                throw Self.corrupt("is too short for its lookup table")
            }
            end -= entryCount * Self.lookupTableRowSize
        }

        let order = order ?? PackOrder(index)
        var offset = headerSize
        var types: [BitSet] = []
        for _ in 0..<4 {
            let (set, next) = try EWAH.decode(bytes, at: offset, end: end, count: index.count)
            types.append(set)
            offset = next
        }
        var entries: [Entry] = []
        var entryOfCommit: [ObjectID: Int] = [:]
        entries.reserveCapacity(entryCount)
        for number in 0..<entryCount {
            // Position, XOR offset, flags, then a bitmap of at least its three 32-bit fields.
            guard end - offset >= 6 + 12 else { throw Self.corrupt("ends inside entry \(number) of \(entryCount)") }
            let position = Int(PackBytes.uint32(bytes, offset))
            let xorOffset = Int(bytes[offset + 4])
            guard position < index.count else {
                throw Self.corrupt("entry \(number) names index position \(position) of \(index.count)")
            }
            guard xorOffset <= min(number, Self.maximumXOROffset) else {
                throw Self.corrupt("entry \(number) is XORed with an entry \(xorOffset) before it")
            }
            guard types[0].contains(Int(order.bits[position])) else {
                throw Self.corrupt("entry \(number) is for \(index.id(at: position)), which is not a commit")
            }
            let bitmapOffset = offset + 6
            // Skipped here (its words are read when the commit is asked for): count, words, last-word position.
            let words = Int(PackBytes.uint32(bytes, bitmapOffset + 4))
            guard words <= (end - bitmapOffset - 12) / 8 else { throw Self.corrupt("entry \(number)'s bitmap runs past the end") }
            entryOfCommit[index.id(at: position)] = number
            entries.append(Entry(indexPosition: position, xorOffset: xorOffset, bitmapOffset: bitmapOffset))
            offset = bitmapOffset + 12 + words * 8
        }
        guard offset == end else { throw Self.corrupt("has \(end - offset) bytes after its last entry") }
        var union = BitSet(count: index.count)
        for set in types { union.formUnion(set) }
        guard union.popCount == index.count, types.map(\.popCount).reduce(0, +) == index.count else {
            throw Self.corrupt("type bitmaps do not give each of the \(index.count) objects exactly one type")
        }
        self.storage = storage
        self.index = index
        self.order = order
        (commits, trees, blobs, tags) = (types[0], types[1], types[2], types[3])
        self.entries = entries
        self.entryOfCommit = entryOfCommit
        commitIDs = entries.map { index.id(at: $0.indexPosition) }
    }

    /// The objects reachable from `commit` (itself included), or nil when it
    /// has no bitmap. Throws `corruptObject` for a bitmap that does not decode.
    package func reachable(from commit: ObjectID) throws -> BitSet? {
        guard let number = entryOfCommit[commit] else { return nil }
        return try expand(number)
    }

    /// The bit of `id` (its pack-order position), or nil when the pack lacks it.
    package func bit(of id: ObjectID) -> Int? {
        index.position(of: id).map { Int(order.bits[$0]) }
    }

    /// The id of the object at bit `bit`.
    package func id(ofBit bit: Int) -> ObjectID {
        index.id(at: Int(order.indexPositions[bit]))
    }

    /// The kind of the object at bit `bit`, from the type bitmaps.
    package func kind(ofBit bit: Int) -> ObjectKind {
        if commits.contains(bit) { return .commit }
        if trees.contains(bit) { return .tree }
        if blobs.contains(bit) { return .blob }
        return .tag
    }

    /// The bitmap of entry `number`, XORs undone, from the cache or decoded.
    private func expand(_ number: Int) throws -> BitSet {
        if let known = expanded.withLock({ $0[number] }) { return known }
        // Entries XOR only with earlier ones: undo the chain from its start.
        var chain = [number]
        while entries[chain.last!].xorOffset > 0, expanded.withLock({ $0[chain.last!] }) == nil {
            chain.append(chain.last! - entries[chain.last!].xorOffset)
        }
        var set = expanded.withLock { $0[chain.last!] }
        if set != nil { chain.removeLast() }
        for link in chain.reversed() {
            var decoded = try storage.withUnsafeBytes { bytes in
                try EWAH.decode(bytes, at: entries[link].bitmapOffset, end: bytes.count, count: index.count).set
            }
            if let base = set { decoded.formSymmetricDifference(base) }
            set = decoded
            expanded.withLock { $0[link] = decoded }
        }
        return set!
    }

    private static func corrupt(_ detail: String) -> BanyanError {
        BanyanError(.corruptObject, "bitmap index \(detail)")
    }
}
