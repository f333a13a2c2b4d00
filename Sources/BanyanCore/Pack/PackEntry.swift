/// The pack file's fixed parts: the 12-byte header and entry headers.
enum PackFormat {
    static let signature: [UInt8] = Array("PACK".utf8)
    static let headerLength = 12
    static let ofsDeltaCode: UInt8 = 6
    static let refDeltaCode: UInt8 = 7

    /// Checks the pack header and returns (version, object count).
    static func parseHeader(_ pack: UnsafeRawBufferPointer, algorithm: HashAlgorithm) throws -> (version: UInt32, count: Int) {
        guard pack.count >= headerLength + algorithm.digestLength else {
            throw BanyanError(.corruptObject, "pack is \(pack.count) bytes, too short for a header and trailer")
        }
        guard pack[0] == signature[0], pack[1] == signature[1], pack[2] == signature[2], pack[3] == signature[3] else {
            throw BanyanError(.corruptObject, "pack does not start with the signature 'PACK'")
        }
        let version = PackBytes.uint32(pack, 4)
        guard version == 2 || version == 3 else {
            throw BanyanError(.unsupported, "pack version \(version) is not supported (only 2 and 3)")
        }
        return (version, Int(PackBytes.uint32(pack, 8)))
    }

    /// The 12-byte header of a version 2 pack holding `count` objects.
    static func header(count: UInt32) -> [UInt8] {
        var header = signature
        PackBytes.appendUInt32(2, to: &header)
        PackBytes.appendUInt32(count, to: &header)
        return header
    }
}

/// One parsed entry header: what the entry is, its declared size, where its
/// zlib data starts. The one parser of entry headers, for sealed packs,
/// received packs and open append packs.
package struct PackEntryHeader {
    package enum Kind: Equatable {
        case object(ObjectKind)
        case ofsDelta(base: Int)
        case refDelta(base: ObjectID)
    }

    package var kind: Kind
    /// Inflated size: the object's size, or the delta's for delta entries.
    package var size: Int
    /// Offset of the zlib data in the bytes parsed.
    package var dataStart: Int

    /// Parses the entry header at `offset` of a whole pack; entries must end before `end` (the trailer).
    ///
    /// Throws `corruptObject` for reserved types, overlong sizes, offsets
    /// before the pack header and headers running past `end`.
    static func parse(_ pack: UnsafeRawBufferPointer, at offset: Int, end: Int, algorithm: HashAlgorithm) throws -> PackEntryHeader {
        try parse(pack, at: offset, end: end, entryOffset: offset, algorithm: algorithm)
    }

    /// Parses the entry header at `start` of `bytes`, part of a pack read
    /// into memory, whose own offset in the pack is `offset` (what an
    /// OFS_DELTA's base is counted back from); the header must end before
    /// `end`. `dataStart` is then an index into `bytes`. Throws as the
    /// whole-pack version does.
    package static func parse(
        _ bytes: UnsafeRawBufferPointer, at start: Int, end: Int, entryOffset offset: Int, algorithm: HashAlgorithm
    ) throws -> PackEntryHeader {
        guard offset >= PackFormat.headerLength, start < end else {
            throw BanyanError(.corruptObject, "pack entry offset \(offset) is outside the entries (\(PackFormat.headerLength)..<\(offset - start + end))")
        }
        var position = start
        var byte = bytes[position]
        position += 1
        let code = (byte >> 4) & 7
        var size = Int(byte & 0x0f)
        var shift = 4
        while byte & 0x80 != 0 {
            guard position < end else {
                throw BanyanError(.corruptObject, "pack entry header at offset \(offset) is truncated")
            }
            guard shift <= 56 else {
                throw BanyanError(.corruptObject, "pack entry size at offset \(offset) does not fit 63 bits")
            }
            byte = bytes[position]
            position += 1
            size |= Int(byte & 0x7f) << shift
            shift += 7
        }
        let kind: Kind
        switch code {
        case 1...4:
            kind = .object(ObjectKind(packCode: code)!)
        case PackFormat.ofsDeltaCode:
            // Each continuation byte adds one before shifting, so no value has two encodings.
            guard position < end else {
                throw BanyanError(.corruptObject, "OFS_DELTA base offset at offset \(offset) is truncated")
            }
            byte = bytes[position]
            position += 1
            var distance = Int(byte & 0x7f)
            while byte & 0x80 != 0 {
                guard position < end else {
                    throw BanyanError(.corruptObject, "OFS_DELTA base offset at offset \(offset) is truncated")
                }
                guard distance < (Int.max >> 7) else {
                    throw BanyanError(.corruptObject, "OFS_DELTA base offset at offset \(offset) does not fit 63 bits")
                }
                byte = bytes[position]
                position += 1
                distance = ((distance + 1) << 7) | Int(byte & 0x7f)
            }
            guard distance > 0, distance <= offset - PackFormat.headerLength else {
                throw BanyanError(.corruptObject, "OFS_DELTA at offset \(offset) points \(distance) bytes back, outside the pack")
            }
            kind = .ofsDelta(base: offset - distance)
        case PackFormat.refDeltaCode:
            let length = algorithm.digestLength
            guard length <= end - position else {
                throw BanyanError(.corruptObject, "REF_DELTA base id at offset \(offset) is truncated")
            }
            kind = .refDelta(base: PackBytes.id(bytes, position, algorithm))
            position += length
        default:
            throw BanyanError(.corruptObject, "pack entry at offset \(offset) has invalid type \(code)")
        }
        return PackEntryHeader(kind: kind, size: size, dataStart: position)
    }
}
