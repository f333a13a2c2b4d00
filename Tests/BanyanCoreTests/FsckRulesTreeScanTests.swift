import BanyanCore
import Testing

/// `FsckRules.checkTree` scans a tree's bytes instead of decoding it; these
/// hold it to the decoding check: the same verdict, the same error, the same
/// links, on hand-made and generated trees, valid and broken.
@Suite struct FsckRulesTreeScanTests {
    /// What a check said of a tree.
    enum Verdict: Equatable {
        case links([FsckRules.Link])
        case refused(String)

        var isAccepted: Bool { if case .links = self { true } else { false } }
        func get() throws -> [FsckRules.Link] {
            guard case .links(let links) = self else { throw BanyanError(.corruptObject, "\(self)") }
            return links
        }
    }

    static let blob = RawObject(kind: .blob, body: Array("x\n".utf8)).id(.sha1)
    static let tree = RawObject(kind: .tree, body: []).id(.sha1)

    static func entry(_ mode: String, _ name: [UInt8], _ id: ObjectID = blob) -> [UInt8] {
        Array("\(mode) ".utf8) + name + [0] + id.bytes
    }

    /// The scan's verdict on `body`: its links, or the error's message.
    static func scanned(_ body: [UInt8], base: [UInt8]? = nil) -> Verdict {
        let id = RawObject(kind: .tree, body: body).id(.sha1)
        var links: [FsckRules.Link] = []
        do {
            try body.withUnsafeBytes { body in
                if let base {
                    try base.withUnsafeBytes { try FsckRules.checkTree(body, id: id, algorithm: .sha1, base: $0) { links.append($0) } }
                } else {
                    try FsckRules.checkTree(body, id: id, algorithm: .sha1) { links.append($0) }
                }
            }
            return .links(links)
        } catch {
            return .refused((error as? BanyanError)?.message ?? "\(error)")
        }
    }

    /// The decoding check's verdict on `body`.
    static func decoded(_ body: [UInt8]) -> Verdict {
        let id = RawObject(kind: .tree, body: body).id(.sha1)
        do {
            return .links(try FsckRules.checkDecodedTree(body, id: id, algorithm: .sha1))
        } catch {
            return .refused((error as? BanyanError)?.message ?? "\(error)")
        }
    }

    static let handMade: [[[UInt8]]] = [
        [],
        [entry("100644", Array("a".utf8)), entry("40000", Array("a-b".utf8), tree), entry("100755", Array("a.c".utf8))],
        [entry("100644", Array("a".utf8)), entry("100644", Array("a.c".utf8)), entry("40000", Array("a".utf8), tree)],
        [entry("40000", Array("a".utf8), tree), entry("100644", Array("a".utf8))],
        [entry("100644", Array(".gitattributes".utf8)), entry("100644", Array(".gitignore".utf8)), entry("120000", Array("g".utf8))],
        [entry("160000", Array("module".utf8)), entry("100644", Array("zz".utf8))],
        [entry("100644", Array("\u{E9}t\u{E9}".utf8)), entry("100644", Array(".g\u{200C}it".utf8))],
        [entry("100644", Array("a".utf8), .zero(.sha1))],
        [entry("160000", Array("a".utf8), .zero(.sha1))],
        [entry("40000", Array(".gitattributes".utf8), tree)],
        [entry("040000", Array("a".utf8), tree)],
        [entry("100644", Array("a".utf8)), entry("100644", Array("a".utf8))],
        [Array(entry("100644", Array("a".utf8)).dropLast(5))],
        [Array("100644 a".utf8)],
        [entry("1006440", Array("a".utf8))],
        [entry("", Array("a".utf8))],
        [entry("100644", Array("GIT~1".utf8))],
        [entry("100644", Array("a/b".utf8))],
        [entry("40000", Array("..".utf8), tree)],
    ]

    @Test(arguments: handMade.indices)
    func agreesWithTheDecodingCheck(_ index: Int) {
        let body = Self.handMade[index].flatMap { $0 }
        #expect(Self.scanned(body) == Self.decoded(body))
    }

    /// Trees made of random entries over a small alphabet of modes, names
    /// and ids, so that duplicates, order mistakes, reserved names and
    /// file-directory collisions all come up.
    @Test func agreesWithTheDecodingCheckOnGeneratedTrees() {
        var random = PackTestRandom(seed: 7)
        let modes = ["100644", "100755", "120000", "40000", "160000", "100600", "0100644"]
        let letters: [[UInt8]] = ["a", "b", "-", ".", "/", "g", "i", "t", "~", "1", "\u{E9}"].map { Array($0.utf8) }
        let ids = [Self.blob, Self.tree, .zero(.sha1)]
        var accepted = 0
        for _ in 0..<3000 {
            var entries: [(name: [UInt8], bytes: [UInt8])] = []
            for _ in 0..<random.below(4) {
                let name = (0..<random.below(4)).flatMap { _ in letters[random.below(letters.count)] }
                let mode = modes[random.below(random.below(3) == 0 ? modes.count : 5)]
                entries.append((name, Self.entry(mode, name, ids[random.below(random.below(8) == 0 ? 3 : 2)])))
            }
            // Mostly in name order, so that valid trees come up too.
            if random.below(4) != 0 { entries.sort { $0.name.lexicographicallyPrecedes($1.name) } }
            let body = entries.flatMap(\.bytes)
            let verdict = Self.decoded(body)
            if verdict.isAccepted { accepted += 1 }
            #expect(Self.scanned(body) == verdict, "tree \(body)")
        }
        #expect(accepted > 100)
    }

    @Test func skipsTheEntriesItsBaseHolds() throws {
        let other = RawObject(kind: .blob, body: Array("y\n".utf8)).id(.sha1)
        let base = [Self.entry("100644", Array("a".utf8)), Self.entry("100644", Array("b".utf8)), Self.entry("100644", Array("d".utf8))]
        let tree = [Self.entry("100644", Array("a".utf8)), Self.entry("100644", Array("b".utf8), other),
                    Self.entry("100644", Array("c".utf8)), Self.entry("100644", Array("d".utf8))]
        let links = try Self.scanned(tree.flatMap { $0 }, base: base.flatMap { $0 }).get()
        #expect(links == [FsckRules.Link(id: other, kind: .blob), FsckRules.Link(id: Self.blob, kind: .blob)])
        // A base that is no tree matches nothing, and a broken tree is refused whatever its base.
        let all = try Self.scanned(tree.flatMap { $0 }).get()
        #expect(try Self.scanned(tree.flatMap { $0 }, base: Array("100644 a".utf8) + [0, 1, 2]).get() == all)
        let broken = tree.reversed().flatMap { $0 }
        #expect(Self.scanned(broken, base: tree.flatMap { $0 }) == Self.decoded(broken))
    }
}
