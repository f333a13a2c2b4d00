#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The entries of an encoded tree read in place (with `TreeEntryCursor`),
/// for walks that need only each entry's kind, name and id: no `TreeEntry`
/// array, no name copies.
///
/// Checks what the walk relies on (a known mode, a name, a whole id) and
/// nothing more: entry order and name rules are the receiver's fsck's.
package enum TreeEntryScan {
    /// What an entry points at.
    package enum Kind {
        case tree, blob, gitlink
    }

    /// One entry, its bytes valid only during the `visit` call that gets it.
    package struct Entry {
        /// What it points at.
        package var kind: Kind
        /// Its name.
        package var name: UnsafeRawBufferPointer
        /// All its bytes: mode, name and id.
        package var bytes: UnsafeRawBufferPointer
        /// The object it points at.
        package var id: ObjectID
        /// The offset just past the entry in its tree.
        package var end: Int

        @usableFromInline
        init(kind: Kind, name: UnsafeRawBufferPointer, bytes: UnsafeRawBufferPointer, id: ObjectID, end: Int) {
            self.kind = kind
            self.name = name
            self.bytes = bytes
            self.id = id
            self.end = end
        }
    }

    /// Calls `visit` with each entry of `body` in order.
    ///
    /// Throws `corruptObject` naming `tree` for a truncated entry or a mode
    /// Git does not read; rethrows what `visit` throws.
    @inlinable
    package static func forEach(
        _ body: [UInt8], of tree: ObjectID, algorithm: HashAlgorithm,
        _ visit: (Entry) throws -> Void
    ) throws {
        try body.withUnsafeBytes { bytes in
            var position = 0
            while position < bytes.count {
                let entry = try entry(in: bytes, at: position, of: tree, algorithm: algorithm)
                position = entry.end
                try visit(entry)
            }
        }
    }

    /// The entry of `bytes` that starts at `start`; throws as `forEach` does.
    @inlinable
    static func entry(
        in bytes: UnsafeRawBufferPointer, at start: Int, of tree: ObjectID, algorithm: HashAlgorithm
    ) throws -> Entry {
        let digestLength = algorithm.digestLength
        let entry: TreeEntryCursor.Entry
        do {
            entry = try TreeEntryCursor.entry(in: bytes, at: start, digestLength: digestLength)
        } catch {
            throw corrupt(tree, error == .mode ? "an unsupported mode" : "no name or a truncated id", at: start)
        }
        let kind: Kind
        // Modes old tools wrote are read as git reads them (see `Tree(decoding:)`).
        switch entry.modeDigits <= 7 ? FileMode.readByGit(entry.mode) : nil {
        case .directory?: kind = .tree
        case .gitlink?: kind = .gitlink
        case .some: kind = .blob
        case nil: throw corrupt(tree, "an unsupported mode", at: start)
        }
        guard !entry.name.isEmpty else { throw corrupt(tree, "no name or a truncated id", at: start) }
        let id = ObjectID(digest: UnsafeRawBufferPointer(rebasing: bytes[entry.idStart(digestLength: digestLength)..<entry.end]),
                          algorithm: algorithm)
        return Entry(kind: kind, name: UnsafeRawBufferPointer(rebasing: bytes[entry.name]),
                     bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<entry.end]), id: id, end: entry.end)
    }

    /// True when `reference`, another encoded tree, holds `entry` byte for
    /// byte. `cursor` (a position in `reference`, 0 at first) moves past
    /// the entries whose names sort before `entry`'s, and past the match:
    /// give the entries of one tree in order and the whole test is one merge
    /// of the two trees. Names are compared as plain bytes, which Git's order
    /// follows except around directories whose names prefix others: there a
    /// match may be missed, never one made up.
    @inlinable
    package static func holds(
        _ entry: Entry, in reference: UnsafeRawBufferPointer, cursor: inout Int, digestLength: Int
    ) -> Bool {
        while cursor < reference.count {
            guard let candidate = try? TreeEntryCursor.entry(in: reference, at: cursor, digestLength: digestLength) else { break }
            let nameStart = candidate.name.lowerBound, nul = candidate.name.upperBound, end = candidate.end
            let nameLength = nul - nameStart
            let common = memcmp(reference.baseAddress! + nameStart, entry.name.baseAddress!, min(nameLength, entry.name.count))
            if common < 0 || (common == 0 && nameLength < entry.name.count) {
                cursor = end
                continue
            }
            guard end - cursor == entry.bytes.count,
                  memcmp(reference.baseAddress! + cursor, entry.bytes.baseAddress!, entry.bytes.count) == 0 else { return false }
            cursor = end
            return true
        }
        cursor = reference.count
        return false
    }

    /// An encoded tree with where each of its entries ends, as a walk keeps
    /// the tree it read last at a path.
    package struct Scanned {
        /// The encoded tree.
        package var body: [UInt8]
        /// The offset just past each entry, in order.
        package var ends: [Int32]

        /// A scanned tree from its parts.
        @inlinable
        package init(body: [UInt8], ends: [Int32]) {
            self.body = body
            self.ends = ends
        }
    }

    /// Calls `visit` with the entries of `body` that `reference`, the tree
    /// read before at the same path, may not hold, and returns `body` with
    /// its entry ends for the next call.
    ///
    /// The entries in the bytes `body` shares with `reference` at its start,
    /// and in a shared end from a place where both have an entry start, are
    /// the reference's own and are skipped unread: a tree differs from its
    /// predecessor in a few entries, so most are. The rest are tested with
    /// `holds`, so a visited entry may still be one the reference holds,
    /// never the reverse. Cost: a compare of the shared bytes plus a scan of
    /// the changed middle, where `forEach` reads every entry.
    ///
    /// Throws as `forEach` does for the entries it reads; rethrows what
    /// `visit` throws.
    @inlinable
    package static func forEachChange(
        _ body: [UInt8], of tree: ObjectID, since reference: Scanned?, algorithm: HashAlgorithm,
        _ visit: (Entry) throws -> Void
    ) throws -> Scanned {
        guard let reference else {
            var ends: [Int32] = []
            try forEach(body, of: tree, algorithm: algorithm) { entry in
                ends.append(Int32(entry.end))
                guard entry.kind != .gitlink else { return }
                try visit(entry)
            }
            return Scanned(body: body, ends: ends)
        }
        let digestLength = algorithm.digestLength
        let ends: [Int32] = try body.withUnsafeBytes { bytes in
            try reference.body.withUnsafeBytes { old in
                let prefix = SharedBytes.prefix(bytes, old)
                let suffix = SharedBytes.suffix(bytes, old, limit: min(bytes.count, old.count) - prefix)
                let shift = old.count - bytes.count
                // The reference's entries that end within the shared start are this tree's too.
                var kept = 0
                while kept < reference.ends.count, Int(reference.ends[kept]) <= prefix { kept += 1 }
                var ends = Array(reference.ends[..<kept])
                var position = kept == 0 ? 0 : Int(reference.ends[kept - 1])
                var cursor = position
                while position < bytes.count {
                    // From a place in the shared end where both trees start an entry, the rest is the reference's.
                    if position >= bytes.count - suffix, let match = entryIndex(startingAt: position + shift, in: reference.ends) {
                        ends += reference.ends[match...].lazy.map { $0 - Int32(shift) }
                        break
                    }
                    let entry = try self.entry(in: bytes, at: position, of: tree, algorithm: algorithm)
                    position = entry.end
                    ends.append(Int32(position))
                    guard entry.kind != .gitlink,
                          !holds(entry, in: old, cursor: &cursor, digestLength: digestLength) else { continue }
                    try visit(entry)
                }
                return ends
            }
        }
        return Scanned(body: body, ends: ends)
    }

    /// The index in `ends` of the entry that starts at `offset`, when one does.
    @usableFromInline
    static func entryIndex(startingAt offset: Int, in ends: [Int32]) -> Int? {
        if offset == 0 { return ends.isEmpty ? nil : 0 }
        var low = 0, high = ends.count
        while low < high {
            let middle = (low + high) / 2
            if Int(ends[middle]) < offset { low = middle + 1 } else { high = middle }
        }
        guard low + 1 < ends.count, Int(ends[low]) == offset else { return nil }
        return low + 1
    }

    @usableFromInline
    static func corrupt(_ tree: ObjectID, _ problem: String, at offset: Int) -> BanyanError {
        BanyanError(.corruptObject, "tree \(tree) has an entry with \(problem) at byte \(offset)")
    }
}
