import Banyan

extension BackendConformance {
    static let refChecks: [Check] = [
        Check("a fresh store has HEAD pointing at the unborn main") { store in
            try expectEqual(try store.find("HEAD"), .symbolic("refs/heads/main"), "HEAD of a fresh store")
            try expectEqual(try store.headTarget(), "refs/heads/main", "headTarget of a fresh store")
            try expect(try store.find("refs/heads/main") == nil, "refs/heads/main is unborn")
            try expect(try store.resolve("HEAD") == nil, "HEAD resolves to nothing")
            try expect(try store.list(prefix: "").isEmpty, "no refs are listed")
        },
        Check("compareAndSwap creates, updates and rejects stale expectations") { store in
            let (a, b, c) = try (store.put(blob("a")), store.put(blob("b")), store.put(blob("c")))
            let main = "refs/heads/main"
            try store.compareAndSwap(main, expected: .absent, new: a, log: nil)
            try expectEqual(try store.find(main), .direct(a), "value after creation")
            try expectEqual(try store.resolve("HEAD"), a, "HEAD resolves through main")
            try expectError(.staleRef, "create of an existing ref") {
                try store.compareAndSwap(main, expected: .absent, new: b, log: nil)
            }
            try store.compareAndSwap(main, expected: .value(a), new: b, log: nil)
            try expectEqual(try store.find(main), .direct(b), "value after update")
            let stale = try expectError(.staleRef, "update from a stale value") {
                try store.compareAndSwap(main, expected: .value(a), new: c, log: nil)
            }
            for part in [main, a.hex, b.hex] {
                try expect(stale.message.contains(part), "staleRef message names \(part): \(stale.message)")
            }
            try expectEqual(try store.find(main), .direct(b), "value after a stale update")
            try store.compareAndSwap(main, expected: .any, new: c, log: nil)
            try expectEqual(try store.find(main), .direct(c), "value after an unconditional update")
            try store.compareAndSwap(main, expected: .value(c), new: c, log: nil)
            try expectEqual(try store.find(main), .direct(c), "value after a same-value update")
        },
        Check("compareAndSwap on an absent ref") { store in
            let a = try store.put(blob("a"))
            try expectError(.staleRef, "update of an absent ref from a value") {
                try store.compareAndSwap("refs/heads/topic", expected: .value(a), new: a, log: nil)
            }
            try expect(try store.find("refs/heads/topic") == nil, "a failed update creates nothing")
            try store.compareAndSwap("refs/tags/v1", expected: .any, new: a, log: nil)
            try expectEqual(try store.find("refs/tags/v1"), .direct(a), "value after an unconditional creation")
        },
        Check("compareAndSwap does not follow symbolic refs") { store in
            let a = try store.put(blob("a"))
            try expectError(.staleRef, "update of symbolic HEAD from a value") {
                try store.compareAndSwap("HEAD", expected: .value(a), new: a, log: nil)
            }
            try store.compareAndSwap("HEAD", expected: .any, new: a, log: nil)
            try expectEqual(try store.find("HEAD"), .direct(a), "HEAD after an unconditional update (detached)")
            try expect(try store.find("refs/heads/main") == nil, "the old HEAD target is untouched")
        },
        Check("delete checks its expectation") { store in
            let (a, b) = try (store.put(blob("a")), store.put(blob("b")))
            let topic = "refs/heads/topic"
            try expectError(.refNotFound, "delete of a missing ref") { try store.delete(topic, expected: .any) }
            try store.compareAndSwap(topic, expected: .absent, new: a, log: log("create", store.hashAlgorithm))
            try expectError(.staleRef, "delete from a stale value") { try store.delete(topic, expected: .value(b)) }
            try expectError(.staleRef, "delete expecting absence") { try store.delete(topic, expected: .absent) }
            try expectEqual(try store.find(topic), .direct(a), "value after failed deletes")
            try store.delete(topic, expected: .value(a))
            try expect(try store.find(topic) == nil, "ref is gone after delete")
            try expect(try store.reflog(topic).isEmpty, "reflog is gone after delete")
            try expect(try store.list(prefix: "refs/").isEmpty, "deleted ref is not listed")
            try store.compareAndSwap(topic, expected: .absent, new: b, log: nil)
            try store.delete(topic, expected: .any)
            try expect(try store.find(topic) == nil, "ref is gone after an unconditional delete")
        },
        Check("list returns direct refs by prefix, sorted by name") { store in
            let a = try store.put(blob("a"))
            let names = ["refs/tags/v1", "refs/heads/b/c", "refs/remotes/origin/main", "refs/heads/a", "refs/heads/a-b", "refs/heads/B"]
            for name in names { try store.compareAndSwap(name, expected: .absent, new: a, log: nil) }
            try store.setSymbolic("refs/remotes/origin/HEAD", target: "refs/remotes/origin/main")
            let all = try store.list(prefix: "").map(\.name)
            try expectEqual(all, ["refs/heads/B", "refs/heads/a", "refs/heads/a-b", "refs/heads/b/c", "refs/remotes/origin/main", "refs/tags/v1"],
                            "all direct refs, in byte order")
            try expectEqual(try store.list(prefix: "refs/").map(\.name), all, "refs under refs/")
            try expectEqual(try store.list(prefix: "refs/heads/").map(\.name), ["refs/heads/B", "refs/heads/a", "refs/heads/a-b", "refs/heads/b/c"],
                            "branches")
            try expectEqual(try store.list(prefix: "refs/heads/a").map(\.name), ["refs/heads/a", "refs/heads/a-b"], "refs starting with refs/heads/a")
            try expectEqual(try store.list(prefix: "refs/tags/v").map(\.name), ["refs/tags/v1"], "tags starting with v")
            try expectEqual(try store.list(prefix: "refs/notes/").map(\.name), [], "an empty namespace")
            try expect(try store.list(prefix: "").allSatisfy { $0.id == a }, "listed ids")
        },
        Check("setSymbolic points HEAD at another branch") { store in
            let a = try store.put(blob("a"))
            try store.setSymbolic("HEAD", target: "refs/heads/dev")
            try expectEqual(try store.find("HEAD"), .symbolic("refs/heads/dev"), "HEAD after setSymbolic")
            try store.compareAndSwap("refs/heads/dev", expected: .absent, new: a, log: nil)
            try expectEqual(try store.resolve("HEAD"), a, "HEAD resolves through dev")
            try expectError(.invalidRefName, "setSymbolic to an invalid target") {
                try store.setSymbolic("HEAD", target: "refs/heads/bad..name")
            }
            try expectEqual(try store.find("HEAD"), .symbolic("refs/heads/dev"), "HEAD after a rejected setSymbolic")
        },
        Check("names where one would be a directory of the other conflict") { store in
            let a = try store.put(blob("a"))
            try store.compareAndSwap("refs/heads/a", expected: .absent, new: a, log: nil)
            try expectError(.alreadyExists, "creating refs/heads/a/b beside refs/heads/a") {
                try store.compareAndSwap("refs/heads/a/b", expected: .absent, new: a, log: nil)
            }
            try store.compareAndSwap("refs/heads/x/y/z", expected: .absent, new: a, log: nil)
            try expectError(.alreadyExists, "creating refs/heads/x beside refs/heads/x/y/z") {
                try store.compareAndSwap("refs/heads/x", expected: .any, new: a, log: nil)
            }
            try store.delete("refs/heads/x/y/z", expected: .value(a))
            try store.compareAndSwap("refs/heads/x", expected: .absent, new: a, log: nil)
            try expectEqual(try store.find("refs/heads/x"), .direct(a), "refs/heads/x once refs/heads/x/y/z is gone")
        },
        Check("invalid ref names are rejected") { store in
            let a = try store.put(blob("a"))
            let invalid = ["main", "refs/heads/a..b", "refs/heads/x.lock", "refs/heads/with space", "refs/heads/",
                           "refs//heads/x", "refs/heads/.hidden", "refs/heads/a@{1}", "refs/heads/q?", "refs/../config", "objects/ab"]
            for name in invalid {
                try expectError(.invalidRefName, "compareAndSwap of '\(name)'") {
                    try store.compareAndSwap(name, expected: .any, new: a, log: nil)
                }
                try expectError(.invalidRefName, "find of '\(name)'") { _ = try store.find(name) }
                try expectError(.invalidRefName, "delete of '\(name)'") { try store.delete(name, expected: .any) }
            }
            try expect(try store.list(prefix: "").isEmpty, "nothing was created")
        },
        Check("reflogs record updates oldest first, with the real ids") { store in
            let algorithm = store.hashAlgorithm
            let (a, b, c) = try (store.put(blob("a")), store.put(blob("b")), store.put(blob("c")))
            let main = "refs/heads/main"
            try store.compareAndSwap(main, expected: .absent, new: a, log: log("branch: Created", algorithm, time: 1_700_000_001, zone: 330))
            try store.compareAndSwap(main, expected: .value(a), new: b, log: log("commit: second\nwith a body", algorithm, time: 1_700_000_002, zone: -210))
            try store.compareAndSwap(main, expected: .value(b), new: c, log: nil)
            try store.compareAndSwap(main, expected: .any, new: a, log: log("reset: moving to a", algorithm, time: 1_700_000_003))
            let zero = ObjectID.zero(algorithm)
            let expected = [
                ReflogEntry(old: zero, new: a, committer: signature(1_700_000_001, zone: 330), message: "branch: Created"),
                ReflogEntry(old: a, new: b, committer: signature(1_700_000_002, zone: -210), message: "commit: second with a body"),
                ReflogEntry(old: c, new: a, committer: signature(1_700_000_003), message: "reset: moving to a"),
            ]
            try expectEqual(try store.reflog(main), expected, "reflog of main")
            try expectEqual(try store.reflog("HEAD"), expected, "reflog of HEAD, which points at main")
            try store.compareAndSwap("refs/tags/v1", expected: .absent, new: a, log: log("tag", algorithm))
            try expect(try store.reflog("refs/tags/v1").isEmpty, "tags keep no reflog")
            try store.compareAndSwap("refs/heads/other", expected: .absent, new: a, log: log("other", algorithm))
            try expectEqual(try store.reflog("refs/heads/other").count, 1, "entries in the reflog of another branch")
            try expectEqual(try store.reflog("HEAD").count, 3, "HEAD's reflog ignores branches it does not point at")
            try expect(try store.reflog("refs/heads/none").isEmpty, "reflog of a missing ref")
        },
    ]
}
