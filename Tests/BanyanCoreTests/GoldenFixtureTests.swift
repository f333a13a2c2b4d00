import BanyanCore
import Foundation
import Testing

/// Checks the object bodies in Fixtures/golden, written by real git through
/// Fixtures/make-fixtures.sh, so the codecs are pinned even where git is absent.
@Suite struct GoldenFixtureTests {
    private static let golden = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/golden")

    private struct Fixture {
        var name: String
        var kind: ObjectKind
        var id: ObjectID
    }

    private func fixtures(_ algorithm: HashAlgorithm) throws -> [Fixture] {
        let list = try String(contentsOf: Self.golden.appendingPathComponent("\(algorithm.rawValue)/ids.txt"), encoding: .utf8)
        return try list.split(separator: "\n").map { line in
            let fields = line.split(separator: " ")
            let kind = try #require(fields.count == 3 ? ObjectKind(rawValue: String(fields[1])) : nil, "bad line '\(line)'")
            return Fixture(name: String(fields[0]), kind: kind, id: try ObjectID(validating: fields[2]))
        }
    }

    @Test(arguments: HashAlgorithm.allCases)
    func goldenObjectsRoundTripByteForByte(algorithm: HashAlgorithm) throws {
        let fixtures = try fixtures(algorithm)
        #expect(Set(fixtures.map(\.name)) == ["tree-all-modes", "commit-merge", "commit-signed", "tag-annotated"])
        for fixture in fixtures {
            let url = Self.golden.appendingPathComponent("\(algorithm.rawValue)/\(fixture.name).\(fixture.kind.rawValue)")
            let body = try [UInt8](Data(contentsOf: url))
            let reencoded: RawObject
            switch fixture.kind {
            case .tree: reencoded = try Tree(decoding: body, algorithm: algorithm).rawObject
            case .commit: reencoded = try Commit(decoding: body, algorithm: algorithm).rawObject
            case .tag: reencoded = try BanyanCore.Tag(decoding: body, algorithm: algorithm).rawObject
            case .blob: reencoded = .blob(body)
            }
            #expect(reencoded.body == body, "\(fixture.name) did not re-encode byte for byte")
            #expect(reencoded.id(algorithm) == fixture.id, "\(fixture.name) hashed to the wrong id")
            #expect(fixture.id.algorithm == algorithm)
        }
    }

    @Test(arguments: HashAlgorithm.allCases)
    func goldenObjectsHaveTheExpectedShape(algorithm: HashAlgorithm) throws {
        let base = Self.golden.appendingPathComponent(algorithm.rawValue)
        let tree = try Tree(decoding: [UInt8](Data(contentsOf: base.appendingPathComponent("tree-all-modes.tree"))), algorithm: algorithm)
        #expect(Set(tree.entries.map(\.mode)) == Set(FileMode.canonical))
        #expect(tree.entries.map(\.nameString) == ["a-b", "a.txt", "a", "a0", "link", "module"])

        let merge = try Commit(decoding: [UInt8](Data(contentsOf: base.appendingPathComponent("commit-merge.commit"))), algorithm: algorithm)
        #expect(merge.parents.count == 2)
        #expect(merge.author.timeZoneMinutes == 330)
        #expect(merge.committer.timeZoneMinutes == -480)

        let signed = try Commit(decoding: [UInt8](Data(contentsOf: base.appendingPathComponent("commit-signed.commit"))), algorithm: algorithm)
        #expect(signed.encoding == "ISO-8859-1")
        #expect(signed.extraHeaders.map(\.key) == ["encoding", "gpgsig"])
        #expect(signed.extraHeaders[1].value.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count == 5)

        let tag = try BanyanCore.Tag(decoding: [UInt8](Data(contentsOf: base.appendingPathComponent("tag-annotated.tag"))), algorithm: algorithm)
        #expect(tag.name == "v1.0")
        #expect(tag.objectKind == .commit)
        #expect(tag.object == signed.rawObject.id(algorithm))
    }
}
