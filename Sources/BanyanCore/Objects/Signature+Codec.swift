extension Signature {
    /// Checks that `name` and `email` can be written into a commit, tag or reflog line.
    ///
    /// `encoded()` cannot throw, so anything that builds a signature from user
    /// input calls this first. Throws `invalidArgument` for an empty name, or a
    /// name or email containing `<`, `>`, a newline or NUL.
    public static func validate(name: String, email: String) throws {
        guard !name.isEmpty else {
            throw BanyanError(.invalidArgument, "a signature needs a non-empty name")
        }
        for (field, text) in [("name", name), ("email", email)] {
            if let bad = text.utf8.first(where: { [0x3C, 0x3E, 0x0A, 0x00].contains($0) }) {
                throw BanyanError(
                    .invalidArgument,
                    "signature \(field) '\(text)' contains \(Self.describe(byte: bad)), which Git does not allow"
                )
            }
        }
    }

    /// The Git form `Name <email> 1700000000 +0530`, without a trailing newline.
    ///
    /// Callers validate with `validate(name:email:)`, keep `time` non-negative
    /// and the zone within ±99:59; otherwise the line does not decode again.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(name.utf8.count + email.utf8.count + 32)
        append(to: &out)
        return out
    }

    /// Appends the Git form to `out` (no trailing newline), sparing a temporary array.
    func append(to out: inout [UInt8]) {
        if let stored = storedLine {
            out.append(contentsOf: stored)
            return
        }
        out.append(contentsOf: name.utf8)
        out.append(contentsOf: " <".utf8)
        out.append(contentsOf: email.utf8)
        out.append(contentsOf: "> ".utf8)
        out.append(contentsOf: String(time).utf8)
        out.append(UInt8(ascii: " "))
        out.append(timeZoneMinutes < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        let zone = timeZoneMinutes.magnitude
        for digit in [zone / 600, zone / 60 % 10, zone % 60 / 10, zone % 10] {
            out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: digit))
        }
    }

    /// Parses a signature line such as `Name <email> 1700000000 +0530`.
    ///
    /// Reads what `git fsck` accepts and refuses what it calls an error:
    /// throws `corruptObject` for a line break (a header continued on a
    /// second line), a missing `" <"` or `"> "`, a date that is not plain
    /// decimal (or has a leading zero), or a zone that is not `±HHMM`. A
    /// line that is valid for git but not in Banyan's canonical form (the
    /// zone `-0000`, zone minutes of 60 or more, a name or email that is not
    /// UTF-8) decodes too, keeping its bytes in `storedLine` so it encodes
    /// back unchanged.
    public init(decoding line: ArraySlice<UInt8>) throws {
        func fail(_ problem: String) -> BanyanError {
            BanyanError(.corruptObject, "signature '\(String(decoding: line, as: UTF8.self))' \(problem)")
        }
        guard !line.contains(UInt8(ascii: "\n")) else { throw fail("spans more than one line") }
        guard let open = line.firstIndex(of: UInt8(ascii: "<")) else { throw fail("has no '<email>'") }
        guard open > line.startIndex, line[open - 1] == UInt8(ascii: " ") else {
            throw fail("has no space before '<'")
        }
        guard let close = line[open...].firstIndex(of: UInt8(ascii: ">")) else { throw fail("has no closing '>'") }
        let nameBytes = line[line.startIndex..<(open - 1)]
        let emailBytes = line[(open + 1)..<close]
        guard !nameBytes.contains(UInt8(ascii: ">")) else { throw fail("has '>' in the name") }
        guard !emailBytes.contains(UInt8(ascii: "<")) else { throw fail("has '<' in the email") }
        let validName = String(validating: nameBytes, as: UTF8.self)
        let validEmail = String(validating: emailBytes, as: UTF8.self)

        let rest = line[(close + 1)...]
        guard rest.first == UInt8(ascii: " ") else { throw fail("has no space before the date") }
        let fields = rest.dropFirst()
        guard let space = fields.firstIndex(of: UInt8(ascii: " ")) else { throw fail("has no time zone") }
        let timeBytes = fields[..<space]
        guard !timeBytes.isEmpty, timeBytes.allSatisfy(Self.isDigit),
              timeBytes.count == 1 || timeBytes.first != UInt8(ascii: "0"),
              let time = Int64(String(decoding: timeBytes, as: UTF8.self))
        else { throw fail("has a malformed date") }

        let zone = Array(fields[(space + 1)...])
        guard zone.count == 5, zone[0] == UInt8(ascii: "+") || zone[0] == UInt8(ascii: "-"),
              zone.dropFirst().allSatisfy(Self.isDigit)
        else { throw fail("has a time zone that is not ±HHMM") }
        let digits = zone.dropFirst().map { Int($0 - UInt8(ascii: "0")) }
        let minutes = digits[2] * 10 + digits[3]
        let offset = (digits[0] * 10 + digits[1]) * 60 + minutes
        let negative = zone[0] == UInt8(ascii: "-")
        self.init(name: validName ?? String(decoding: nameBytes, as: UTF8.self),
                  email: validEmail ?? String(decoding: emailBytes, as: UTF8.self),
                  time: time, timeZoneMinutes: negative ? -offset : offset)
        // Kept as stored where the fields would encode otherwise: `-0000`
        // ("zone unknown" to some tools) would become `+0000`, minutes past
        // 59 would carry into the hours, other encodings would become UTF-8.
        if validName == nil || validEmail == nil || minutes >= 60 || (negative && offset == 0) {
            preserved = Preserved(line: Array(line), name: name, email: email, time: time,
                                  timeZoneMinutes: timeZoneMinutes)
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func describe(byte: UInt8) -> String {
        switch byte {
        case 0x0A: "a newline"
        case 0x00: "NUL"
        default: "'\(Character(Unicode.Scalar(byte)))'"
        }
    }
}
