@testable import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// The list of replaced packs awaiting deletion: parsed leniently, and
/// read again whenever the file changes, however often it is asked for.
@Suite("Replaced packs list")
struct ReplacedPacksTests {
    @Test func linesThatDoNotParseAreSkipped() {
        let text = "1700000000 pack-aa\nnot a line\n-5 pack-bb\n1700000001 other\n\n1700000002 pack-cc"
        let packs = ReplacedPacks.parse(Array(text.utf8))
        #expect(packs == ["pack-aa": Date(timeIntervalSince1970: 1_700_000_000),
                          "pack-cc": Date(timeIntervalSince1970: 1_700_000_002)])
    }

    @Test func everyChangeOfTheFileIsSeen() throws {
        try withTemporaryDirectory { directory in
            let repository = directory + "/store"
            _ = try Repository.create(at: repository, configuration: .init(maintenance: .off))
            #expect(ReplacedPacks.read(repository).isEmpty)
            // Many rewrites in a row, each read at once: none may be missed
            // by the cache, even when the file keeps its size.
            for n in 0..<200 {
                let name = String(format: "pack-%040x", n)
                try ReplacedPacks.add([name], repository: repository, durable: false)
                #expect(ReplacedPacks.read(repository)[name] != nil)
                try ReplacedPacks.revive(name, repository: repository, durable: false)
                #expect(ReplacedPacks.read(repository)[name] == nil)
            }
            // A list written by another process (another writer's rename).
            let file = ReplacedPacks.listFile(repository)
            try Data("1700000000 pack-zz\n".utf8).write(to: URL(fileURLWithPath: file + ".tmp"))
            #expect(rename(file + ".tmp", file) == 0)
            #expect(ReplacedPacks.read(repository) == ["pack-zz": Date(timeIntervalSince1970: 1_700_000_000)])
        }
    }
}
