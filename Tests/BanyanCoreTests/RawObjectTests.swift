import BanyanCore
import Testing

@Suite struct RawObjectTests {
    @Test func looseEncodingRoundTrips() throws {
        for kind in ObjectKind.allCases {
            let object = RawObject(kind: kind, body: Array("body \(kind)".utf8))
            #expect(try RawObject(looseEncoding: object.encoded) == object)
        }
        #expect(RawObject.blob([]).encoded == Array("blob 0\0".utf8))
    }

    @Test(arguments: [
        "blob 5\0abc",  // size larger than the body
        "blob 2\0abc",  // size smaller than the body
        "blob 03\0abc",  // zero-padded size
        "blob \0",  // no size
        "blob -3\0abc",
        "blob 3abc",  // no NUL
        "blobby 3\0abc",
        "3\0abc",
        "",
    ])
    func malformedHeaderIsRejected(encoding: String) {
        let error = #expect(throws: BanyanError.self) { try RawObject(looseEncoding: Array(encoding.utf8)) }
        #expect(error?.code == .corruptObject)
    }

    @Test func packCodesMatchGit() {
        #expect(ObjectKind.allCases.map(\.packCode) == [1, 2, 3, 4])
        #expect(ObjectKind(packCode: 6) == nil)
        for kind in ObjectKind.allCases {
            #expect(ObjectKind(packCode: kind.packCode) == kind)
        }
    }
}
