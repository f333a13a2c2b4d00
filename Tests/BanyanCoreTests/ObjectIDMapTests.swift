import BanyanCore
import BanyanTestSupport
import Testing

/// `ObjectIDMap` and `ObjectIDSet` agree with a `Dictionary` on ids that
/// share their first bytes (so probes collide), through growth, for both
/// hash algorithms.
@Suite struct ObjectIDMapTests {
    @Test(arguments: HashAlgorithm.allCases)
    func agreesWithADictionary(_ algorithm: HashAlgorithm) {
        var random = SeededRandom(seed: 17)
        var map = ObjectIDMap<Int>(capacity: 4)
        var set = ObjectIDSet(capacity: 4)
        var expected: [ObjectID: Int] = [:]
        var ids: [ObjectID] = []
        for n in 0..<5000 {
            // Half the ids differ only past the bytes the map hashes.
            var bytes = (0..<algorithm.digestLength).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if n % 2 == 0 { for i in 0..<12 { bytes[i] = 0 } }
            let id = bytes.withUnsafeBytes { ObjectID(digest: $0, algorithm: algorithm) }
            let repeated = !ids.isEmpty && random.below(4) == 0
            let key = repeated ? ids[random.below(ids.count)] : id
            let inserted = map.insert(key, n)
            #expect(inserted == (expected[key] == nil))
            #expect(set.insert(key) == inserted)
            if inserted {
                expected[key] = n
                ids.append(key)
            }
        }
        #expect(map.count == expected.count && set.count == expected.count)
        for (id, value) in expected {
            #expect(map[id] == value)
            #expect(set.contains(id))
        }
        let absent = [UInt8](repeating: 0xEE, count: algorithm.digestLength).withUnsafeBytes { ObjectID(digest: $0, algorithm: algorithm) }
        #expect(map[absent] == nil && !set.contains(absent))
    }
}
