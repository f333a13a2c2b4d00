import BanyanCore
import BanyanTestSupport
import Testing

/// `FsckRules.checkTree` scans a tree's bytes in place and defers to Git's
/// entry by entry check only when it meets something unusual; these hold it
/// to that check alone: the same verdict, the same findings and error, the
/// same links, on hand-made and generated trees, valid and broken.
@Suite struct FsckRulesTreeScanTests {
    /// What a check said of a tree.
    enum Verdict: Equatable {
        case links([FsckRules.Link], warnings: [String] = [])
        case refused(String)

        var isAccepted: Bool { if case .links = self { true } else { false } }
        func get() throws -> [FsckRules.Link] {
            guard case .links(let links, _) = self else { throw BanyanError(.corruptObject, "\(self)") }
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
        var warnings: [String] = []
        let report = { (finding: FsckFinding) in warnings.append(finding.description) }
        do {
            try body.withUnsafeBytes { body in
                if let base {
                    try base.withUnsafeBytes {
                        try FsckRules.checkTree(body, id: id, algorithm: .sha1, base: $0, report: report) { links.append($0) }
                    }
                } else {
                    try FsckRules.checkTree(body, id: id, algorithm: .sha1, report: report) { links.append($0) }
                }
            }
            return .links(links, warnings: warnings)
        } catch {
            return .refused((error as? BanyanError)?.message ?? "\(error)")
        }
    }

    /// The verdict of Git's entry by entry check on `body`.
    static func decoded(_ body: [UInt8]) -> Verdict {
        let id = RawObject(kind: .tree, body: body).id(.sha1)
        var warnings: [String] = []
        do {
            let links = try FsckRules.checkTreeEntries(body, id: id, algorithm: .sha1) { warnings.append($0.description) }
            return .links(links, warnings: warnings)
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
        var random = SeededRandom(seed: 7)
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

    /// Accepted generated trees as bases, edited into new trees (entries
    /// added, dropped or changed, kept in name order or not): the scan with
    /// the base gives the decoding check's verdict and error, and links
    /// every entry the base lacks. The edits reach the shared start, so
    /// the entries skipped there and the files a later directory could
    /// collide with are exercised.
    @Test func agreesWithTheDecodingCheckGivenABase() throws {
        var random = SeededRandom(seed: 11)
        let modes = ["100644", "100755", "40000", "160000", "100600"]
        let letters: [[UInt8]] = ["a", "b", "-", ".", "/", "g", "~", "1"].map { Array($0.utf8) }
        let ids = [Self.blob, Self.tree, RawObject(kind: .blob, body: Array("y\n".utf8)).id(.sha1)]
        func randomEntry() -> (name: [UInt8], bytes: [UInt8]) {
            let name = (0..<(1 + random.below(3))).flatMap { _ in letters[random.below(letters.count)] }
            let mode = modes[random.below(random.below(6) == 0 ? modes.count : 4)]
            return (name, Self.entry(mode, name, ids[random.below(3)]))
        }
        // Git's order: a directory sorts as if its name ended in "/".
        func sorted(_ entries: [(name: [UInt8], bytes: [UInt8])]) -> [(name: [UInt8], bytes: [UInt8])] {
            let isDirectory = { (entry: (name: [UInt8], bytes: [UInt8])) in entry.bytes.starts(with: Array("40000 ".utf8)) }
            return entries.sorted { Tree.compareNames($0.name, isDirectory($0), $1.name, isDirectory($1)) < 0 }
        }
        var checked = 0, refused = 0
        while checked < 1500 {
            let baseEntries = sorted((0..<(2 + random.below(8))).map { _ in randomEntry() })
            let base = baseEntries.flatMap(\.bytes)
            guard Self.decoded(base).isAccepted else { continue }
            var entries = baseEntries
            for _ in 0..<(1 + random.below(3)) {
                let position = random.below(entries.count + 1)
                switch random.below(3) {
                case 0: entries.insert(randomEntry(), at: position)
                case 1 where position < entries.count: entries.remove(at: position)
                default: if position < entries.count { entries[position] = randomEntry() }
                }
            }
            if random.below(5) != 0 { entries = sorted(entries) }
            let body = entries.flatMap(\.bytes)
            let expected = Self.decoded(body)
            let verdict = Self.scanned(body, base: base)
            checked += 1
            guard case .links(let all, _) = expected else {
                refused += 1
                #expect(verdict == expected, "tree \(body) on base \(base)")
                continue
            }
            let links = try verdict.get()
            let held = Set(baseEntries.map(\.bytes))
            let fresh = entries.filter { !held.contains($0.bytes) && !$0.bytes.starts(with: Array("160000 ".utf8)) }
            #expect(Set(links.map(\.id)).isSubset(of: Set(all.map(\.id))))
            #expect(links.count >= fresh.count, "tree \(body) on base \(base)")
        }
        #expect(refused > 100 && refused < checked - 100)
    }
}
