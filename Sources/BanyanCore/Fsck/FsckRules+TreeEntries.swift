extension FsckRules {
    /// Git's `fsck_tree`: every entry's mode, name, id and order, the
    /// findings reported once per tree in Git's order, and the entries'
    /// links (by the mode Git reads each as, gitlinks and unknown types
    /// excluded). An entry that cannot be parsed is a `badTree` and ends
    /// the scan.
    static func checkTreeEntries(
        _ body: UnsafeRawBufferPointer, algorithm: HashAlgorithm, reporter: inout Reporter, link: (Link) -> Void
    ) {
        var flags: Set<FsckMessageID> = []
        let digestLength = algorithm.digestLength
        var position = 0
        var previous: (mode: UInt32, name: [UInt8])?
        var candidates: [[UInt8]] = []
        while position < body.count {
            // Git's `decode_tree_entry`: raw modes, a name that is not empty, and a
            // NUL before the last id's place however long the entry.
            guard body.count - position >= digestLength + 3, body[body.count - digestLength - 1] == 0,
                  let entry = try? TreeEntryCursor.entry(in: body, at: position, digestLength: digestLength),
                  !entry.name.isEmpty else {
                _ = reporter.found(.badTree, "cannot be parsed as a tree")
                break
            }
            let name = Array(body[entry.name])
            let id = ObjectID(digest: UnsafeRawBufferPointer(rebasing: body[entry.idStart(digestLength: digestLength)..<entry.end]),
                              algorithm: algorithm)
            if id.isZero { flags.insert(.nullSha1) }
            if name.contains(UInt8(ascii: "/")) { flags.insert(.fullPathname) }
            if name == [UInt8(ascii: ".")] { flags.insert(.hasDot) }
            if name == [UInt8(ascii: "."), UInt8(ascii: ".")] { flags.insert(.hasDotdot) }
            if isDotGit(name) { flags.insert(.hasDotgit) }
            if body[position] == UInt8(ascii: "0") { flags.insert(.zeroPaddedFilemode) }
            if name.count > reporter.policy.maxPathnameLength { flags.insert(.largePathname) }
            let isSymlink = entry.mode & 0o170000 == 0o120000
            if isSymlink {
                for (file, message) in [("gitmodules", FsckMessageID.gitmodulesSymlink), ("gitattributes", .gitattributesSymlink),
                                        ("gitignore", .gitignoreSymlink), ("mailmap", .mailmapSymlink)]
                where isDotFile(name, file) {
                    _ = reporter.found(message, message == .gitmodulesSymlink ? ".gitmodules is a symbolic link" : ".\(file) is a symlink")
                }
            }
            switch entry.mode {
            case 0o100755, 0o100644, 0o120000, 0o040000, 0o160000: break
            case 0o100664 where !reporter.policy.strict: break
            default: flags.insert(.badFilemode)
            }
            if let previous {
                switch verifyOrdered(previous.mode, previous.name, entry.mode, name, candidates: &candidates) {
                case .unordered: flags.insert(.treeNotSorted)
                case .duplicate: flags.insert(.duplicateEntries)
                case .ordered: break
                }
            }
            previous = (entry.mode, name)
            let isAttributes = !isSymlink && isDotFile(name, "gitattributes")
            let isGitmodules = !isSymlink && isDotFile(name, "gitmodules")
            if let kind = FileMode.readByGit(entry.mode)?.objectKind, FileMode.readByGit(entry.mode) != .gitlink {
                if isAttributes && kind != .blob { flags.insert(.gitattributesBlob) }
                if isGitmodules && kind != .blob { flags.insert(.gitmodulesBlob) }
                link(Link(id: id, kind: kind, isAttributes: isAttributes, isGitmodules: isGitmodules))
            }
            position = entry.end
        }
        let words: [(FsckMessageID, String)] = [
            (.nullSha1, "contains entries pointing to null sha1"), (.fullPathname, "contains full pathnames"),
            (.hasDot, "contains '.'"), (.hasDotdot, "contains '..'"), (.hasDotgit, "contains '.git'"),
            (.zeroPaddedFilemode, "contains zero-padded file modes"), (.badFilemode, "contains bad file modes"),
            (.duplicateEntries, "contains duplicate file entries"), (.treeNotSorted, "not properly sorted"),
            (.largePathname, "contains excessively large pathname"), (.gitattributesBlob, "non-blob found at .gitattributes"),
            (.gitmodulesBlob, "non-blob found at .gitmodules"),
        ]
        for (message, detail) in words where flags.contains(message) { _ = reporter.found(message, detail) }
    }

    /// True when Git would take the entry `name` for its own directory on
    /// some filesystem: the name itself, or a part after a `\` (NTFS).
    private static func isDotGit(_ name: [UInt8]) -> Bool {
        if Key.isReservedForGit(name: name) { return true }
        guard name.contains(UInt8(ascii: "\\")) else { return false }
        return name.split(separator: UInt8(ascii: "\\"), omittingEmptySubsequences: false).dropFirst()
            .contains { Key.isReservedForGit(name: Array($0)) }
    }

    /// True when `name` is `.file` as Git matches its special files: any
    /// case, trailing dots and spaces (NTFS), and the zero-width code points
    /// HFS+ ignores. (Git's NTFS short names, such as `gitmod~1`, are not matched.)
    static func isDotFile(_ name: [UInt8], _ file: String) -> Bool {
        guard name.first == UInt8(ascii: "."), name.count > file.utf8.count else { return false }
        var scalars = String(decoding: name, as: UTF8.self).unicodeScalars.map(\.value)
        if name.contains(where: { $0 >= 0x80 }) {
            scalars.removeAll { (0x200C...0x200F).contains($0) || (0x202A...0x202E).contains($0) || (0x206A...0x206F).contains($0) || $0 == 0xFEFF }
        }
        let expected = [UInt32(UInt8(ascii: "."))] + file.utf8.map(UInt32.init)
        guard scalars.count >= expected.count else { return false }
        let head = scalars[..<expected.count].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        return head == expected && scalars[expected.count...].allSatisfy { $0 == 0x2E || $0 == 0x20 }
    }

    private enum Order { case ordered, unordered, duplicate }

    /// Git's `verify_ordered`: whether `name2` may follow `name1` in a
    /// tree, directories sorting as if their name ended in `/`, with the
    /// stack of files a later directory of the same name could collide with.
    private static func verifyOrdered(
        _ mode1: UInt32, _ name1: [UInt8], _ mode2: UInt32, _ name2: [UInt8], candidates: inout [[UInt8]]
    ) -> Order {
        let common = min(name1.count, name2.count)
        for index in 0..<common where name1[index] != name2[index] {
            return name1[index] < name2[index] ? .ordered : .unordered
        }
        var c1 = name1.count > common ? name1[common] : 0
        var c2 = name2.count > common ? name2[common] : 0
        if c1 == 0 && c2 == 0 { return .duplicate }
        let slash = UInt8(ascii: "/")
        if c1 == 0 && mode1 & 0o170000 == 0o040000 { c1 = slash }
        if c2 == 0 && mode2 & 0o170000 == 0o040000 { c2 = slash }
        func isLessThanSlash(_ byte: UInt8) -> Bool { byte != 0 && byte < slash }
        if c1 == 0 && isLessThanSlash(c2) {
            candidates.append(name1)
        } else if c2 == slash && isLessThanSlash(c1) {
            while let file = candidates.popLast() {
                guard name2.starts(with: file) else { continue }
                if name2.count == file.count { return .duplicate }
                if isLessThanSlash(name2[file.count]) {
                    candidates.append(file)
                    break
                }
            }
        }
        return c1 < c2 ? .ordered : .unordered
    }
}

extension FsckRules {
    /// `checkTree` without the in-place scan: Git's entry by entry check
    /// alone, the reference the scan is tested against.
    package static func checkTreeEntries(
        _ body: [UInt8], id: ObjectID, algorithm: HashAlgorithm, policy: FsckPolicy = FsckPolicy(),
        report: (FsckFinding) -> Void = { _ in }
    ) throws -> [Link] {
        var reporter = Reporter(policy: policy, kind: .tree, id: id)
        var links: [Link] = []
        body.withUnsafeBytes { checkTreeEntries($0, algorithm: algorithm, reporter: &reporter) { links.append($0) } }
        try reporter.finish(report)
        return links
    }
}
