import Banyan

extension BackendConformance {
    static let objectChecks: [Check] = [
        Check("put, find and get each kind of object") { store in
            let algorithm = store.hashAlgorithm
            let objects = [
                blob(""), blob("hello\n"), RawObject(kind: .blob, body: (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }),
                RawObject(kind: .tree, body: Array("100644 a\0".utf8) + blob("hello\n").id(algorithm).bytes),
                RawObject(kind: .commit, body: Array("tree \(algorithm.emptyTreeID)\n\nmessage\n".utf8)),
                RawObject(kind: .tag, body: Array("object \(algorithm.emptyTreeID)\ntype tree\ntag t\n\nm\n".utf8)),
            ]
            for object in objects {
                let id = try store.put(object)
                try expectEqual(id, object.id(algorithm), "id returned by put")
                try expectEqual(try store.find(id), object, "object found by id")
                try expectEqual(try store.get(id, kind: object.kind), object, "object got by id and kind")
                try expect(try store.contains(id), "contains(\(id)) after put")
            }
            try expectError(.corruptObject, "get with the wrong kind") { _ = try store.get(objects[0].id(algorithm), kind: .tree) }
        },
        Check("put is idempotent") { store in
            let first = try store.put(blob("same"))
            let second = try store.put(blob("same"))
            try expectEqual(second, first, "id of the second put")
            try expectEqual(try store.allObjectIDs(), [first], "ids after putting one object twice")
            try expectEqual(try store.find(first), blob("same"), "object after the second put")
        },
        Check("a missing object is nil to find and objectNotFound to get") { store in
            let missing = blob("never stored").id(store.hashAlgorithm)
            try expect(try store.find(missing) == nil, "find of a missing object returns nil")
            try expect(try !store.contains(missing), "contains of a missing object is false")
            let error = try expectError(.objectNotFound, "get of a missing object") { _ = try store.get(missing) }
            try expect(error.message.contains(missing.hex), "objectNotFound names the id: \(error)")
        },
        Check("an id of the other hash algorithm is rejected") { store in
            let other: HashAlgorithm = store.hashAlgorithm == .sha1 ? .sha256 : .sha1
            try expectError(.invalidArgument, "find of a \(other) id") { _ = try store.find(blob("x").id(other)) }
        },
        Check("putBatch stores many objects and returns ids in order") { store in
            let batch = (0..<50).map { blob("item \($0 % 40)") }
            let ids = try store.putBatch(batch)
            try expectEqual(ids, batch.map { $0.id(store.hashAlgorithm) }, "ids from putBatch")
            for (id, object) in zip(ids, batch) {
                try expectEqual(try store.find(id), object, "object \(id) after putBatch")
            }
            try expectEqual(Set(try store.allObjectIDs()), Set(ids), "ids listed after putBatch")
            try expectEqual(try store.putBatch([]), [], "ids from an empty batch")
        },
        Check("allObjectIDs enumerates every object once") { store in
            try expectEqual(try store.allObjectIDs(), [], "ids of a fresh store")
            let ids = try (0..<300).map { try store.put(blob("enumerate \($0)")) }
            let listed = try store.allObjectIDs()
            try expectEqual(listed.count, ids.count, "number of ids listed")
            try expectEqual(Set(listed), Set(ids), "ids listed")
        },
        Check("objectIDs(withHexPrefix:) finds ids by abbreviation") { store in
            let ids = try (0..<300).map { try store.put(blob("prefix \($0)")) }
            for id in ids.prefix(20) {
                let short = String(id.hex.prefix(4))
                let matches = try store.objectIDs(withHexPrefix: short)
                try expect(matches.contains(id), "prefix \(short) finds \(id)")
                try expectEqual(Set(matches), Set(ids.filter { $0.hasHexPrefix(short) }), "ids matching \(short)")
                try expectEqual(try store.objectIDs(withHexPrefix: id.hex), [id], "ids matching the full hex")
                try expectEqual(try store.objectIDs(withHexPrefix: String(id.hex.prefix(9))), [id], "ids matching 9 digits")
            }
            let unused = (0..<0x10000).lazy.map { String($0, radix: 16) }
                .map { String(repeating: "0", count: 4 - $0.count) + $0 }
                .first { candidate in !ids.contains { $0.hasHexPrefix(candidate) } }!
            try expectEqual(try store.objectIDs(withHexPrefix: unused), [], "ids matching the unused prefix \(unused)")
            try expectError(.invalidObjectID, "a prefix that is not hex") { _ = try store.objectIDs(withHexPrefix: "xyz!") }
            try expectError(.invalidObjectID, "a prefix under 4 digits") { _ = try store.objectIDs(withHexPrefix: "ab") }
        },
    ]
}
