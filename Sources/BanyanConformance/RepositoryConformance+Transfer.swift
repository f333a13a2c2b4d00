import Banyan
import BanyanSync

extension BackendConformance {
    static let transferChecks: [RepositoryCheck] = [
        RepositoryCheck("a clone over HTTP holds the served history, its branches and its remote") { make in
            for algorithm in HashAlgorithm.allCases {
                let served = try make(algorithm)
                for i in 0..<5 { try write(served, "notes/n\(i % 3)", "note \(i)", time: Int64(i)) }
                try write(served, "settings/theme", "dark", branch: "device", time: 10)
                let head = try served.refs.resolve("refs/heads/main")!
                try await ServedRepository.serving(served) { server in
                    let clone = try make(algorithm)
                    try await Sync.clone(url: server.url, into: clone)
                    try expectEqual(try clone.refs.resolve("HEAD"), head, "the clone's HEAD (\(algorithm))")
                    try expectEqual(try clone.refs.resolve("refs/remotes/origin/device"), try served.refs.resolve("refs/heads/device"),
                                    "the clone's origin/device")
                    try expectComplete(clone, from: head)
                    try expectEqual(try read(clone, "notes/n1"), "note 4", "a value read from the clone")
                    try expectEqual(try Remotes.get("origin", in: clone).url, server.url, "the clone's remote origin")
                    try expectEqual(try clone.shallowCommits(), [], "the shallow commits of a full clone")
                }
            }
        },
        RepositoryCheck("fetch brings new commits, pull fast-forwards, then merges diverged work") { make in
            try await withServedClone(make) { served, clone, sync in
                try write(served, "notes/a", "2", time: 1)
                let fetched = try await sync.fetch()
                let moved = try served.refs.resolve("refs/heads/main")!
                try expectEqual(fetched.updated["refs/remotes/origin/main"], moved, "the fetch's update of origin/main")
                try expectEqual(try await sync.pull(branch: "main"), .fastForward(moved), "a pull behind the remote")

                try write(served, "notes/served", "s", time: 2)
                try write(clone, "notes/local", "l", time: 3)
                guard case .merged(let merge) = try await sync.pull(branch: "main") else {
                    throw ConformanceFailure(message: "a pull of diverged branches did not merge", location: "\(#fileID):\(#line)")
                }
                try expectEqual(try clone.commit(merge).parents.count, 2, "parents of the merge")
                try expectEqual(try read(clone, "notes/served"), "s", "the remote's change after the merge")
                try expectEqual(try read(clone, "notes/local"), "l", "the local change after the merge")
                try expectComplete(clone, from: merge)
            }
        },
        RepositoryCheck("push moves the served branch; one that is no fast-forward is refused, forced or not") { make in
            try await withServedClone(make) { served, clone, sync in
                let pushed = try write(clone, "notes/b", "2", time: 1)
                try expect(try await sync.push(branch: "main").succeeded, "a fast-forward push was refused")
                try expectEqual(try served.refs.resolve("refs/heads/main"), pushed, "the served main after a push")
                try expectComplete(served, from: pushed)
                try expectEqual(try read(served, "notes/b"), "2", "the pushed value, read on the served store")

                try write(served, "notes/c", "served", time: 2)
                let rewritten = try write(clone, "notes/c", "clone", time: 3)
                try expect(try await !sync.push(branch: "main").succeeded, "a push that is not a fast-forward was accepted")
                try expect(try served.refs.resolve("refs/heads/main") != rewritten, "a refused push moved the branch")
                // The server accepts fast-forwards only (`receive.denyNonFastForwards`), as it does by default.
                try expect(try await !sync.push(branch: "main", force: true).succeeded, "a forced push that is no fast-forward was accepted")
                try expect(try served.refs.resolve("refs/heads/main") != rewritten, "a refused forced push moved the branch")
                try expectEqual(try read(served, "notes/c"), "served", "the served value after refused pushes")
            }
        },
        RepositoryCheck("a shallow clone records its boundary and lacks what is below it") { make in
            let served = try make(.sha1)
            for i in 0..<4 { try write(served, "notes/a", "\(i)", time: Int64(i)) }
            let head = try served.refs.resolve("refs/heads/main")!
            try await ServedRepository.serving(served) { server in
                let clone = try make(.sha1)
                try await Sync.clone(url: server.url, into: clone, depth: 1)
                try expectEqual(try clone.shallowCommits(), [head], "the shallow commits of a depth-1 clone")
                try expectComplete(clone, from: head, shallow: [head])
                let parent = try served.commit(head).parents[0]
                try expect(try !clone.objects.contains(parent), "a depth-1 clone holds the parent commit")
                try expectEqual(try read(clone, "notes/a"), "3", "the value in a shallow clone")
            }
        },
        RepositoryCheck("remotes are kept in the repository's configuration") { make in
            let repository = try make(.sha1)
            try Remotes.add(Remote(name: "home", url: "https://home.example/store.git"), to: repository)
            try Remotes.add(Remote(name: "phone", url: "http://phone.local:8080/"), to: repository)
            try expectEqual(try Remotes.list(in: repository).map(\.name), ["home", "phone"], "the remotes")
            try expectEqual(try repository.loadConfig().value(forKey: "remote.home.fetch"), "+refs/heads/*:refs/remotes/home/*",
                            "the fetch refspec")
            try expectError(.alreadyExists, "adding a remote twice") {
                try Remotes.add(Remote(name: "home", url: "https://elsewhere.example/"), to: repository)
            }
            try Remotes.remove("home", from: repository)
            try expectEqual(try Remotes.list(in: repository).map(\.name), ["phone"], "the remotes after a removal")
        },
    ]

    /// Serves a new store holding `notes/a` = 1 and runs `body` with it, a
    /// clone of it over HTTP and a `Sync` on the clone.
    private static func withServedClone(
        _ make: RepositoryFactory, _ body: (Repository, Repository, Sync) async throws -> Void
    ) async throws {
        let served = try make(.sha1)
        try write(served, "notes/a", "1", time: 0)
        try await ServedRepository.serving(served) { server in
            let clone = try make(.sha1)
            try await Sync.clone(url: server.url, into: clone)
            try await body(served, clone, Sync(repository: clone))
        }
    }
}
