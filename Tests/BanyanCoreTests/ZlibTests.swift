import BanyanCore
import Foundation
import Testing

@Suite struct ZlibTests {
    @Test(arguments: [0, 1, 100, 65_537, 1_000_000])
    func roundTrip(size: Int) throws {
        var generator = SystemRandomNumberGenerator()
        let input = (0..<size).map { i in i % 3 == 0 ? UInt8.random(in: 0...255, using: &generator) : UInt8(i & 0x0f) }
        for level: Int32 in [-1, 0, 1, 9] {
            #expect(try Zlib.inflate(Zlib.deflate(input, level: level)) == input)
        }
        #expect(try Zlib.inflate(Zlib.deflate(input), sizeHint: size) == input)
    }

    @Test(arguments: HashAlgorithm.allCases)
    func inflatesGitLooseObjects(algorithm: HashAlgorithm) throws {
        let git = try GitRepo(algorithm)
        let text = String(repeating: "loose object bytes\n", count: 200)
        let id = try git.blob(text)
        let compressed = try [UInt8](Data(contentsOf: git.looseObjectURL(id)))
        let object = try RawObject(looseEncoding: Zlib.inflate(compressed))
        #expect(object == RawObject.blob(Array(text.utf8)))
        #expect(object.id(algorithm) == id)
        #expect(object.encoded == (try Zlib.inflate(compressed)))
    }

    @Test func ourDeflateIsReadableByGit() throws {
        let git = try GitRepo(.sha1)
        let object = RawObject.blob(Array("written by Banyan\n".utf8))
        let id = object.id(.sha1)
        let url = git.looseObjectURL(id)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(Zlib.deflate(object.encoded)).write(to: url)
        #expect(try git.catFile(.blob, id) == object.body)
    }

    @Test func truncatedStreamIsRejected() {
        let compressed = Zlib.deflate(Array(repeating: 42, count: 10_000))
        let error = #expect(throws: BanyanError.self) { try Zlib.inflate(Array(compressed.dropLast(5))) }
        #expect(error?.code == .decompression)
    }

    @Test func trailingGarbageIsRejected() {
        let compressed = Zlib.deflate(Array("payload".utf8)) + [1, 2, 3]
        let error = #expect(throws: BanyanError.self) { try Zlib.inflate(compressed) }
        #expect(error?.code == .decompression)
    }

    @Test func streamFollowedByMoreDataReportsWhatItUsed() throws {
        let first = Zlib.deflate(Array("first".utf8))
        let joined = first + Zlib.deflate(Array("second".utf8))
        let result = try joined.withUnsafeBytes { try Zlib.inflate($0) }
        #expect(result.output == Array("first".utf8))
        #expect(result.consumed == first.count)
    }

    @Test func corruptStreamIsRejected() {
        let error = #expect(throws: BanyanError.self) { try Zlib.inflate([0x78, 0x9c, 0xff, 0xff, 0xff, 0xff]) }
        #expect(error?.code == .decompression)
    }

    @Test func zipBombIsStoppedAtTheLimit() throws {
        let bomb = Zlib.deflate([UInt8](repeating: 0, count: 100 << 20), level: 9)
        #expect(bomb.count < 200_000)
        let error = #expect(throws: BanyanError.self) { try Zlib.inflate(bomb, limit: 1 << 20) }
        #expect(error?.code == .limitExceeded)
        let lying = #expect(throws: BanyanError.self) { try Zlib.inflate(bomb, limit: 1 << 20, sizeHint: 10) }
        #expect(lying?.code == .limitExceeded)
    }

    @Test func outputExactlyAtTheLimitIsAllowed() throws {
        let input = [UInt8](repeating: 9, count: 4096)
        #expect(try Zlib.inflate(Zlib.deflate(input), limit: 4096) == input)
        let error = #expect(throws: BanyanError.self) { try Zlib.inflate(Zlib.deflate(input), limit: 4095) }
        #expect(error?.code == .limitExceeded)
    }
}
