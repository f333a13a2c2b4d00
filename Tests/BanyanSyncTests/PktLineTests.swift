import BanyanCore
import Testing

@Suite("pkt-line")
struct PktLineTests {
    @Test func encodesDataAndSpecialPackets() throws {
        var writer = PktLineWriter()
        try writer.line("hello")
        writer.flush()
        writer.delim()
        writer.responseEnd()
        try writer.data([])
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "000ahello\n0000000100020004")
    }

    @Test func roundTripsAndSplitsSections() throws {
        var writer = PktLineWriter()
        try writer.line("command=ls-refs")
        writer.delim()
        try writer.line("peel")
        try writer.line("symrefs")
        writer.flush()
        var reader = PktLineReader(writer.bytes)
        let first = try reader.section()
        #expect(first.lines.map { String(decoding: $0, as: UTF8.self) } == ["command=ls-refs\n"])
        #expect(first.end == .delim)
        let second = try reader.section()
        #expect(second.lines.count == 2)
        #expect(second.end == .flush)
        #expect(try reader.next() == nil)
    }

    @Test func acceptsTheLongestPacketAndRefusesLonger() throws {
        let payload = [UInt8](repeating: 0x61, count: PktLine.maxPayload)
        let encoded = try PktLine.data(payload).encoded()
        #expect(encoded.prefix(4) == Array("fff0".utf8)[...])
        var reader = PktLineReader(encoded)
        #expect(try reader.next() == .data(payload))
        #expect(throws: BanyanError.self) { try PktLine.data(payload + [0]).encoded() }
        var long = PktLineReader(Array("fff1".utf8) + [UInt8](repeating: 0, count: 65517))
        let error = #expect(throws: BanyanError.self) { try long.next() }
        #expect(error?.code == .limitExceeded)
    }

    @Test(arguments: ["000", "zzzz", "0003", "00", "0009abc", "-001"])
    func refusesBadLengths(_ text: String) throws {
        var reader = PktLineReader(Array(text.utf8))
        let error = #expect(throws: BanyanError.self) { try reader.next() }
        #expect(error?.message.contains("pkt-line at offset 0") == true)
    }

    @Test func sideBandMultiplexesAndDemultiplexes() throws {
        var writer = PktLineWriter()
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0) }
        SideBand.write(Array("counting\n".utf8), band: .progress, to: &writer)
        SideBand.write(big, band: .data, to: &writer)
        writer.flush()
        var reader = PktLineReader(writer.bytes)
        var progress: [String] = []
        let data = try SideBand.demultiplex(&reader) { progress.append($0) }
        #expect(data == big)
        #expect(progress == ["counting\n"])
        #expect(reader.isAtEnd)
    }

    @Test func sideBandErrorBandThrowsTheRemoteMessage() throws {
        var writer = PktLineWriter()
        SideBand.write(Array("upload-pack: not our ref\n".utf8), band: .error, to: &writer)
        writer.flush()
        var reader = PktLineReader(writer.bytes)
        let error = #expect(throws: BanyanError.self) { try SideBand.demultiplex(&reader) }
        #expect(error?.message == "remote error: upload-pack: not our ref")
    }

    @Test func sideBandRefusesUnknownBand() throws {
        var writer = PktLineWriter()
        try writer.data([7, 1, 2])
        var reader = PktLineReader(writer.bytes)
        #expect(throws: BanyanError.self) { try SideBand.demultiplex(&reader) }
    }
}
