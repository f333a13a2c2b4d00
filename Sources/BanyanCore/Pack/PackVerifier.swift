/// Checks a pack against its index, as `git verify-pack` does: the pack's
/// trailer checksum, every object's hash (deltas resolved), that the index
/// lists exactly the pack's objects at their offsets, and every entry's CRC-32.
///
/// Cost: one hash over the pack (two when the hash function is detected and
/// turns out to be SHA-256), one inflate per entry, one delta application
/// per delta entry and one hash per object: what indexing the pack costs.
package enum PackVerifier {
    /// One entry of a verified pack, as `git verify-pack -v` lists it.
    package struct Object: Sendable, Hashable {
        /// The object's id.
        package var id: ObjectID
        /// The object's kind (the kind of the object a delta resolves to).
        package var kind: ObjectKind
        /// The size in the entry's header: the object's size for a whole
        /// object, the delta's size for a delta entry (what git prints).
        package var size: Int
        /// The entry's bytes in the pack: header, base reference and zlib data.
        package var sizeInPack: Int
        /// Where the entry starts.
        package var offset: UInt64
        /// Deltas between this entry and a whole object: 0 for a whole object.
        package var depth: Int
        /// The id of the delta's base; nil for a whole object.
        package var base: ObjectID?
    }

    /// What a successful verification found.
    package struct Report: Sendable {
        /// The hash function of the pack.
        package var algorithm: HashAlgorithm
        /// The pack's checksum (its trailer and name).
        package var checksum: ObjectID
        /// Every entry, in pack order.
        package var objects: [Object]

        /// How many entries are whole objects.
        package var nonDeltaCount: Int { objects.count { $0.depth == 0 } }

        /// Delta entries per chain length (1 = a delta on a whole object), ascending.
        package var chainLengths: [(length: Int, count: Int)] {
            var counts: [Int: Int] = [:]
            for object in objects where object.depth > 0 { counts[object.depth, default: 0] += 1 }
            return counts.sorted { $0.key < $1.key }.map { (length: $0.key, count: $0.value) }
        }
    }

    /// Verifies `pack` against `index`.
    ///
    /// `algorithm` nil detects the hash function from the pack's trailer
    /// (SHA-1 or SHA-256, whichever the trailer is the hash of). Throws
    /// `corruptObject` with a message naming the first problem: a trailer
    /// that is no checksum of the pack, a damaged entry or delta, an index
    /// whose own checksum or tables are wrong, an index that describes
    /// another pack or lists other objects or offsets, or a CRC-32 mismatch;
    /// `unsupported` for index version 1 or a pack version other than 2 and 3.
    package static func verify(
        pack: UnsafeRawBufferPointer, index: UnsafeRawBufferPointer, algorithm: HashAlgorithm? = nil
    ) throws -> Report {
        let algorithm = try algorithm ?? detectAlgorithm(pack: pack)
        let indexed = try PackIndexer.index(pack: pack, algorithm: algorithm)
        let parsed: PackIndex
        do {
            parsed = try PackIndex(ByteStorage(unsafeBytes: index, deallocator: nil), algorithm: algorithm)
        } catch let error as BanyanError {
            throw BanyanError(error.code, "index: \(error.message)", cause: error)
        }
        guard parsed.packChecksum == indexed.checksum else {
            throw BanyanError(.corruptObject, "the index describes pack \(parsed.packChecksum), but this pack's checksum is \(indexed.checksum)")
        }
        guard parsed.count == indexed.entries.count else {
            throw BanyanError(.corruptObject, "the index lists \(parsed.count) objects but the pack holds \(indexed.entries.count)")
        }
        var idAtOffset: [UInt64: ObjectID] = [:]
        idAtOffset.reserveCapacity(indexed.entries.count)
        for entry in indexed.entries {
            guard let position = parsed.position(of: entry.id) else {
                throw BanyanError(.corruptObject, "object \(entry.id) at offset \(entry.offset) is in the pack but not in the index")
            }
            let recorded = parsed.entry(at: position)
            guard recorded.offset == entry.offset else {
                throw BanyanError(.corruptObject, "the index puts object \(entry.id) at offset \(recorded.offset), but the pack has it at \(entry.offset)")
            }
            guard recorded.crc32 == entry.crc32 else {
                throw BanyanError(.corruptObject, "CRC-32 mismatch for object \(entry.id) at offset \(entry.offset): the index says \(hex32(recorded.crc32)), the entry's bytes give \(hex32(entry.crc32))")
            }
            idAtOffset[entry.offset] = entry.id
        }
        let entriesEnd = pack.count - algorithm.digestLength
        var objects: [Object] = []
        objects.reserveCapacity(indexed.entries.count)
        for (number, entry) in indexed.entries.enumerated() {
            let header = try PackEntryHeader.parse(pack, at: Int(entry.offset), end: entriesEnd, algorithm: algorithm)
            let base: ObjectID?
            switch header.kind {
            case .object: base = nil
            case .ofsDelta(let offset): base = idAtOffset[UInt64(offset)]
            case .refDelta(let id): base = id
            }
            let next = number + 1 < indexed.entries.count ? Int(indexed.entries[number + 1].offset) : entriesEnd
            objects.append(Object(id: entry.id, kind: entry.kind, size: header.size, sizeInPack: next - Int(entry.offset),
                                  offset: entry.offset, depth: entry.depth, base: base))
        }
        return Report(algorithm: algorithm, checksum: indexed.checksum, objects: objects)
    }

    /// The hash function whose checksum of `pack` (all but its trailer) is its trailer.
    ///
    /// Throws `corruptObject` when neither SHA-1 nor SHA-256 matches (the
    /// pack is damaged or truncated).
    package static func detectAlgorithm(pack: UnsafeRawBufferPointer) throws -> HashAlgorithm {
        for algorithm in [HashAlgorithm.sha1, .sha256] where pack.count >= PackFormat.headerLength + algorithm.digestLength {
            let end = pack.count - algorithm.digestLength
            if PackBytes.checksum(UnsafeRawBufferPointer(rebasing: pack[..<end]), algorithm) == PackBytes.id(pack, end, algorithm) {
                return algorithm
            }
        }
        throw BanyanError(.corruptObject, "pack checksum mismatch: the trailer is neither the SHA-1 nor the SHA-256 of the pack's bytes (damaged or truncated)")
    }

    private static func hex32(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
