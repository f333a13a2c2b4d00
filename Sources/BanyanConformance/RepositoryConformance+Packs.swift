import Banyan
import BanyanSync
import Foundation

extension BackendConformance {
    static let packChecks: [RepositoryCheck] = [
        RepositoryCheck("a bundle carries history between stores, incrementally on top of its prerequisites") { make in
            try await withTemporaryDirectory { directory in
                let source = try make(.sha1)
                for i in 0..<3 { try write(source, "notes/a", "\(i)", time: Int64(i)) }
                let first = try source.refs.resolve("refs/heads/main")!
                try source.createBundle(at: directory + "/full.bundle", refs: ["main"])
                let target = try make(.sha1)
                let full = try target.unbundle(from: directory + "/full.bundle", updating: .sameNames)
                try expectEqual(try target.refs.resolve("refs/heads/main"), first, "main after unbundling")
                try expectComplete(target, from: first)
                try expectEqual(Set(full.objects).count, full.objects.count, "objects listed once")

                let second = try write(source, "notes/b", "new", time: 5)
                try source.createBundle(at: directory + "/next.bundle", refs: ["\(first.hex)..main"])
                try target.unbundle(from: directory + "/next.bundle", updating: .sameNames)
                try expectEqual(try target.refs.resolve("refs/heads/main"), second, "main after the incremental bundle")
                try expectComplete(target, from: second)
                try expectEqual(try read(target, "notes/b"), "new", "a value from the incremental bundle")
            }
        },
        RepositoryCheck("a damaged or truncated pack is refused and stores nothing") { make in
            let source = try make(.sha1)
            for i in 0..<3 { try write(source, "notes/n\(i)", String(repeating: "line \(i)\n", count: 50), time: Int64(i)) }
            let bundlePack = try packOfEverything(in: source)
            for damage in ["truncated", "flipped"] {
                let target = try make(.sha1)
                var pack = bundlePack
                if damage == "truncated" { pack.removeLast(pack.count / 3) } else { pack[pack.count / 2] ^= 0x5a }
                do {
                    try PackIngest.ingest(pack, into: target)
                    throw ConformanceFailure(message: "a \(damage) pack was ingested", location: "\(#fileID):\(#line)")
                } catch let error as BanyanError {
                    try expect([.corruptObject, .decompression].contains(error.code),
                               "ingesting a \(damage) pack threw \(error.code) (\(error)), expected corruptObject or decompression")
                }
                try expectEqual(try target.objects.allObjectIDs(), [], "objects after a \(damage) pack was refused")
            }
            let target = try make(.sha1)
            let received = try PackIngest.ingest(bundlePack, into: target)
            try expectEqual(Set(received.ids), Set(try source.objects.allObjectIDs()), "objects of the intact pack")
            for id in received.ids { try expect(try target.objects.contains(id), "object \(id) of the intact pack is missing") }
        },
    ]

    /// A pack of every object of `repository`, as `git pack-objects --all` would send it.
    private static func packOfEverything(in repository: Repository) throws -> [UInt8] {
        let objects = try repository.objects.allObjectIDs().map { try repository.objects.get($0) }
        return try PackWriter.write(objects, algorithm: repository.hashAlgorithm).pack
    }
}
