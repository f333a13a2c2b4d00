#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FsckRules {
    /// Checks a tree body against Git's fsck rules, as
    /// `check(_:id:algorithm:policy:report:)` does, and calls `link` for
    /// each object it refers to (gitlinks excluded).
    ///
    /// An ordinary tree (canonical modes and names, nothing any rule
    /// reports) is scanned in place; anything else is checked entry by
    /// entry as Git's `fsck_tree` does, which names what is wrong. `base`, a
    /// tree that `body` was built from (a delta's base) and that passed this
    /// check, makes the scan skip the entries that are byte for byte in
    /// `base` too, but for their order: checking `base` saw their names, ids
    /// and links already.
    ///
    /// Cost: one pass over the bytes and no allocation for ordinary trees.
    /// Findings go to `report`; the first error is thrown as `corruptObject`.
    public static func checkTree(
        _ body: UnsafeRawBufferPointer, id: ObjectID, algorithm: HashAlgorithm, base: UnsafeRawBufferPointer? = nil,
        policy: FsckPolicy = FsckPolicy(), report: (FsckFinding) -> Void = { _ in }, link: (Link) throws -> Void
    ) throws {
        var scan = TreeScan(body: body, algorithm: algorithm, base: base, maxNameLength: policy.maxPathnameLength)
        var linked = 0
        if try scan.run(link: { linked += 1; try link($0) }) { return }
        // The scan stopped at something it does not decide by itself: Git's
        // entry by entry check decides, and the rest of the links come from
        // it, in the same order.
        var reporter = Reporter(policy: policy, kind: .tree, id: id)
        var links: [Link] = []
        checkTreeEntries(body, algorithm: algorithm, reporter: &reporter) { links.append($0) }
        try reporter.finish(report)
        for found in links.dropFirst(linked) { try link(found) }
    }
}

/// The byte scan behind `FsckRules.checkTree`: passes a tree whose every
/// entry has a canonical mode, a plain name and a non-null id, in order,
/// which is a tree no fsck rule reports anything about; stops at anything else.
private struct TreeScan {
    let body: UnsafeRawBufferPointer
    let algorithm: HashAlgorithm
    /// The unread rest of the delta base, for spotting unchanged entries.
    var base: UnsafeRawBufferPointer?
    /// Names longer than this are reported (`largePathname`).
    let maxNameLength: Int
    /// Files a later directory of the same name could still collide with (see `Tree(decoding:)`).
    var fileNames: [Range<Int>] = []

    init(body: UnsafeRawBufferPointer, algorithm: HashAlgorithm, base: UnsafeRawBufferPointer?, maxNameLength: Int) {
        self.body = body
        self.algorithm = algorithm
        self.base = base
        self.maxNameLength = maxNameLength
    }

    /// Scans every entry; false when one needs the decoding check.
    mutating func run(link: (FsckRules.Link) throws -> Void) throws -> Bool {
        guard body.baseAddress != nil else { return true }
        var position = 0
        var previous: (name: Range<Int>, isDirectory: Bool)?
        if let shared = skipSharedStart() {
            position = shared.end
            previous = (shared.name, shared.isDirectory)
        }
        let digestLength = algorithm.digestLength
        while position < body.count {
            let entryStart = position
            guard let entry = try? TreeEntryCursor.entry(in: body, at: position, digestLength: digestLength),
                  let mode = canonicalMode(entry) else { return false }
            let name = entry.name
            let idStart = entry.idStart(digestLength: digestLength)
            position = entry.end
            let isDirectory = mode == .directory
            if let previous, compare(previous.name, previous.isDirectory, name, isDirectory) >= 0 { return false }
            previous = (name, isDirectory)
            guard !collidesWithFile(name, isDirectory: isDirectory) else { return false }
            // An entry the (checked) base holds passed every rule that looks at one entry alone.
            if inBase(entryStart..<position, name: name) { continue }
            guard isPlainName(name), name.count <= maxNameLength else { return false }
            // A symlink Git looks at twice (`.gitmodules`, `.gitignore`…) is reported.
            guard mode != .symlink || body[name.lowerBound] != UInt8(ascii: ".") else { return false }
            let id = ObjectID(digest: UnsafeRawBufferPointer(rebasing: body[idStart..<position]), algorithm: algorithm)
            guard !id.isZero else { return false }
            // `.gitattributes` and `.gitmodules` (as Git matches them) are blobs checked later.
            var isAttributes = false, isGitmodules = false
            if body[name.lowerBound] == UInt8(ascii: ".") {
                let bytes = Array(body[name])
                isAttributes = FsckRules.isDotFile(bytes, "gitattributes")
                isGitmodules = FsckRules.isDotFile(bytes, "gitmodules")
            }
            guard !(isAttributes || isGitmodules) || mode.objectKind == .blob else { return false }
            if mode != .gitlink {
                try link(FsckRules.Link(id: id, kind: mode.objectKind, isAttributes: isAttributes, isGitmodules: isGitmodules))
            }
        }
        return true
    }

    /// Passes over the entries that lie wholly in the bytes `body` shares
    /// with `base` at its start: they are the base's own entries in the
    /// base's own order, and the base passed this check. Returns where the
    /// last of them ends, its name and whether it is a directory, having
    /// moved `base` to the same place and set `fileNames` as the scan would
    /// have left it; nil when there is no base or no such entry.
    ///
    /// A file a later directory could collide with is a name the last entry
    /// extends with a byte below `/`; the scan only saw those it had to. So
    /// `fileNames` gets every such prefix of the last name, a file or not:
    /// a directory of one of those names makes the scan defer to the
    /// decoding check, which decides.
    private mutating func skipSharedStart() -> (end: Int, name: Range<Int>, isDirectory: Bool)? {
        guard let rest = base, body.baseAddress != nil else { return nil }
        var shared = TreeEntryCursor(UnsafeRawBufferPointer(rebasing: body[..<SharedBytes.prefix(body, rest)]),
                                     digestLength: algorithm.digestLength)
        var last: TreeEntryCursor.Entry?
        // The entry the shared bytes end in, cut short, fails to read and ends the run.
        while let entry = try? shared.next() { last = entry }
        guard let last else { return nil }
        let name = last.name
        // The base's modes are canonical: "40000" is the only one that starts with 4.
        let isDirectory = body[last.start] == UInt8(ascii: "4")
        fileNames = name.dropFirst().filter { body[$0] < UInt8(ascii: "/") }.map { name.lowerBound..<$0 }
        if !isDirectory { fileNames.append(name) }
        base = UnsafeRawBufferPointer(rebasing: rest[last.end...])
        return (last.end, name, isDirectory)
    }

    /// The mode of `entry` when it is canonical (`Tree(decoding:)`'s rule:
    /// at most six octal digits, no leading zero, one of `FileMode.canonical`).
    private func canonicalMode(_ entry: TreeEntryCursor.Entry) -> FileMode? {
        guard entry.modeDigits <= 6, body[entry.start] != UInt8(ascii: "0") else { return nil }
        let mode = FileMode(rawValue: entry.mode)
        guard mode == .regular || mode == .directory || mode == .executable || mode == .symlink || mode == .gitlink else {
            return nil
        }
        return mode
    }

    /// A name the rules accept without a closer look: not empty, `.` or `..`,
    /// without `/`, and not one Git would take for its own directory.
    private func isPlainName(_ name: Range<Int>) -> Bool {
        guard !name.isEmpty else { return false }
        let first = body[name.lowerBound]
        if name.count <= 2 && body[name].allSatisfy({ $0 == UInt8(ascii: ".") }) { return false }
        if memchr(body.baseAddress! + name.lowerBound, Int32(UInt8(ascii: "/")), name.count) != nil { return false }
        if first == UInt8(ascii: ".") || first | 0x20 == UInt8(ascii: "g") || first >= 0x80 {
            return !Key.isReservedForGit(name: Array(body[name]))
        }
        return true
    }

    /// `Tree.compareNames` on two names in the body.
    private func compare(_ a: Range<Int>, _ aIsDirectory: Bool, _ b: Range<Int>, _ bIsDirectory: Bool) -> Int {
        Tree.compareNames(UnsafeRawBufferPointer(rebasing: body[a]), aIsDirectory, UnsafeRawBufferPointer(rebasing: body[b]), bIsDirectory)
    }

    /// True when a directory `name` has the name of an earlier file; keeps
    /// the list of files that a later directory could still collide with.
    private mutating func collidesWithFile(_ name: Range<Int>, isDirectory: Bool) -> Bool {
        while let candidate = fileNames.last {
            let common = memcmp(body.baseAddress! + candidate.lowerBound, body.baseAddress! + name.lowerBound,
                                min(candidate.count, name.count)) == 0
            if isDirectory && common && candidate.count == name.count { return true }
            if common && name.count > candidate.count && body[name.lowerBound + candidate.count] < UInt8(ascii: "/") { break }
            fileNames.removeLast()
        }
        if !isDirectory { fileNames.append(name) }
        return false
    }

    /// True when the base holds this exact entry (`name` is its name). Both
    /// trees are in Git's order, so the base is read once, alongside; a base
    /// that is not a well-formed tree just stops matching.
    private mutating func inBase(_ entry: Range<Int>, name: Range<Int>) -> Bool {
        guard let rest = base, let restStart = rest.baseAddress else { return false }
        var cursor = TreeEntryCursor(rest, digestLength: algorithm.digestLength)
        while true {
            let offset = cursor.position
            guard let candidate = try? cursor.next() else { break }
            if candidate.end - offset == entry.count && memcmp(restStart + offset, body.baseAddress! + entry.lowerBound, entry.count) == 0 {
                base = UnsafeRawBufferPointer(rebasing: rest[candidate.end...])
                return true
            }
            // Pass base entries whose names sort before this one's; stop at the first after it.
            let nameLength = candidate.name.count
            let order = memcmp(restStart + candidate.name.lowerBound, body.baseAddress! + name.lowerBound, min(nameLength, name.count))
            guard order < 0 || (order == 0 && nameLength < name.count) else {
                base = UnsafeRawBufferPointer(rebasing: rest[offset...])
                return false
            }
        }
        base = nil
        return false
    }
}
