import BanyanCore
import Testing

@Suite struct SignatureCodecTests {
    @Test(arguments: [
        ("Ada Author <ada@example.com> 1700000000 +0530", 330),
        ("Cy <cy@example.com> 1700000100 -0800", -480),
        ("Z <z@x> 0 +0000", 0),
        ("Nepal <n@x> 1 +0545", 345),
        ("Far West <w@x> 1700000000 -1200", -720),
        (" <nameless@x> 5 +1400", 840),
        ("Ünïcödé Nämé <u@x> 1700000000 +0100", 60),
    ])
    func roundTrips(line: String, zone: Int) throws {
        let signature = try Signature(decoding: Array(line.utf8)[...])
        #expect(signature.timeZoneMinutes == zone)
        #expect(signature.encoded() == Array(line.utf8))
    }

    @Test func fieldsAreParsed() throws {
        let signature = try Signature(decoding: Array("Ada Lovelace <ada@example.com> 1700000000 -0330".utf8)[...])
        #expect(signature == Signature(name: "Ada Lovelace", email: "ada@example.com", time: 1_700_000_000, timeZoneMinutes: -210))
    }

    @Test(arguments: [
        "Ada ada@example.com 1700000000 +0530",  // no <email>
        "Ada<ada@x> 1700000000 +0530",  // no space before <
        "Ada <ada@x 1700000000 +0530",  // no >
        "Ada <ada@x>1700000000 +0530",  // no space before the date
        "Ada <ada@x> 1700000000",  // no zone
        "Ada <ada@x> 01700000000 +0530",  // zero-padded date
        "Ada <ada@x> -5 +0530",
        "Ada <ada@x> 17e8 +0530",
        "Ada <ada@x> 99999999999999999999 +0530",  // overflows Int64
        "Ada <ada@x> 1700000000 +530",
        "Ada <ada@x> 1700000000 0530",
        "Ada <ada@x> 1700000000 +05300",
        "Ada <ada@x> 1700000000 +0530 ",
        "A>da <ada@x> 1700000000 +0530",
        "Ada <a<da@x> 1700000000 +0530",
    ])
    func malformedLinesAreRejected(line: String) {
        let error = #expect(throws: BanyanError.self) { try Signature(decoding: Array(line.utf8)[...]) }
        #expect(error?.code == .corruptObject)
        #expect(error?.message.contains(line) == true)
    }

    @Test(arguments: [
        Array("Ada <ada@x> 1700000000 +0575".utf8),  // minutes past 59: git fsck accepts them
        Array("Ada <ada@x> 1700000000 -0000".utf8),  // "zone unknown" to some tools
        Array("Ren".utf8) + [0xE9] + Array(" <r@x> 1 +0000".utf8),  // Latin-1, with an encoding header
        Array("R <r".utf8) + [0xFF] + Array("@x> 1 -0100".utf8),
    ])
    func linesGitAcceptsButBanyanWouldNotWriteKeepTheirBytes(line: [UInt8]) throws {
        let signature = try Signature(decoding: line[...])
        #expect(signature.storedLine == line)
        #expect(signature.encoded() == line)
        // Changing a field drops the stored bytes: the signature encodes canonically.
        var changed = signature
        changed.time += 1
        #expect(changed.storedLine == nil)
        #expect(changed.encoded() != line)
        #expect(try Signature(decoding: changed.encoded()[...]).time == signature.time + 1)
    }

    @Test func oddLinesDecodeToTheirFields() throws {
        let latin = try Signature(decoding: (Array("Ren".utf8) + [0xE9] + Array(" <r@x> 7 -0000".utf8))[...])
        #expect(latin.name == "Ren\u{FFFD}")
        #expect(latin.time == 7)
        #expect(latin.timeZoneMinutes == 0)
        #expect(try Signature(decoding: Array("A <a@x> 1 +0175".utf8)[...]).timeZoneMinutes == 135)
        #expect(try Signature(decoding: Array("A <a@x> 1 +0100".utf8)[...]).storedLine == nil)
    }

    @Test func decodesFromTheMiddleOfABuffer() throws {
        let buffer = Array("author A <a@x> 12 +0100\n".utf8)
        let signature = try Signature(decoding: buffer[7..<(buffer.count - 1)])
        #expect(signature == Signature(name: "A", email: "a@x", time: 12, timeZoneMinutes: 60))
    }

    @Test(arguments: [("", "a@x"), ("A <B>", "a@x"), ("A", "a>@x"), ("A\nB", "a@x"), ("A", "a@x\n"), ("A\0", "a@x")])
    func validationRejectsWhatGitCannotStore(name: String, email: String) {
        let error = #expect(throws: BanyanError.self) { try Signature.validate(name: name, email: email) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func validationAcceptsOrdinaryIdentities() throws {
        try Signature.validate(name: "Ada Lovelace", email: "ada@example.com")
        try Signature.validate(name: "Zoë", email: "")
    }
}
