@testable import Banyan
import Testing

/// The compact id index of an open append pack.
@Suite("Append pack index")
struct AppendPackIndexTests {
    private func id(_ n: Int, _ algorithm: HashAlgorithm) -> ObjectID {
        ObjectID.hash(kind: .blob, body: Array("object \(n)".utf8), algorithm: algorithm)
    }

    private func location(_ n: Int) -> AppendPackIndex.Location {
        AppendPackIndex.Location(offset: 12 + UInt64(n) * 37, crc32: UInt32(truncatingIfNeeded: n &* 2_654_435_761), depth: n % 51)
    }

    @Test(arguments: HashAlgorithm.allCases)
    func findsEveryObjectAcrossManyGrowths(_ algorithm: HashAlgorithm) {
        var index = AppendPackIndex(algorithm: algorithm)
        for n in 0..<20_000 {
            let inserted = index.insert(id(n, algorithm), at: location(n))
            #expect(inserted)
        }
        #expect(index.count == 20_000)
        for n in 0..<20_000 { #expect(index.location(of: id(n, algorithm)) == location(n)) }
        for n in 20_000..<21_000 { #expect(!index.contains(id(n, algorithm))) }
        #expect(index.ids == (0..<20_000).map { id($0, algorithm) })
    }

    @Test func aDuplicateKeepsTheFirstLocation() {
        var index = AppendPackIndex(algorithm: .sha1)
        let first = index.insert(id(1, .sha1), at: location(1))
        let again = index.insert(id(1, .sha1), at: location(2))
        #expect(first && !again)
        #expect(index.count == 1)
        #expect(index.location(of: id(1, .sha1)) == location(1))
        #expect(index.sortedEntries().count == 1)
    }

    @Test(arguments: HashAlgorithm.allCases)
    func idsSharingTheirFirstBytesAreToldApart(_ algorithm: HashAlgorithm) {
        // Same home slot for all: only the last digest byte differs.
        let ids = (0..<40).map { last -> ObjectID in
            var digest = [UInt8](repeating: 0xab, count: algorithm.digestLength)
            digest[digest.count - 1] = UInt8(last)
            return ObjectID(bytes: digest)!
        }
        var index = AppendPackIndex(algorithm: algorithm)
        for (n, id) in ids.enumerated() where n % 2 == 0 { index.insert(id, at: location(n)) }
        for (n, id) in ids.enumerated() {
            #expect(index.location(of: id) == (n % 2 == 0 ? location(n) : nil))
        }
    }

    @Test(arguments: HashAlgorithm.allCases)
    func sortedEntriesAreInIdOrderWithTheirLocations(_ algorithm: HashAlgorithm) {
        var index = AppendPackIndex(algorithm: algorithm)
        for n in 0..<3_000 { index.insert(id(n, algorithm), at: location(n)) }
        let entries = index.sortedEntries()
        #expect(entries.map(\.id) == (0..<3_000).map { id($0, algorithm) }.sorted())
        for entry in entries {
            #expect(index.location(of: entry.id)?.offset == entry.offset)
            #expect(index.location(of: entry.id)?.crc32 == entry.crc32)
        }
    }

    @Test func anEmptyIndexFindsNothingAndListsNothing() {
        let index = AppendPackIndex(algorithm: .sha1)
        #expect(index.sortedEntries().isEmpty)
        #expect(index.ids.isEmpty)
        #expect(!index.contains(id(0, .sha1)))
    }

    @Test func anIdOfTheOtherAlgorithmIsNotFound() {
        var index = AppendPackIndex(algorithm: .sha256)
        index.insert(id(5, .sha256), at: location(5))
        #expect(index.location(of: id(5, .sha1)) == nil)
    }

    @Test func largeOffsetsAndDepthsSurvive() {
        var index = AppendPackIndex(algorithm: .sha1)
        let far = AppendPackIndex.Location(offset: (1 << 56) - 1, crc32: .max, depth: 255)
        index.insert(id(9, .sha1), at: far)
        #expect(index.location(of: id(9, .sha1)) == far)
    }
}
