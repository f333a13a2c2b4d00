extension Tree {
    /// The Git body of this tree: `<octal mode> <name>\0<raw id>` per entry.
    ///
    /// One allocation, sized exactly, filled through a pointer: trees sit on
    /// the hot write path (every commit re-encodes each tree on its paths).
    public func encoded() -> [UInt8] {
        if let storedBody { return storedBody }
        var capacity = 0
        for entry in entries {
            capacity += Tree.octalLength(entry.mode.rawValue) + 2 + entry.name.count + entry.id.algorithm.digestLength
        }
        return [UInt8](exactCount: capacity) { out in
            var position = 0
            for entry in entries {
                let mode = entry.mode.rawValue
                var shift = 3 * (Tree.octalLength(mode) - 1)
                while shift >= 0 {
                    out[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: (mode >> UInt32(shift)) & 7)
                    position += 1
                    shift -= 3
                }
                out[position] = UInt8(ascii: " ")
                position += 1
                position += copy(entry.name, to: out, at: position)
                out[position] = 0
                position += 1
                position += entry.id.withUnsafeBytes { copy($0, to: out, at: position) }
            }
        }
    }

    /// This tree as a raw object, ready to hash or store.
    public var rawObject: RawObject { RawObject(kind: .tree, body: encoded()) }

    /// Decodes a tree body whose ids are `algorithm` digests.
    ///
    /// Reads what `git fsck` accepts: throws `corruptObject` for a mode git
    /// does not know, an empty name, `.` or `..`, a name with `/`, a
    /// truncated entry, entries out of Git's order, or two entries with the
    /// same name (a file and a directory included). Modes git reads though
    /// it no longer writes them — zero-padded (`040000`), other permissions
    /// (`100664`, `100000`), warnings in `git fsck` — decode to the mode git
    /// reads them as (`FileMode.readByGit`), and the tree keeps its body so `encoded()` gives back the same
    /// bytes and id. Linear time.
    public init(decoding body: [UInt8], algorithm: HashAlgorithm) throws {
        var canonical = true
        self.init(sortedEntries: try body.withUnsafeBufferPointer {
            try Tree.decodeEntries($0, algorithm: algorithm, canonical: &canonical)
        })
        if !canonical { storedBody = body }
    }

    /// The entries of a tree body, checked as `init(decoding:algorithm:)` says.
    ///
    /// Works on a buffer pointer so that slicing the body retains nothing:
    /// a tree of n entries costs n name allocations and no other.
    private static func decodeEntries(
        _ body: UnsafeBufferPointer<UInt8>, algorithm: HashAlgorithm, canonical: inout Bool
    ) throws -> [TreeEntry] {
        let digestLength = algorithm.digestLength
        var entries: [TreeEntry] = []
        entries.reserveCapacity(body.count / (digestLength + 16))
        // Files that a later directory of the same name could still collide
        // with; in Git's order such a directory may come several entries later.
        var fileNames: [Range<Int>] = []
        var previous: (name: [UInt8], isDirectory: Bool)?
        var cursor = TreeEntryCursor(UnsafeRawBufferPointer(body), digestLength: digestLength)
        while true {
            let start = cursor.position
            let found: TreeEntryCursor.Entry?
            do {
                found = try cursor.next()
            } catch {
                throw Tree.entryError(error, in: body, at: start)
            }
            guard let entry = found else { break }
            let (mode, canonicalMode) = try Tree.mode(of: entry, in: body)
            if !canonicalMode { canonical = false }
            let nameRange = entry.name
            try Tree.checkName(body[nameRange], at: start)
            let idStart = entry.idStart(digestLength: digestLength)
            let id = ObjectID(digest: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: body[idStart..<entry.end])), algorithm: algorithm)
            let name = Array(body[nameRange])

            if let previous {
                let order = Tree.compareNames(previous.name, previous.isDirectory, name, mode.isDirectory)
                guard order < 0 else {
                    let problem = previous.name == name ? "appears twice" : "is out of Git's order"
                    throw BanyanError(.corruptObject, "tree entry '\(Tree.show(name))' \(problem)")
                }
            }
            while let candidate = fileNames.last {
                let fileName = body[candidate]
                if mode.isDirectory && fileName.elementsEqual(name) {
                    throw BanyanError(.corruptObject, "tree has both a file and a directory named '\(Tree.show(fileName))'")
                }
                if name.count > fileName.count, name.starts(with: fileName), name[fileName.count] < UInt8(ascii: "/") {
                    break
                }
                fileNames.removeLast()
            }
            if !mode.isDirectory { fileNames.append(nameRange) }
            entries.append(TreeEntry(name: name, mode: mode, id: id))
            previous = (name, mode.isDirectory)
        }
        return entries
    }

    /// The mode `entry` has, and whether it is spelled as Banyan writes it:
    /// one to seven octal digits of a type git reads.
    private static func mode(
        of entry: TreeEntryCursor.Entry, in body: UnsafeBufferPointer<UInt8>
    ) throws -> (mode: FileMode, canonical: Bool) {
        // Old tools wrote other permissions (`100664`, `100000`) and zero
        // padding: git reads every one of a type it knows, as this does.
        guard (1...7).contains(entry.modeDigits), let mode = FileMode.readByGit(entry.mode) else {
            throw BanyanError(.corruptObject, "tree entry at byte \(entry.start) has the unsupported mode '\(show(body[entry.start..<(entry.name.lowerBound - 1)]))'")
        }
        return (mode, mode.rawValue == entry.mode && body[entry.start] != UInt8(ascii: "0"))
    }

    /// What is wrong with the entry at `start` that the cursor could not read, in words.
    private static func entryError(_ failure: TreeEntryCursor.Failure, in body: UnsafeBufferPointer<UInt8>, at start: Int) -> BanyanError {
        let rest = body[start...]
        guard let space = rest.firstIndex(of: UInt8(ascii: " ")) else {
            return BanyanError(.corruptObject, "tree entry at byte \(start) has no space after its mode")
        }
        switch failure {
        case .mode:
            return BanyanError(.corruptObject, "tree entry at byte \(start) has the unsupported mode '\(show(body[start..<space]))'")
        case .name:
            return BanyanError(.corruptObject, "tree entry at byte \(start) has no NUL after its name")
        case .id:
            let name = body[(space + 1)...].prefix { $0 != 0 }
            return BanyanError(.corruptObject, "tree entry '\(show(name))' has a truncated object id")
        }
    }

    private static func checkName(_ name: Slice<UnsafeBufferPointer<UInt8>>, at offset: Int) throws {
        let problem: String
        if name.isEmpty {
            problem = "an empty name"
        } else if name.elementsEqual([UInt8(ascii: ".")]) || name.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
            problem = "the name '\(show(name))'"
        } else if name.contains(UInt8(ascii: "/")) {
            problem = "a '/' in its name '\(show(name))'"
        } else {
            return
        }
        throw BanyanError(.corruptObject, "tree entry at byte \(offset) has \(problem)")
    }

    /// Copies `bytes` into `out` at `position`; returns how many it copied.
    private func copy(_ bytes: some Collection<UInt8>, to out: UnsafeMutableBufferPointer<UInt8>, at position: Int) -> Int {
        UnsafeMutableBufferPointer(rebasing: out[position..<(position + bytes.count)]).initialize(from: bytes).1
    }

    /// The number of octal digits of `value` written without a leading zero (at least one).
    package static func octalLength(_ value: UInt32) -> Int {
        var digits = 1
        while value >> UInt32(3 * digits) != 0 { digits += 1 }
        return digits
    }

    private static func show(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
