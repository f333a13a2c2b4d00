import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension EntryWalk {
    /// The threads worth using for a pack of `count` entries: one per core,
    /// up to two (what index-pack gains from on a small machine), and one
    /// for a small pack, where starting threads costs more than it saves.
    static func threads(for count: Int) -> Int {
        count < 4096 ? 1 : max(1, min(2, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// Resolves every delta, starting from each whole object and following
    /// the entries that use it as a base, with an explicit stack; the trees
    /// under different whole objects go to `threads` threads when no entry
    /// is a REF_DELTA (whose base may be any entry, or none in the pack).
    mutating func resolve(baseLookup: PackIndexer.BaseLookup?, threads: Int) throws {
        var children = try DeltaChildren(slots)
        let resolver = DeltaResolver(pack: pack, algorithm: algorithm, maxObjectSize: maxObjectSize, inspect: inspect)
        if threads > 1 && children.byBaseID.isEmpty {
            let roots = slots.indices.filter { slots[$0].isWhole && !children.byOffset($0).isEmpty }
            try slots.withUnsafeMutableBufferPointer { slots in
                try resolver.resolveInParallel(roots, slots: slots, children: children, threads: threads)
            }
        } else {
            try slots.withUnsafeMutableBufferPointer { slots in
                let inflater = try PackInflater()
                var stack: [DeltaResolver.Pending] = []
                for root in slots.indices where slots[root].isWhole {
                    let waiting = children.take(root, id: slots[root].id!)
                    guard !waiting.isEmpty else { continue }
                    let base = RawObject(kind: slots[root].kind!, body: try resolver.inflateEntry(root, slots: slots, inflater))
                    stack += waiting.map { DeltaResolver.Pending(slot: $0, base: base) }
                    try resolver.drain(&stack, slots: slots, inflater) { children.take($0, id: $1) }
                }
            }
            try resolveExternal(baseLookup: baseLookup, children: &children, resolver: resolver)
        }
        if let stuck = slots.first(where: { $0.id == nil }) {
            throw BanyanError(.corruptObject, "delta at offset \(stuck.offset) could not be resolved: its chain of bases loops")
        }
    }

    /// Resolves what waits on bases outside the pack (a thin pack), or on
    /// nothing at all. Taken in pack order, as git does: a base usually
    /// precedes its deltas, so in-pack bases resolve before anything that
    /// waits on them is looked up elsewhere.
    private mutating func resolveExternal(
        baseLookup: PackIndexer.BaseLookup?, children: inout DeltaChildren, resolver: DeltaResolver
    ) throws {
        guard !children.byBaseID.isEmpty else { return }
        let algorithm = algorithm
        var found: [ObjectID] = []
        try slots.withUnsafeMutableBufferPointer { slots in
            let inflater = try PackInflater()
            var stack: [DeltaResolver.Pending] = []
            for number in slots.indices where slots[number].id == nil {
                guard case .refDelta(let base) = slots[number].header.kind,
                      let waiting = children.byBaseID.removeValue(forKey: base) else { continue }
                guard let baseLookup else {
                    throw BanyanError(.corruptObject, "REF_DELTA at offset \(slots[number].offset) needs base \(base), which is not in the pack")
                }
                let object = try PackBytes.withContext("REF_DELTA at offset \(slots[number].offset)") {
                    try PackIndexer.verifiedBase(base, algorithm: algorithm, baseLookup: baseLookup)
                }
                found.append(base)
                stack += waiting.map { DeltaResolver.Pending(slot: $0, base: object, baseInPack: false) }
                try resolver.drain(&stack, slots: slots, inflater) { children.take($0, id: $1) }
            }
        }
        externalBases += found
    }
}

/// Applies deltas to their resolved bases, hashes and inspects the results:
/// the part of indexing that threads share (each with its own inflater and
/// stack, writing only the entries it resolves). Unchecked `Sendable`: the
/// pack's bytes it points at are only read, and outlive the indexing.
struct DeltaResolver: @unchecked Sendable {
    /// A delta entry waiting to be resolved, with the resolved body of its base.
    struct Pending {
        var slot: Int
        var base: RawObject
        var baseDepth = 0
        /// False for a base that came from `BaseLookup`.
        var baseInPack = true
    }

    let pack: UnsafeRawBufferPointer
    let algorithm: HashAlgorithm
    let maxObjectSize: Int
    let inspect: PackIndexer.Inspector?

    /// Resolves the trees under `roots` on `threads` threads, each taking the
    /// next root as it finishes one; the first error stops them all.
    func resolveInParallel(
        _ roots: [Int], slots: UnsafeMutableBufferPointer<EntryWalk.Slot>, children: DeltaChildren, threads: Int
    ) throws {
        let next = Atomic<Int>(0)
        let failure = Mutex<(any Error)?>(nil)
        let shared = SharedSlots(slots: slots)
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            let slots = shared.slots
            do {
                let inflater = try PackInflater()
                var stack: [Pending] = []
                while failure.withLock({ $0 == nil }) {
                    let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard index < roots.count else { return }
                    let root = roots[index]
                    let base = RawObject(kind: slots[root].kind!, body: try inflateEntry(root, slots: slots, inflater))
                    stack += children.byOffset(root).map { Pending(slot: $0, base: base) }
                    try drain(&stack, slots: slots, inflater) { number, _ in children.byOffset(number) }
                }
            } catch {
                failure.withLock { if $0 == nil { $0 = error } }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Applies queued deltas until the stack is empty; `children` gives the
    /// entries waiting on a resolved one (by number and id).
    func drain(
        _ stack: inout [Pending], slots: UnsafeMutableBufferPointer<EntryWalk.Slot>, _ inflater: PackInflater,
        children: (Int, ObjectID) -> ArraySlice<Int>
    ) throws {
        while let pending = stack.popLast() {
            let number = pending.slot
            let slot = slots[number]
            let delta = try slot.delta ?? inflateEntry(number, slots: slots, inflater)
            let body = try pending.base.body.withUnsafeBytes { base in
                try delta.withUnsafeBytes { delta in
                    try PackBytes.withContext("delta at offset \(slot.offset)") {
                        try Delta.apply(base: base, delta: delta, limit: maxObjectSize)
                    }
                }
            }
            let kind = pending.base.kind
            let id = ObjectID.hash(kind: kind, body: body, algorithm: algorithm)
            slots[number].id = id
            slots[number].kind = kind
            slots[number].size = body.count
            slots[number].depth = pending.baseDepth + 1
            slots[number].delta = nil
            let object = RawObject(kind: kind, body: body)
            try inspect?(object, id, pending.baseInPack ? pending.base : nil)
            for child in children(number, id) {
                stack.append(Pending(slot: child, base: object, baseDepth: pending.baseDepth + 1))
            }
        }
    }

    /// Inflates entry `number` again: a base's body, or a delta that did not fit the memory budget.
    func inflateEntry(_ number: Int, slots: UnsafeMutableBufferPointer<EntryWalk.Slot>, _ inflater: PackInflater) throws -> [UInt8] {
        let slot = slots[number]
        let data = UnsafeRawBufferPointer(rebasing: pack[slot.header.dataStart..<slot.end])
        return try inflater.inflate(data, exactSize: slot.header.size).output
    }
}

/// The entries being resolved, as the threads share them. Unchecked
/// `Sendable`: every entry is resolved by exactly one thread (its base's),
/// which alone writes it, and the threads are joined before anyone reads.
private struct SharedSlots: @unchecked Sendable {
    let slots: UnsafeMutableBufferPointer<EntryWalk.Slot>
}

/// Which entries wait on which: OFS_DELTA entries by the number of their
/// base's entry (fixed once built, so threads may share it), REF_DELTA
/// entries by their base's id (taken as they are queued, so each is queued once).
struct DeltaChildren {
    /// For entry `n`, its OFS_DELTA children are `list[first[n]..<first[n + 1]]`.
    private var first: [Int]
    private var list: [Int]
    /// REF_DELTA entries by the id of their base.
    var byBaseID: [ObjectID: [Int]] = [:]

    /// Finds the base of every delta among `slots` (in offset order). Throws
    /// `corruptObject` for an OFS_DELTA that does not point at an entry.
    init(_ slots: [EntryWalk.Slot]) throws {
        var baseOf = [Int](repeating: -1, count: slots.count)
        first = [Int](repeating: 0, count: slots.count + 1)
        for (number, slot) in slots.enumerated() {
            switch slot.header.kind {
            case .object:
                break
            case .ofsDelta(let base):
                guard let baseNumber = Self.entry(at: base, in: slots, before: number) else {
                    throw BanyanError(.corruptObject, "OFS_DELTA at offset \(slot.offset) points at offset \(base), which is not an entry")
                }
                baseOf[number] = baseNumber
                first[baseNumber + 1] += 1
            case .refDelta(let base):
                byBaseID[base, default: []].append(number)
            }
        }
        for number in slots.indices { first[number + 1] += first[number] }
        list = [Int](repeating: 0, count: first[slots.count])
        var filled = first
        for (number, base) in baseOf.enumerated() where base >= 0 {
            list[filled[base]] = number
            filled[base] += 1
        }
    }

    /// The number of the entry at `offset`, by binary search among the entries before `limit`.
    private static func entry(at offset: Int, in slots: [EntryWalk.Slot], before limit: Int) -> Int? {
        var low = 0, high = limit
        while low < high {
            let middle = (low + high) / 2
            if slots[middle].offset < offset { low = middle + 1 } else { high = middle }
        }
        return low < limit && slots[low].offset == offset ? low : nil
    }

    /// The OFS_DELTA entries whose base is entry `number`.
    func byOffset(_ number: Int) -> ArraySlice<Int> { list[first[number]..<first[number + 1]] }

    /// The entries waiting on entry `number`, whose id is `id`: its OFS_DELTA
    /// children, and the REF_DELTA entries naming `id` not taken before.
    mutating func take(_ number: Int, id: ObjectID) -> ArraySlice<Int> {
        guard !byBaseID.isEmpty, let named = byBaseID.removeValue(forKey: id) else { return byOffset(number) }
        return (Array(byOffset(number)) + named)[...]
    }
}
