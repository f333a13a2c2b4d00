extension FsckRules {
    /// Git's `fsck_commit`, `fsck_tag` and `fsck_ident` over an object's
    /// bytes: the same order of checks, the same message ids and words.
    ///
    /// Past the end of the body reads as NUL, as Git's object buffers are
    /// NUL-terminated; `verifyHeaders` runs first, so every line scanned
    /// ends at a newline within the body.
    struct HeaderCheck {
        let body: [UInt8]
        let algorithm: HashAlgorithm
        /// Where the next header starts.
        var position = 0

        init(body: [UInt8], algorithm: HashAlgorithm) {
            self.body = body
            self.algorithm = algorithm
        }

        private func byte(_ index: Int) -> UInt8 { index < body.count ? body[index] : 0 }

        private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        /// Passes `prefix` when the next header starts with it.
        private mutating func skip(_ prefix: StaticString) -> Bool {
            let count = prefix.utf8CodeUnitCount
            guard position + count <= body.count else { return false }
            let matches = prefix.withUTF8Buffer { expected in
                (0..<count).allSatisfy { body[position + $0] == expected[$0] }
            }
            if matches { position += count }
            return matches
        }

        /// The id at `position` when it is one followed by a newline (Git's
        /// `parse_oid_hex`, upper-case hex included); moves past the line either way.
        private mutating func idLine() -> ObjectID? {
            let length = algorithm.hexLength
            defer {
                while position < body.count && body[position] != UInt8(ascii: "\n") { position += 1 }
                position += 1
            }
            guard position + length < body.count, body[position + length] == UInt8(ascii: "\n") else { return nil }
            return ObjectID(hex: String(decoding: body[position..<position + length], as: UTF8.self).lowercased())
        }

        /// Git's `verify_headers`: no NUL before the blank line that ends
        /// the headers, and the last header ends with a newline. False
        /// (having reported) when they do not: nothing else can be scanned.
        private func verifyHeaders(_ reporter: inout Reporter) -> Bool {
            for index in body.indices {
                switch body[index] {
                case 0:
                    _ = reporter.found(.nulInHeader, "unterminated header: NUL at offset \(index)")
                    return false
                case UInt8(ascii: "\n") where byte(index + 1) == UInt8(ascii: "\n"):
                    return true
                default:
                    continue
                }
            }
            if body.last == UInt8(ascii: "\n") { return true }
            _ = reporter.found(.unterminatedHeader, "unterminated header")
            return false
        }

        /// Git's `fsck_commit`; true when it stopped at an error.
        mutating func checkCommit(_ reporter: inout Reporter, link: (Link) -> Void) -> Bool {
            guard verifyHeaders(&reporter) else { return true }
            guard skip("tree ") else { return reporter.found(.missingTree, "invalid format - expected 'tree' line") }
            if let tree = idLine() {
                link(Link(id: tree, kind: .tree))
            } else if reporter.found(.badTreeSha1, "invalid 'tree' line format - bad sha1") {
                return true
            }
            while skip("parent ") {
                if let parent = idLine() {
                    link(Link(id: parent, kind: .commit))
                } else if reporter.found(.badParentSha1, "invalid 'parent' line format - bad sha1") {
                    return true
                }
            }
            var authors = 0
            while skip("author ") {
                authors += 1
                if checkIdent(&reporter) { return true }
            }
            if authors == 0, reporter.found(.missingAuthor, "invalid format - expected 'author' line") { return true }
            if authors > 1, reporter.found(.multipleAuthors, "invalid format - multiple 'author' lines") { return true }
            guard skip("committer ") else {
                return reporter.found(.missingCommitter, "invalid format - expected 'committer' line")
            }
            if checkIdent(&reporter) { return true }
            if body.contains(0) { return reporter.found(.nulInCommit, "NUL byte in the commit object body") }
            return false
        }

        /// Git's `fsck_tag`; true when it stopped at an error.
        mutating func checkTag(_ reporter: inout Reporter, link: (Link) -> Void) -> Bool {
            guard verifyHeaders(&reporter) else { return true }
            guard skip("object ") else { return reporter.found(.missingObject, "invalid format - expected 'object' line") }
            let object = idLine()
            if object == nil, reporter.found(.badObjectSha1, "invalid 'object' line format - bad sha1") { return true }
            guard skip("type ") else { return reporter.found(.missingTypeEntry, "invalid format - expected 'type' line") }
            guard let typeEnd = body[position...].firstIndex(of: UInt8(ascii: "\n")) else {
                return reporter.found(.missingType, "invalid format - unexpected end after 'type' line")
            }
            guard let kind = ObjectKind(rawValue: String(decoding: body[position..<typeEnd], as: UTF8.self)) else {
                return reporter.found(.badType, "invalid 'type' value")
            }
            if let object { link(Link(id: object, kind: kind)) }
            position = typeEnd + 1
            guard skip("tag ") else { return reporter.found(.missingTagEntry, "invalid format - expected 'tag' line") }
            guard let nameEnd = body[position...].firstIndex(of: UInt8(ascii: "\n")) else {
                return reporter.found(.missingTag, "invalid format - unexpected end after 'type' line")
            }
            let name = String(decoding: body[position..<nameEnd], as: UTF8.self)
            if !RefName.isValid("refs/tags/" + name), reporter.found(.badTagName, "invalid 'tag' name: \(name)") { return true }
            position = nameEnd + 1
            if skip("tagger ") {
                if checkIdent(&reporter) { return true }
            } else if reporter.found(.missingTaggerEntry, "invalid format - expected 'tagger' line") {
                return true
            }
            if position < body.count && body[position] != UInt8(ascii: "\n") {
                return reporter.found(.extraHeaderEntry, "invalid format - extra header(s) after 'tagger'")
            }
            return false
        }

        /// Git's `fsck_ident` on the rest of an author, committer or tagger
        /// line, moving past the line; true when it found an error.
        private mutating func checkIdent(_ reporter: inout Reporter) -> Bool {
            var p = position
            while position < body.count && body[position] != UInt8(ascii: "\n") { position += 1 }
            if position < body.count { position += 1 }
            let prefix = "invalid author/committer line - "
            func stopsAt(_ byte: UInt8) -> Bool {
                byte == 0 || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "\n")
            }
            if byte(p) == UInt8(ascii: "<") { return reporter.found(.missingNameBeforeEmail, prefix + "missing space before email") }
            while !stopsAt(byte(p)) { p += 1 }
            if byte(p) == UInt8(ascii: ">") { return reporter.found(.badName, prefix + "bad name") }
            if byte(p) != UInt8(ascii: "<") { return reporter.found(.missingEmail, prefix + "missing email") }
            if byte(p - 1) != UInt8(ascii: " ") { return reporter.found(.missingSpaceBeforeEmail, prefix + "missing space before email") }
            p += 1
            while !stopsAt(byte(p)) { p += 1 }
            if byte(p) != UInt8(ascii: ">") { return reporter.found(.badEmail, prefix + "bad email") }
            p += 1
            if byte(p) != UInt8(ascii: " ") { return reporter.found(.missingSpaceBeforeDate, prefix + "missing space before date") }
            p += 1
            while byte(p) == UInt8(ascii: " ") || byte(p) == UInt8(ascii: "\t") { p += 1 }
            if !Self.isDigit(byte(p)) { return reporter.found(.badDate, prefix + "bad date") }
            if byte(p) == UInt8(ascii: "0") && byte(p + 1) != UInt8(ascii: " ") {
                return reporter.found(.zeroPaddedDate, prefix + "zero-padded date")
            }
            // strtoumax saturates; Git calls anything from 2^63 on an overflow.
            var value: UInt64 = 0
            var overflows = false
            var end = p
            while Self.isDigit(byte(end)) {
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (plus, o2) = times.addingReportingOverflow(UInt64(byte(end) - UInt8(ascii: "0")))
                overflows = overflows || o1 || o2
                value = plus
                end += 1
            }
            if overflows || value >= 1 << 63 { return reporter.found(.badDateOverflow, prefix + "date causes integer overflow") }
            if byte(end) != UInt8(ascii: " ") { return reporter.found(.badDate, prefix + "bad date") }
            p = end + 1
            let sign = byte(p)
            guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), (1...4).allSatisfy({ Self.isDigit(byte(p + $0)) }),
                  byte(p + 5) == UInt8(ascii: "\n") else {
                return reporter.found(.badTimezone, prefix + "bad time zone")
            }
            return false
        }
    }
}
