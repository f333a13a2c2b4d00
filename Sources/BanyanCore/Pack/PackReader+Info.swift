/// An object's type and size read from its entry headers alone, as
/// `git cat-file --batch-check` reads them: nothing is inflated but the
/// first bytes of a delta (its result size), and a delta's type is its
/// chain's base's, found by walking the chain's entry headers.
extension PackReader {
    /// The type and size of `id`, or nil when this pack does not hold it.
    /// Throws as `info(at:)` does.
    public func info(_ id: ObjectID) throws -> (kind: ObjectKind, size: Int)? {
        guard let offset = index.offset(of: id) else { return nil }
        return try info(at: offset)
    }

    /// The type and size of the object whose entry starts at `offset`.
    ///
    /// Throws `corruptObject` for an offset that is not an entry, a chain
    /// that loops or is longer than the pack, a delta whose header does not
    /// read, or a REF_DELTA base found neither in the pack nor through the
    /// base lookup (read whole, then: a thin pack's base is rare here).
    /// Like git's, it does not check that the entries inflate whole.
    public func info(at offset: UInt64) throws -> (kind: ObjectKind, size: Int) {
        try storage.withUnsafeBytes { pack in
            try PackBytes.withContext("pack \(checksum.abbreviated(12)) object at offset \(offset)") {
                guard offset < UInt64(entriesEnd) else {
                    throw BanyanError(.corruptObject, "offset is past the last entry (\(entriesEnd))")
                }
                let first = try PackEntryHeader.parse(pack, at: Int(offset), end: entriesEnd, algorithm: algorithm)
                if case .object(let kind) = first.kind { return (kind, first.size) }
                let size = try deltaResultSize(pack, first, at: Int(offset))
                var current = first
                var at = Int(offset)
                // Each link moves to another entry: more links than entries is a loop.
                for _ in 0...count {
                    switch current.kind {
                    case .object(let kind):
                        return (kind, size)
                    case .ofsDelta(let base):
                        at = base
                    case .refDelta(let baseID):
                        if let inPack = index.offset(of: baseID) {
                            at = Int(clamping: inPack)
                        } else if let external = try baseLookup?(baseID) {
                            return (external.kind, size)
                        } else {
                            throw BanyanError(.corruptObject, "REF_DELTA base \(baseID) of the entry at offset \(at) is neither in the pack nor found elsewhere")
                        }
                    }
                    current = try PackEntryHeader.parse(pack, at: at, end: entriesEnd, algorithm: algorithm)
                }
                throw BanyanError(.corruptObject, "the delta chain from offset \(offset) comes back to an entry it passed")
            }
        }
    }

    /// The size of the object a delta entry makes, from the delta's header.
    private func deltaResultSize(_ pack: UnsafeRawBufferPointer, _ header: PackEntryHeader, at offset: Int) throws -> Int {
        let data = UnsafeRawBufferPointer(rebasing: pack[header.dataStart..<entriesEnd])
        // Two sizes of at most 10 bytes each (63 bits, 7 a byte).
        let prefix = try PackBytes.withContext("entry at offset \(offset)") {
            try PackInflater().inflatePrefix(data, count: min(20, header.size))
        }
        return try prefix.withUnsafeBytes { try Delta.header(of: $0).resultSize }
    }
}
