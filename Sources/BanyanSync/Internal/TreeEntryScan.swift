import Banyan
import Foundation

/// The entries of an encoded tree read in place, for walks that need only
/// each entry's kind, name and id: no `TreeEntry` array, no name copies.
///
/// Checks what the walk relies on (a known mode, a name, a whole id) and
/// nothing more: entry order and name rules are the receiver's fsck's.
enum TreeEntryScan {
    /// What an entry points at.
    enum Kind {
        case tree, blob, gitlink
    }

    /// One entry, its bytes valid only during the `visit` call that gets it.
    struct Entry {
        /// What it points at.
        var kind: Kind
        /// Its name.
        var name: UnsafeRawBufferPointer
        /// All its bytes: mode, name and id.
        var bytes: UnsafeRawBufferPointer
        /// The object it points at.
        var id: ObjectID
    }

    /// Calls `visit` with each entry of `body` in order.
    ///
    /// Throws `corruptObject` naming `tree` for a truncated entry or a mode
    /// Git does not write; rethrows what `visit` throws.
    static func forEach(
        _ body: [UInt8], of tree: ObjectID, algorithm: HashAlgorithm,
        _ visit: (Entry) throws -> Void
    ) throws {
        let digestLength = algorithm.digestLength
        try body.withUnsafeBytes { bytes in
            var position = 0
            while position < bytes.count {
                let start = position
                var mode: UInt32 = 0
                while position < bytes.count, bytes[position] != UInt8(ascii: " ") {
                    let digit = bytes[position] &- UInt8(ascii: "0")
                    guard digit < 8, position - start < 6 else { throw corrupt(tree, "an unsupported mode", at: start) }
                    mode = mode << 3 | UInt32(digit)
                    position += 1
                }
                let kind: Kind
                switch mode {
                case 0o40000: kind = .tree
                case 0o100644, 0o100755, 0o120000: kind = .blob
                case 0o160000: kind = .gitlink
                default: throw corrupt(tree, "an unsupported mode", at: start)
                }
                let nameStart = position + 1
                var nul = nameStart
                while nul < bytes.count, bytes[nul] != 0 { nul += 1 }
                guard nul > nameStart, bytes.count - (nul + 1) >= digestLength else {
                    throw corrupt(tree, "no name or a truncated id", at: start)
                }
                position = nul + 1 + digestLength
                let id = ObjectID(digest: UnsafeRawBufferPointer(rebasing: bytes[(nul + 1)..<position]), algorithm: algorithm)
                try visit(Entry(kind: kind, name: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<nul]),
                                bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), id: id))
            }
        }
    }

    /// True when `reference`, another encoded tree, holds `entry` byte for
    /// byte. `cursor` (a position in `reference`, 0 at first) moves past
    /// the entries whose names sort before `entry`'s, and past the match:
    /// give the entries of one tree in order and the whole test is one merge
    /// of the two trees. Names are compared as plain bytes, which Git's order
    /// follows except around directories whose names prefix others: there a
    /// match may be missed, never one made up.
    static func holds(
        _ entry: Entry, in reference: UnsafeRawBufferPointer, cursor: inout Int, digestLength: Int
    ) -> Bool {
        while cursor < reference.count {
            var nameStart = cursor
            while nameStart < reference.count, reference[nameStart] != UInt8(ascii: " ") { nameStart += 1 }
            nameStart += 1
            var nul = nameStart
            while nul < reference.count, reference[nul] != 0 { nul += 1 }
            let end = nul + 1 + digestLength
            guard end <= reference.count else { break }
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

    private static func corrupt(_ tree: ObjectID, _ problem: String, at offset: Int) -> BanyanError {
        BanyanError(.corruptObject, "tree \(tree) has an entry with \(problem) at byte \(offset)")
    }
}
