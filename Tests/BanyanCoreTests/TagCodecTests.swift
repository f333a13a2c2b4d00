import BanyanCore
import Testing

// Swift Testing has its own `Tag`, so this file spells out `BanyanCore.Tag`.
@Suite struct TagCodecTests {
    @discardableResult
    private func roundTrip(_ git: GitRepo, _ id: ObjectID) throws -> BanyanCore.Tag {
        let body = try git.catFile(.tag, id)
        let tag = try BanyanCore.Tag(decoding: body, algorithm: git.algorithm)
        #expect(tag.encoded() == body)
        #expect(tag.rawObject.id(git.algorithm) == id)
        return tag
    }

    @Test(arguments: HashAlgorithm.allCases)
    func annotatedTagFromGitRoundTrips(algorithm: HashAlgorithm) throws {
        let git = try GitRepo(algorithm)
        try git.hashObject(.tree, [])
        let commit = try git.id(["commit-tree", algorithm.emptyTreeID.hex, "-m", "tagged"])
        try git.run(["tag", "-a", "-m", "Release 1.0", "-m", "Notes.", "v1.0", commit.hex],
                    environment: ["GIT_COMMITTER_DATE": "1700000900 -0800"])
        let id = try git.id(["rev-parse", "refs/tags/v1.0"])
        let tag = try roundTrip(git, id)
        #expect(tag.object == commit)
        #expect(tag.objectKind == .commit)
        #expect(tag.name == "v1.0")
        #expect(tag.tagger == Signature(name: "Cy Committer", email: "cy@example.com", time: 1_700_000_900, timeZoneMinutes: -480))
        #expect(String(decoding: tag.message, as: UTF8.self) == "Release 1.0\n\nNotes.\n")
    }

    @Test(arguments: HashAlgorithm.allCases)
    func mktagOfATreeRoundTrips(algorithm: HashAlgorithm) throws {
        let git = try GitRepo(algorithm)
        let tree = try git.hashObject(.tree, [])
        let text = "object \(tree)\ntype tree\ntag snapshot\ntagger T <t@x> 1700000000 +0530\n\nA tree.\n"
        let id = try git.id(["mktag"], input: Array(text.utf8))
        let tag = try roundTrip(git, id)
        #expect(tag.objectKind == .tree)
        #expect(tag.encoded() == Array(text.utf8))
    }

    @Test(arguments: HashAlgorithm.allCases)
    func tagBuiltInSwiftMatchesGit(algorithm: HashAlgorithm) throws {
        let git = try GitRepo(algorithm)
        let blob = try git.blob("tagged blob\n")
        let tag = BanyanCore.Tag(
            object: blob, objectKind: .blob, name: "blob-tag",
            tagger: Signature(name: "T", email: "t@x", time: 1_700_000_000, timeZoneMinutes: -60),
            message: Array("A blob.\n".utf8)
        )
        #expect(tag.rawObject.id(algorithm) == (try git.id(["mktag"], input: tag.encoded())))
    }

    @Test func tagWithoutTaggerAndWithExtraHeadersRoundTrips() throws {
        // Git's oldest tags have no tagger line; mktag refuses them now, so the bytes are written by hand.
        let text = "object \(HashAlgorithm.sha1.emptyTreeID)\ntype tree\ntag old\nx-extra one\n two\n\nmessage\n"
        let tag = try BanyanCore.Tag(decoding: Array(text.utf8), algorithm: .sha1)
        #expect(tag.tagger == nil)
        #expect(tag.extraHeaders == [ExtraHeader(key: "x-extra", value: "one\ntwo")])
        #expect(tag.encoded() == Array(text.utf8))
    }

    @Test(arguments: [
        ("type commit\ntag v\n\nm", "does not start with the 'object' header"),
        ("object {T}\ntag v\n\nm", "no 'type' header"),
        ("object {T}\ntype commit\n\nm", "no 'tag' header"),
        ("object {T}\ntype thing\ntag v\n\nm", "is not an object kind"),
        ("object {T}\ntype tree\ntag v\ntagger T t@x 1 +0000\n\nm", "has no '<email>'"),
        ("object {T}\ntype tree\ntag v\ntagger T <t@x> 1 +0000\ntag w\n\nm", "'tag' header out of place"),
        ("object {T}\ntype tree\ntag v\n multi\ntagger T <t@x> 1 +0000\n\nm", "not a single line"),
        ("object {T}\ntype tree\ntag v\ntagger T\n more <t@x> 1 +0000\n\nm", "spans more than one line"),
        ("object abc\ntype tree\ntag v\n\nm", "is not a lowercase"),
    ])
    func malformedTagsAreRejected(template: String, problem: String) {
        let text = template.replacingOccurrences(of: "{T}", with: HashAlgorithm.sha1.emptyTreeID.hex)
        let error = #expect(throws: BanyanError.self) { try BanyanCore.Tag(decoding: Array(text.utf8), algorithm: .sha1) }
        #expect(error?.code == .corruptObject)
        #expect(error?.message.contains(problem) == true, "\(error?.message ?? "no error") should mention \(problem)")
    }

    @Test func aTagEndingAtItsHeadersKeepsItsBytes() throws {
        let text = "object \(HashAlgorithm.sha1.emptyTreeID.hex)\ntype tree\ntag v\ntagger T <t@x> 1 +0000\n"
        let tag = try BanyanCore.Tag(decoding: Array(text.utf8), algorithm: .sha1)
        #expect(tag.endsAtHeaders && tag.message.isEmpty)
        #expect(tag.encoded() == Array(text.utf8))
    }

    @Test func nonUTF8TagNameIsRejected() {
        let text = Array("object \(HashAlgorithm.sha1.emptyTreeID)\ntype tree\ntag v".utf8) + [0xFF] + Array("\n\nm".utf8)
        let error = #expect(throws: BanyanError.self) { try BanyanCore.Tag(decoding: text, algorithm: .sha1) }
        #expect(error?.code == .corruptObject)
    }
}
