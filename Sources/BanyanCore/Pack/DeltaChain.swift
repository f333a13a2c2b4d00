/// Resolves one object's delta chain: the one resolver of pack reads, for
/// sealed packs (`PackReader`) and open append packs alike.
///
/// The chain is followed entry by entry down to a whole object (or one a
/// cache holds), then its deltas are applied from there back up, in a loop:
/// depth is bounded by memory, not by the stack. Generic over what a link
/// keeps of its delta (the delta itself, or where to inflate it from), and
/// inlinable, so each reader gets it specialized.
package enum DeltaChain {
    /// What reading one entry of a chain finds.
    package enum Link<Stored> {
        /// A whole object: the chain's base.
        case whole(RawObject)
        /// A delta on the entry at offset `base`.
        case delta(Stored, base: Int)
        /// A delta on an object found outside the pack (a REF_DELTA's base).
        case deltaOn(Stored, base: RawObject)
    }

    /// The object of the entry at `start`.
    ///
    /// - Parameters:
    ///   - limit: the largest object a delta may produce.
    ///   - cached: a resolved object at an offset, when a cache holds one;
    ///     the chain stops there.
    ///   - read: the entry at an offset.
    ///   - delta: the delta bytes of the link at an offset.
    ///   - resolved: hears each object the chain resolves on the way up with
    ///     its entry's offset, the whole object at its bottom included (when
    ///     there are deltas on it), for a cache.
    /// - Throws: `corruptObject` for a chain that comes back to an entry it
    ///   passed, and for a delta that does not apply (its message naming the
    ///   delta's offset); `limitExceeded` for a result above `limit`; what
    ///   `read` and `delta` throw.
    @inlinable
    package static func resolve<Stored>(
        at start: Int, limit: Int,
        cached: (Int) -> RawObject?,
        read: (Int) throws -> Link<Stored>,
        delta: (Int, Stored) throws -> [UInt8],
        resolved: (Int, RawObject) -> Void
    ) throws -> RawObject {
        // Delta entries from the requested object down towards its base, applied in reverse.
        var chain: [(offset: Int, delta: Stored)] = []
        var current = start
        var base: RawObject
        while true {
            if let hit = cached(current) {
                base = hit
                break
            }
            // Every entry visited so far is in the chain: no set to allocate
            // for each object read, and chains are short (git's depth is 50).
            guard !chain.contains(where: { $0.offset == current }) else {
                throw BanyanError(.corruptObject, "delta chain loops back to the entry at offset \(current)")
            }
            switch try read(current) {
            case .whole(let object):
                base = object
                if !chain.isEmpty { resolved(current, object) }
            case .delta(let link, let next):
                chain.append((current, link))
                current = next
                continue
            case .deltaOn(let link, let object):
                chain.append((current, link))
                base = object
            }
            break
        }
        for (offset, link) in chain.reversed() {
            let instructions = try delta(offset, link)
            let body: [UInt8]
            do {
                body = try Delta.apply(base: base.body, delta: instructions, limit: limit)
            } catch let error as BanyanError {
                throw BanyanError(error.code, "delta at offset \(offset): \(error.message)")
            }
            base = RawObject(kind: base.kind, body: body)
            resolved(offset, base)
        }
        return base
    }
}
