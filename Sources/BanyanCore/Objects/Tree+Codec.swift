extension Tree {
    /// The Git encoding: for each entry `"<octal mode> <name>\0<raw id>"`.
    ///
    /// Cost: one allocation of the exact size.
    public func encoded() -> [UInt8] {
        var size = 0
        for entry in entries {
            size += entry.mode.octalDigits.count + 2 + entry.name.count + entry.id.algorithm.digestLength
        }
        var out: [UInt8] = []
        out.reserveCapacity(size)
        for entry in entries {
            out.append(contentsOf: entry.mode.octalDigits)
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: entry.name)
            out.append(0)
            entry.id.append(to: &out)
        }
        return out
    }

    /// The raw object for this tree.
    public var rawObject: RawObject { RawObject(kind: .tree, body: encoded()) }

    /// Decodes a tree body strictly.
    ///
    /// Throws `corruptObject` for a mode Git does not write (including
    /// zero-padded ones), an empty name, a name with `/` or that is `.` or
    /// `..`, a truncated id, or entries out of Git's order or duplicated.
    public init(decoding body: [UInt8], algorithm: HashAlgorithm) throws {
        var entries: [TreeEntry] = []
        let idLength = algorithm.digestLength
        try body.withUnsafeBufferPointer { bytes in
            var i = 0
            while i < bytes.count {
                var mode: UInt32 = 0
                let modeStart = i
                while i < bytes.count, bytes[i] != UInt8(ascii: " ") {
                    let digit = bytes[i] &- UInt8(ascii: "0")
                    guard digit < 8, i - modeStart < 7 else {
                        throw BanyanError(.corruptObject, "tree entry \(entries.count) has a malformed mode")
                    }
                    mode = mode << 3 | UInt32(digit)
                    i += 1
                }
                let fileMode = FileMode(rawValue: mode)
                guard i < bytes.count, i > modeStart, bytes[modeStart] != UInt8(ascii: "0"),
                      FileMode.canonical.contains(fileMode)
                else { throw BanyanError(.corruptObject, "tree entry \(entries.count) has a mode Git does not write") }
                i += 1
                let nameStart = i
                while i < bytes.count, bytes[i] != 0 { i += 1 }
                guard i < bytes.count else {
                    throw BanyanError(.corruptObject, "tree entry \(entries.count) has a name with no NUL terminator")
                }
                let name = Array(bytes[nameStart..<i])
                try Self.checkName(name, index: entries.count)
                i += 1
                guard i + idLength <= bytes.count else {
                    throw BanyanError(.corruptObject, "tree entry '\(String(decoding: name, as: UTF8.self))' has a truncated object id")
                }
                let id = ObjectID(digest: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[i..<(i + idLength)])), algorithm: algorithm)
                i += idLength
                let entry = TreeEntry(name: name, mode: fileMode, id: id)
                if let previous = entries.last, Tree.compareNames(previous.name, previous.mode.isDirectory, name, fileMode.isDirectory) >= 0 {
                    throw BanyanError(.corruptObject, "tree entries '\(previous.nameString)' and '\(entry.nameString)' are out of order or duplicated")
                }
                entries.append(entry)
            }
        }
        try Self.checkNoDuplicateNames(entries)
        self.init(sortedEntries: entries)
    }

    private static func checkName(_ name: [UInt8], index: Int) throws {
        guard !name.isEmpty else { throw BanyanError(.corruptObject, "tree entry \(index) has an empty name") }
        guard !name.contains(UInt8(ascii: "/")) else {
            throw BanyanError(.corruptObject, "tree entry '\(String(decoding: name, as: UTF8.self))' has a '/' in its name")
        }
        guard name != [UInt8(ascii: ".")], name != [UInt8(ascii: "."), UInt8(ascii: ".")] else {
            throw BanyanError(.corruptObject, "tree entry \(index) is named '.' or '..'")
        }
    }

    /// A file `a` and a directory `a` sort apart (`a` vs `a/`), so the order
    /// check alone does not catch them; Git's fsck calls this duplicateEntries.
    private static func checkNoDuplicateNames(_ entries: [TreeEntry]) throws {
        var files: [[UInt8]] = []
        for entry in entries where !entry.mode.isDirectory { files.append(entry.name) }
        guard !files.isEmpty else { return }
        let fileSet = Swift.Set(files)
        for entry in entries where entry.mode.isDirectory && fileSet.contains(entry.name) {
            throw BanyanError(.corruptObject, "tree has both a file and a directory named '\(entry.nameString)'")
        }
    }
}

extension FileMode {
    /// The octal text as bytes, without allocation for the canonical modes.
    var octalDigits: [UInt8] {
        switch self {
        case .regular: FileMode.regularDigits
        case .directory: FileMode.directoryDigits
        default: Array(octal.utf8)
        }
    }

    private static let regularDigits = Array("100644".utf8)
    private static let directoryDigits = Array("40000".utf8)
}

extension RawObject {
    /// A blob holding `bytes`.
    public static func blob(_ bytes: [UInt8]) -> RawObject {
        RawObject(kind: .blob, body: bytes)
    }
}
