import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Chooses a delta base for each object: Git's sliding-window search,
/// on several threads for a large search as Git's `ll_find_deltas` runs it.
struct DeltaPlanner {
    enum Choice {
        case inPack(base: Int, delta: [UInt8])
        case external(base: Int, delta: [UInt8])
    }

    /// How a source takes part in the search.
    enum Role {
        /// It is tried against earlier objects and may serve as a base.
        case search
        /// It keeps its stored delta and stays out of the search.
        case skip
    }

    private struct Candidate {
        var object: Int
        var isExternal: Bool
        var kind: ObjectKind
        var size: Int
        var nameHash: UInt32
    }

    /// Searches smaller than this run on one thread: starting threads would cost more than they save.
    static let minimumPerThread = 2048

    let sources: [PackWriter.Source]
    let externals: [RawObject]
    let externalHints: [String?]
    let algorithm: HashAlgorithm
    let options: PackWriter.Options
    /// Each source's role; empty means every source is searched.
    var roles: [Role] = []
    /// For each source, the length of the longest kept delta chain built
    /// on it (empty: none): its own chain may be at most `options.depth`
    /// minus that long.
    var reservedDepth: [Int] = []
    /// The pack each source is copied from, when it is (empty: none is).
    /// A source stored whole is not tried against another object of its
    /// pack, as Git's `try_delta` does when it reuses pack data: the
    /// writer of that pack tried the pair already and kept the object
    /// whole. (Banyan's append packs search only the versions they splice,
    /// so their other objects gain deltas when `gc` repacks them.)
    var storedPacks: [ObjectID?] = []

    /// Git's `pack_name_hash`: the last sixteen non-space characters, weighted to the end.
    static func nameHash(_ name: String?) -> UInt32 {
        guard let name else { return 0 }
        var hash: UInt32 = 0
        for character in name.utf8 where !(character == 0x20 || (0x09...0x0d).contains(character)) {
            hash = (hash >> 2) &+ (UInt32(character) << 24)
        }
        return hash
    }

    /// The chosen delta for each source (nil: stored whole), loading
    /// bodies through `load` as objects enter a window.
    ///
    /// With several threads each searches its own run of the sorted
    /// objects, and `load` is called under a lock, one call at a time, so
    /// it need not be thread-safe; the delta attempts run in parallel.
    func plan(load: (Int) throws -> RawObject) throws -> [Choice?] {
        var choices = [Choice?](repeating: nil, count: sources.count)
        guard options.window > 0, options.depth > 0 else { return choices }
        let roles = roles.isEmpty ? Array(repeating: Role.search, count: sources.count) : roles
        guard roles.contains(.search) else { return choices }
        let candidates = sortedCandidates(roles: roles)
        var depth = [Int](repeating: 0, count: sources.count)
        let runs = Self.runs(of: candidates, threads: options.threads)
        try choices.withUnsafeMutableBufferPointer { choices in
            try depth.withUnsafeMutableBufferPointer { depth in
                let shared = SharedResults(choices: choices, depth: depth)
                guard runs.count > 1 else {
                    return try search(runs[0], candidates, roles, shared, load: load)
                }
                try withoutActuallyEscaping(load) { load in
                    let loader = SerialLoader(load: load)
                    let failure = Mutex<(any Error)?>(nil)
                    DispatchQueue.concurrentPerform(iterations: runs.count) { run in
                        do {
                            try search(runs[run], candidates, roles, shared, load: loader.callAsFunction)
                        } catch {
                            failure.withLock { if $0 == nil { $0 = error } }
                        }
                    }
                    if let error = failure.withLock({ $0 }) { throw error }
                }
            }
        }
        return choices
    }

    /// The objects the search looks at, in Git's `type_size_sort` order:
    /// kind, name hash, external bases first, larger first, input order.
    private func sortedCandidates(roles: [Role]) -> [Candidate] {
        var candidates: [Candidate] = []
        for (i, source) in sources.enumerated() where source.size >= options.minDeltaSize && roles[i] != .skip {
            candidates.append(Candidate(object: i, isExternal: false, kind: source.kind, size: source.size,
                                        nameHash: Self.nameHash(source.nameHint)))
        }
        for (i, object) in externals.enumerated() where object.body.count >= options.minDeltaSize {
            candidates.append(Candidate(object: i, isExternal: true, kind: object.kind, size: object.body.count,
                                        nameHash: Self.nameHash(externalHints[i])))
        }
        candidates.sort { a, b in
            if a.kind.packCode != b.kind.packCode { return a.kind.packCode > b.kind.packCode }
            if a.nameHash != b.nameHash { return a.nameHash > b.nameHash }
            if a.isExternal != b.isExternal { return a.isExternal }
            if a.size != b.size { return a.size > b.size }
            return a.object < b.object
        }
        return candidates
    }

    /// `candidates` cut into one run per thread, each run ending where the
    /// name hash changes (as Git cuts them), so objects of one path stay together.
    private static func runs(of candidates: [Candidate], threads requested: Int) -> [Range<Int>] {
        let cores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let threads = min(requested == 0 ? cores : requested, candidates.count / minimumPerThread)
        guard threads > 1 else { return [0..<candidates.count] }
        var runs: [Range<Int>] = []
        var start = 0
        for run in 1...threads {
            var end = run == threads ? candidates.count : max(start, candidates.count * run / threads)
            while end > 0, end < candidates.count, candidates[end].nameHash != 0,
                  candidates[end].nameHash == candidates[end - 1].nameHash {
                end += 1
            }
            if end > start { runs.append(start..<end) }
            start = end
        }
        return runs
    }

    /// The sliding-window search over `candidates[run]`, writing the
    /// choices and chain depths of the objects in it.
    private func search(
        _ run: Range<Int>, _ candidates: [Candidate], _ roles: [Role], _ results: SharedResults,
        load: (Int) throws -> RawObject
    ) throws {
        let choices = results.choices, depth = results.depth
        // The window: candidate positions, their bodies (loaded when an
        // attempt first needs them) and lazily built indexes.
        var window: [(candidate: Int, body: [UInt8]?, index: DeltaIndex?)] = []
        let hashLength = algorithm.digestLength
        for position in run {
            let target = candidates[position]
            // Git's find_deltas keeps a chosen base longer: it moves up to
            // just after the object that used it, the first tried next. A
            // window of one keeps only the newest object, so chains form.
            var chosen: Int? = nil
            var madeDelta = false
            var body = target.isExternal ? externals[target.object].body : nil
            // Git's try_delta: a target with kept deltas below it has less room.
            let maxDepth = options.depth - (reservedDepth.isEmpty || target.isExternal ? 0 : reservedDepth[target.object])
            defer {
                // As Git's find_deltas: a delta at its greatest depth can be
                // no object's base, so it takes no slot from those that can.
                if !madeDelta || depth[target.object] < maxDepth {
                    window.append((position, body, nil))
                    if let chosen { window.append(window.remove(at: chosen)) }
                    if window.count > options.window { window.removeFirst() }
                }
            }
            guard !target.isExternal, roles[target.object] == .search, maxDepth > 0 else { continue }
            let targetPack = storedPacks.isEmpty ? nil : storedPacks[target.object]
            var best: (slot: Int, delta: [UInt8])? = nil
            for slot in window.indices.reversed() {
                let source = candidates[window[slot].candidate]
                guard source.kind == target.kind else { continue }
                if let targetPack, !source.isExternal, storedPacks[source.object] == targetPack { continue }
                let sourceDepth = source.isExternal ? 0 : depth[source.object]
                guard sourceDepth < maxDepth else { continue }
                // Git's try_delta limits: at most half the target, less for bases deep in a chain.
                var maxSize = best.map { $0.delta.count - 1 } ?? (target.size / 2 - hashLength)
                let referenceDepth = best == nil ? 1 : depth[target.object]
                maxSize = maxSize * (maxDepth - sourceDepth) / (maxDepth - referenceDepth + 1)
                guard maxSize > 0 else { continue }
                if source.size < target.size, target.size - source.size >= maxSize { continue }
                if target.size < source.size / 32 { continue }
                let index = try window[slot].index ?? DeltaIndex(base: window[slot].body ?? load(source.object).body)
                window[slot].index = index
                if body == nil { body = try load(target.object).body }
                guard let delta = index.delta(to: body!, maxSize: maxSize) else { continue }
                best = (slot, delta)
                depth[target.object] = sourceDepth + 1
            }
            if let best {
                madeDelta = true
                if options.window > 1 { chosen = best.slot }
                let source = candidates[window[best.slot].candidate]
                choices[target.object] = source.isExternal
                    ? .external(base: source.object, delta: best.delta)
                    : .inPack(base: source.object, delta: best.delta)
            }
        }
    }
}

/// The search's results, shared by its threads: each run writes only the
/// entries of its own objects, and reads only those.
private struct SharedResults: @unchecked Sendable {
    let choices: UnsafeMutableBufferPointer<DeltaPlanner.Choice?>
    let depth: UnsafeMutableBufferPointer<Int>
}

/// A `load` shared by the search's threads, called by one at a time.
private final class SerialLoader: @unchecked Sendable {
    let load: (Int) throws -> RawObject
    /// Guards `load`; holds how many calls went through it. (Not `Mutex(())`:
    /// ThreadSanitizer reports the inout access to an empty value as a race
    /// even under the lock, docs/reliability.md.)
    private let calls = Mutex(0)

    init(load: @escaping (Int) throws -> RawObject) {
        self.load = load
    }

    func callAsFunction(_ position: Int) throws -> RawObject {
        try calls.withLock { calls in
            calls += 1
            return try load(position)
        }
    }
}
