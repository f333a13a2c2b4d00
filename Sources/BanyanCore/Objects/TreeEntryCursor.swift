/// Reads the entries of an encoded tree (`<octal mode> <name>\0<id>` each)
/// in place, one after another: the one parser of tree entries, under the
/// tree codec (`Tree(decoding:)`), Git's fsck rules, the encoded trees the
/// write path edits and the object walks (`TreeEntryScan`).
///
/// It checks an entry's shape only: octal digits up to a space, a name up
/// to a NUL, a whole id. What a reader asks more of modes, names and order
/// is its own. No allocation; inlinable, so each reader's loop is
/// specialized with it.
package struct TreeEntryCursor {
    /// One entry's place in the body.
    package struct Entry {
        /// Where the entry starts (its mode's first digit).
        package var start: Int
        /// The mode as written, not canonicalized (the value of its digits, modulo 2³²).
        package var mode: UInt32
        /// Where the name is: after the mode's space, up to the NUL.
        package var name: Range<Int>
        /// Where the entry ends, just past its id.
        package var end: Int

        @usableFromInline
        init(start: Int, mode: UInt32, name: Range<Int>, end: Int) {
            self.start = start
            self.mode = mode
            self.name = name
            self.end = end
        }

        /// How many digits the mode is written with.
        @inlinable package var modeDigits: Int { name.lowerBound - 1 - start }

        /// Where the id starts.
        @inlinable package func idStart(digestLength: Int) -> Int { end - digestLength }
    }

    /// What is wrong with an entry that cannot be read.
    package enum Failure: Error {
        /// The mode has a byte that is no octal digit, or no space ends it.
        case mode
        /// No NUL ends the name.
        case name
        /// The id runs past the end of the body.
        case id
    }

    /// The tree's bytes.
    package let body: UnsafeRawBufferPointer
    /// The length of the ids in it.
    package let digestLength: Int
    /// Where the next entry starts.
    package var position: Int

    /// A cursor at `position` (an entry's start) of `body`.
    @inlinable
    package init(_ body: UnsafeRawBufferPointer, digestLength: Int, at position: Int = 0) {
        self.body = body
        self.digestLength = digestLength
        self.position = position
    }

    /// The next entry, or nil at the end of the body; throws what is wrong
    /// with an entry that cannot be read (the cursor stays at its start).
    @inlinable
    package mutating func next() throws(Failure) -> Entry? {
        guard position < body.count else { return nil }
        let entry = try Self.entry(in: body, at: position, digestLength: digestLength)
        position = entry.end
        return entry
    }

    /// `next()` for readers that take a tree as stored: throws
    /// `corruptObject` naming the byte where an entry does not parse.
    @inlinable
    package mutating func nextStored() throws(BanyanError) -> Entry? {
        let start = position
        do {
            return try next()
        } catch {
            throw BanyanError(.corruptObject, "tree entry at byte \(start) is truncated or has no mode")
        }
    }

    /// The entry at `start` of `body`; throws as `next()` does.
    @inlinable
    package static func entry(in body: UnsafeRawBufferPointer, at start: Int, digestLength: Int) throws(Failure) -> Entry {
        guard let (mode, space) = parseMode(body, at: start) else { throw .mode }
        let nameStart = space + 1
        guard let nul = firstNUL(body, from: nameStart) else { throw .name }
        guard body.count - (nul + 1) >= digestLength else { throw .id }
        return Entry(start: start, mode: mode, name: nameStart..<nul, end: nul + 1 + digestLength)
    }

    /// The mode written at `start`: octal digits up to a space, as Git's
    /// `decode_tree_entry` reads them (any number, none included); the
    /// value and where the space is. Nil for a byte that is no octal digit
    /// before the space, or no space. The one mode parser of the codecs.
    @inlinable
    package static func parseMode(_ body: UnsafeRawBufferPointer, at start: Int) -> (mode: UInt32, space: Int)? {
        var index = start
        var mode: UInt32 = 0
        while index < body.count {
            let byte = body[index]
            if byte == UInt8(ascii: " ") { return (mode, index) }
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 8 else { return nil }
            mode = mode &<< 3 | UInt32(digit)
            index += 1
        }
        return nil
    }

    /// The index of the first NUL at or after `start`, or nil. A loop, not
    /// `memchr`: names are short, and the call costs more than it saves on
    /// the write path's binary searches.
    @inlinable
    package static func firstNUL(_ body: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        while index < body.count {
            if body[index] == 0 { return index }
            index += 1
        }
        return nil
    }
}
