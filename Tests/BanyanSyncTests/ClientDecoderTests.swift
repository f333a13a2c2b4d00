import Banyan
@testable import BanyanSync
import BanyanTestSupport
import Foundation
import Testing

/// The client's decoders of what a remote sends, on the inputs the fuzz
/// targets of the same names found or stand for.
@Suite("Sync: client decoders")
struct ClientDecoderTests {
    private func pkt(_ text: String) -> [UInt8] {
        Array(String(format: "%04x", text.utf8.count + 4).utf8) + Array(text.utf8)
    }

    @Test("report-status: each ref's verdict; an 'ng' without a name is refused, not a trap")
    func reportStatus() throws {
        let report = pkt("unpack ok\n") + pkt("ok refs/heads/main\n") + pkt("ng refs/tags/v1 already exists\n") + Array("0000".utf8)
        let statuses = try GitClient.parseReportStatus(report, names: ["refs/heads/main", "refs/tags/v1", "refs/heads/x"])
        #expect(statuses["refs/heads/main"] == .some(nil))
        #expect(statuses["refs/tags/v1"] == .some("already exists"))
        #expect(statuses["refs/heads/x"] == .some("the remote did not report on this ref"))
        #expect(throws: BanyanError.self) { try GitClient.parseReportStatus(pkt("ng \n"), names: []) }
        let unpack = pkt("unpack index-pack failed\n") + Array("0000".utf8)
        #expect(throws: BanyanError.self) { try GitClient.parseReportStatus(unpack, names: ["refs/heads/main"]) }
    }

    /// The fuzzer's finding: bytes after the packfile section's flush made
    /// the response fail when they came in the flush's network read, and
    /// were ignored when they came in a later one.
    @Test("a fetch response reads the same whatever pieces the network cuts it into")
    func fetchResponseInPieces() throws {
        let repository = try Repository.inMemory()
        let pack: [UInt8] = Array("PACK".utf8) + [0, 0, 0, 2, 0, 0, 0, 0] + Array(repeating: 7, count: 20)
        var response = pkt("packfile\n") + pkt("\u{2}Counting objects: 1\n")
        response += Array(String(format: "%04x", pack.count + 5).utf8) + [1] + pack
        response += Array("0000".utf8) + Array("trailing garbage".utf8)
        var results: [[UInt8]] = []
        for piece in [1, 3, 7, response.count - 10, response.count] {
            let spool = try PackSpool(for: repository)
            let stream = FetchResponseStream(pack: spool, progress: nil)
            var offset = 0
            while offset < response.count {
                let end = min(offset + piece, response.count)
                try response[offset..<end].withUnsafeBytes { try stream.append($0) }
                offset = end
            }
            #expect(try stream.finish() == pkt("packfile\n"), "pieces of \(piece)")
            results.append(try spool.bytes().withUnsafeBytes { Array($0) })
        }
        #expect(results.allSatisfy { $0 == pack })
    }
}
