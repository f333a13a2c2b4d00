import BanyanCore
import Testing

@Suite struct ObjectIDTests {
    @Test(arguments: HashAlgorithm.allCases)
    func blobIDsMatchGit(algorithm: HashAlgorithm) throws {
        let git = try GitRepo(algorithm)
        for text in ["", "hello\n", String(repeating: "banyan ", count: 1000)] {
            let expected = try git.blob(text)
            #expect(RawObject.blob(Array(text.utf8)).id(algorithm) == expected)
            #expect(expected.algorithm == algorithm)
        }
    }

    @Test(arguments: HashAlgorithm.allCases)
    func emptyTreeIDMatchesGit(algorithm: HashAlgorithm) throws {
        let git = try GitRepo(algorithm)
        #expect(algorithm.emptyTreeID == (try git.hashObject(.tree, [])))
        #expect(Tree.empty.rawObject.id(algorithm) == algorithm.emptyTreeID)
    }

    @Test(arguments: [
        "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391",
        "473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813",
    ])
    func hexRoundTrips(hex: String) throws {
        let id = try #require(ObjectID(hex: hex))
        #expect(id.hex == hex)
        #expect(id.description == hex)
        #expect(ObjectID(hex: hex.uppercased()) == id)
        #expect(ObjectID(bytes: id.bytes) == id)
        #expect(id.algorithm.hexLength == hex.count)
        #expect(id.firstByte == UInt8(hex.prefix(2), radix: 16))
    }

    @Test(arguments: ["", "e69de", "e69de29bb2d1d6434b8b29ae775ad8c2e48c539", "g69de29bb2d1d6434b8b29ae775ad8c2e48c5391",
                      "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391 "])
    func malformedHexIsRejected(hex: String) {
        #expect(ObjectID(hex: hex) == nil)
        let error = #expect(throws: BanyanError.self) { try ObjectID(validating: hex) }
        #expect(error?.code == .invalidObjectID)
    }

    /// Every byte value, first and last: accepted exactly when it is a hex digit, as its value.
    @Test func everyByteIsTriedAsADigit() {
        let hexDigits = Array("0123456789abcdefABCDEF".utf8)
        for byte in UInt8.min...UInt8.max {
            for position in [0, 39] {
                var digits = Array(String(repeating: "0", count: 40).utf8)
                digits[position] = byte
                let id = ObjectID(hexDigits: digits)
                #expect((id != nil) == hexDigits.contains(byte), "\(byte) at \(position)")
                if let id {
                    let expected = Character(Unicode.Scalar(byte)).lowercased()
                    #expect(String(id.hex[id.hex.index(id.hex.startIndex, offsetBy: position)]) == expected)
                }
            }
        }
    }

    @Test func rawBytesOfWrongLengthAreRejected() {
        #expect(ObjectID(bytes: [UInt8](repeating: 1, count: 21)) == nil)
        #expect(ObjectID(bytes: [UInt8]()) == nil)
    }

    @Test func abbreviationsAndPrefixes() throws {
        let id = try ObjectID(validating: "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
        #expect(id.abbreviated() == "e69de29")
        #expect(id.abbreviated(12) == "e69de29bb2d1")
        #expect(id.abbreviated(1) == "e69d")
        #expect(id.hasHexPrefix("e69de"))
        #expect(!id.hasHexPrefix("e69df"))
        #expect(ObjectID.isHexPrefix("e69D"))
        #expect(!ObjectID.isHexPrefix("e69"))
        #expect(!ObjectID.isHexPrefix("e69x"))
        #expect(!ObjectID.isHexPrefix(String(repeating: "a", count: 65)))
    }

    @Test func orderingIsByDigestBytes() throws {
        let hexes = [
            "00000000000000000000000000000000000000ff",
            "0000000000000000000000000000000000000100",
            "8000000000000000000000000000000000000000",
            "ff00000000000000000000000000000000000000",
        ]
        let ids = try hexes.map { try ObjectID(validating: $0) }
        #expect(ids.shuffled().sorted() == ids)
        // A set digit further left makes a larger id, whichever word it falls in.
        let wide = try [63, 40, 20, 0].map { position in
            try ObjectID(validating: String(repeating: "0", count: position) + "1" + String(repeating: "0", count: 63 - position))
        }
        #expect(wide.shuffled().sorted() == wide)
    }

    @Test(arguments: HashAlgorithm.allCases)
    func zeroID(algorithm: HashAlgorithm) {
        let zero = ObjectID.zero(algorithm)
        #expect(zero.isZero)
        #expect(zero.hex == String(repeating: "0", count: algorithm.hexLength))
        #expect(!algorithm.emptyTreeID.isZero)
        #expect(zero < algorithm.emptyTreeID)
    }

    @Test func incrementalHashingMatchesOneShot() {
        let data = [UInt8](repeating: 7, count: 10_000)
        for algorithm in HashAlgorithm.allCases {
            var hasher = HashAlgorithm.Hasher(algorithm)
            hasher.update(data[..<3333])
            hasher.update(Array(data[3333...]))
            #expect(hasher.finalize() == algorithm.digest(data))
        }
    }
}
