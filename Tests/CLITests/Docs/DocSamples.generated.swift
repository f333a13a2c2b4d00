// Generated from the `swift` fences of README.md, docs/*.md, Examples/Notes/README.md and the DocC catalogs
// by DocSampleTests; do not edit. After changing a sample, regenerate with
// BANYAN_UPDATE_DOC_SAMPLES=1 swift test --filter DocSampleTests
import Banyan
import BanyanServer
import BanyanSync
import BanyanTestSupport
import Foundation
import Synchronization
import Testing

@Suite("Doc samples (Swift)")
struct DocSwiftSamples {
    /// README.md, line 21.
    @Test func README_md_1() async throws {
        let scratch = TemporaryDirectory("banyan-doc-sample")
        let repo = try Repository.create(at: "\(scratch.path)/notes.banyan")   // or try Repository.inMemory()
        let main = try repo.branch("main")

        try main.set(Key("notes/today"), Data("buy milk".utf8), message: "Add a note")
        print(String(decoding: try main.get(Key("notes/today")), as: UTF8.self))   // buy milk

        struct Settings: Codable { var theme: String }
        try main.set(Key("settings"), encoding: Settings(theme: "dark"))
        print(try main.get(Key("settings"), as: Settings.self).theme)              // dark

        try main.transaction(message: "Tidy up") { tx in            // one atomic commit,
            tx.set(try Key("notes/tomorrow"), Data("call Ada".utf8)) // retried on a race
            tx.remove(try Key("notes/today"))
        }

        let phone = try repo.createBranch("phone")                   // branch from main
        try phone.set(Key("notes/phone"), Data("from the phone".utf8))
        for entry in try main.log(limit: 10) { print(entry.id.abbreviated(), entry.commit.messageString, terminator: "") }
        for change in try repo.diff(from: try main.head()!, to: try phone.head()!) {
            print(change.kind, change.key)                           // added notes/phone
        }
        try repo.merge(from: phone, into: main)                      // fast-forward
    }

    /// docs/architecture.md, line 117.
    @Test func docs_architecture_md_1() async throws {
        final class CountingObjects: ObjectStore {
            let inner: MemoryBackend
            let written = Mutex(0)
            init(_ inner: MemoryBackend) { self.inner = inner }

            var hashAlgorithm: HashAlgorithm { inner.hashAlgorithm }
            func put(_ object: RawObject) throws -> ObjectID {
                written.withLock { $0 += 1 }
                return try inner.put(object)
            }
            func putBatch(_ objects: [RawObject]) throws -> [ObjectID] {
                written.withLock { $0 += objects.count }
                return try inner.putBatch(objects)
            }
            func find(_ id: ObjectID) throws -> RawObject? { try inner.find(id) }
            func contains(_ id: ObjectID) throws -> Bool { try inner.contains(id) }
            func allObjectIDs() throws -> [ObjectID] { try inner.allObjectIDs() }
            func objectIDs(withHexPrefix prefix: String) throws -> [ObjectID] {
                try inner.objectIDs(withHexPrefix: prefix)
            }
        }

        let memory = try MemoryBackend(hashAlgorithm: .sha1, initialBranch: "main")
        let objects = CountingObjects(memory)
        let repo = Repository(objects: objects, refs: memory)
        try repo.branch("main").set(Key("notes/today"), Data("buy milk".utf8))
        print(objects.written.withLock { $0 })                   // 4: a blob, two trees, a commit
    }

    /// docs/data-model.md, line 27.
    @Test func docs_data_model_md_1() async throws {
        let ok = try Key("notes/2024/today")
        print(ok.segments, ok.name, ok.parent!)                   // ["notes", "2024", "today"] today notes/2024
        for bad in ["", "a//b", "a/../b", ".git/config"] {
            do { _ = try Key(bad) } catch let error as BanyanError { print(error.code, error.message) }
        }
    }

    /// docs/durability.md, line 18.
    @Test func docs_durability_md_1() async throws {
        let scratch = TemporaryDirectory("banyan-doc-sample")
        let repo = try Repository.create(at: "\(scratch.path)/durable.banyan", configuration: .init(durability: .commit))
        try repo.branch("main").set(Key("balance"), Data("42".utf8))   // on disk when this returns
        let reopened = try Repository.open(at: "\(scratch.path)/durable.banyan", configuration: .init(durability: .commit))
        print(try reopened.branch("main").exists(Key("balance")))       // true
    }

    /// docs/durability.md, line 179.
    @Test func docs_durability_md_2() async throws {
        let scratch = TemporaryDirectory("banyan-doc-sample")
        let repo = try Repository.create(at: "\(scratch.path)/checked.banyan")
        try repo.branch("main").set(Key("a"), Data("1".utf8))
        print(try repo.fsck().isEmpty)                           // true
    }

    /// docs/getting-started.md, line 24.
    @Test func docs_getting_started_md_1() async throws {
        let scratch = TemporaryDirectory("banyan-doc-sample")
        let repo = try Repository.create(at: "\(scratch.path)/app.banyan")
        let main = try repo.branch("main")

        try main.set(Key("settings/theme"), Data("dark".utf8), message: "Pick a theme")
        let theme = try main.find(Key("settings/theme"))        // Data? — nil when missing
        print(String(decoding: theme ?? Data(), as: UTF8.self))  // dark

        struct Contact: Codable { var name: String; var phone: String }
        try main.set(Key("contacts/ada"), encoding: Contact(name: "Ada", phone: "+44 20 7946 0000"))
        let ada = try main.get(Key("contacts/ada"), as: Contact.self)  // get throws keyNotFound
        print(ada.name)

        for entry in try main.list(Key("contacts")) { print(entry.name, entry.kind) }  // ada value
        try main.remove(Key("settings"))                         // a whole directory, one commit

        let again = try Repository.open(at: "\(scratch.path)/app.banyan")   // another handle, same store
        print(try again.branch("main").exists(Key("contacts/ada")))  // true
    }

    /// docs/getting-started.md, line 57.
    @Test func docs_getting_started_md_2() async throws {
        let repo = try Repository.inMemory()
        let main = try repo.branch("main")

        for _ in 0..<3 {
            try main.transaction(message: "Count a visit") { tx in
                let key = try Key("stats/visits")
                let visits = Int(String(decoding: try tx.find(key) ?? Data("0".utf8), as: UTF8.self)) ?? 0
                tx.set(key, Data("\(visits + 1)".utf8))
                tx.set(try Key("stats/last"), Data("now".utf8))
            }
        }

        let before = try main.snapshot()                         // a value: never changes
        try main.set(Key("stats/visits"), Data("100".utf8))
        print(String(decoding: try before.get(Key("stats/visits")), as: UTF8.self))  // 3
        print(String(decoding: try main.get(Key("stats/visits")), as: UTF8.self))    // 100
    }

    /// docs/getting-started.md, line 88.
    @Test func docs_getting_started_md_3() async throws {
        let repo = try Repository.inMemory()
        let main = try repo.branch("main")
        try main.batch { batch in
            for day in 1...3 {
                try batch.commit(message: "Day \(day)") { tx in
                    tx.set(try Key("journal/day\(day)"), Data("entry \(day)".utf8))
                }
            }
        }
        print(try main.log().count)  // 3
        print(try main.reflog().count)  // 1
    }

    /// docs/getting-started.md, line 111.
    @Test func docs_getting_started_md_4() async throws {
        let repo = try Repository.inMemory()
        let main = try repo.branch("main")
        try main.set(Key("todo"), Data("write docs".utf8), message: "First")
        try main.set(Key("todo"), Data("ship it".utf8), message: "Second")
        try main.set(Key("done"), Data("docs".utf8), message: "Third")

        for entry in try main.log() { print(entry.id.abbreviated(), entry.commit.messageString, terminator: "") }
        let old = try repo.snapshot("main~2")
        print(String(decoding: try old.get(Key("todo")), as: UTF8.self))  // write docs

        for change in try repo.diff(from: try repo.resolve("main~2"), to: try main.head()!) {
            print(change.kind, change.key)                       // added done, changed todo
        }
        try main.reset(to: try repo.resolve("main~1"))          // "Third" stays in the reflog
    }

    /// docs/getting-started.md, line 138.
    @Test func docs_getting_started_md_5() async throws {
        let repo = try Repository.inMemory()
        let main = try repo.branch("main")
        try main.transaction(message: "Start") { tx in
            tx.set(try Key(".gitattributes"), Data("counters/* merge=counter\n*.json merge=json\n".utf8))
            tx.set(try Key("counters/likes"), Data("10".utf8))
            tx.set(try Key("profile.json"), Data(#"{"name":"Ada","city":"London"}"#.utf8))
        }
        let phone = try repo.createBranch("phone")

        try main.transaction(message: "Laptop") { tx in
            tx.set(try Key("counters/likes"), Data("12".utf8))
            tx.set(try Key("profile.json"), Data(#"{"name":"Ada Lovelace","city":"London"}"#.utf8))
        }
        try phone.transaction(message: "Phone") { tx in
            tx.set(try Key("counters/likes"), Data("11".utf8))
            tx.set(try Key("profile.json"), Data(#"{"name":"Ada","city":"Paris"}"#.utf8))
        }

        switch try repo.merge(from: phone, into: main) {
        case .merged(let id): print("merged as", id.abbreviated())
        case .conflicts(let conflicts): print("conflicts:", conflicts.map(\.key))
        case .recorded(let id, let conflicts): print("merged as", id.abbreviated(), "recording", conflicts.map(\.key))
        case .fastForward, .upToDate: print("nothing to merge")
        }
        print(String(decoding: try main.get(Key("counters/likes")), as: UTF8.self))  // 13
        print(String(decoding: try main.get(Key("profile.json")), as: UTF8.self))
        // {"city":"Paris","name":"Ada Lovelace"}
    }

    /// docs/getting-started.md, line 177.
    @Test func docs_getting_started_md_6() async throws {
        let repo = try Repository.inMemory()
        let main = try repo.branch("main")
        try main.set(Key("inbox/welcome"), Data("hi".utf8))

        let updates = try main.changes(prefix: Key("inbox"))      // starts at the head now
        try main.set(Key("settings/theme"), Data("dark".utf8))   // not under inbox: no update
        try main.set(Key("inbox/1"), Data("a message".utf8))

        for try await update in updates {
            print(update.changes.map { "\($0.kind) \($0.key)" })  // ["added inbox/1"]
            break
        }
    }

    /// docs/getting-started.md, line 200.
    @Test func docs_getting_started_md_7() async throws {
        let scratch = TemporaryDirectory("banyan-doc-sample")
        let server = try Repository.create(at: "\(scratch.path)/server.banyan")
        try server.branch("main").set(Key("shared/plan"), Data("v1".utf8))

        let laptop = try await Sync.clone(url: "\(scratch.path)/server.banyan", to: "\(scratch.path)/laptop.banyan")
        try laptop.branch("main").set(Key("shared/plan"), Data("v2".utf8))
        let pushed = try await Sync(repository: laptop).push(branch: "main")
        print(pushed.succeeded)                                   // true

        try server.branch("main").set(Key("shared/notes"), Data("from the server".utf8))
        let pulled = try await Sync(repository: laptop).pull(branch: "main")
        print(pulled)                                             // fastForward(...)
    }

    /// docs/merge.md, line 53.
    @Test func docs_merge_md_1() async throws {
        let repo = try Repository.inMemory()
        let main = try repo.branch("main")
        try main.transaction(message: "Rules") { tx in
            tx.set(try Key(".gitattributes"), Data("tags merge=set\nnotes.txt merge=union\n".utf8))
            tx.set(try Key("tags"), Data("home\nwork\n".utf8))
            tx.set(try Key("notes.txt"), Data("milk\n".utf8))
        }
        let phone = try repo.createBranch("phone")
        try main.transaction(message: "Laptop") { tx in
            tx.set(try Key("tags"), Data("home\nurgent\n".utf8))        // removed work, added urgent
            tx.set(try Key("notes.txt"), Data("milk\nbread\n".utf8))
        }
        try phone.transaction(message: "Phone") { tx in
            tx.set(try Key("tags"), Data("home\nwork\nweekend\n".utf8)) // added weekend
            tx.set(try Key("notes.txt"), Data("milk\neggs\n".utf8))
        }
        try repo.merge(from: phone, into: main)
        print(String(decoding: try main.get(Key("tags")), as: UTF8.self))       // home urgent weekend
        print(String(decoding: try main.get(Key("notes.txt")), as: UTF8.self))  // milk bread eggs
    }

    /// docs/merge.md, line 86.
    @Test func docs_merge_md_2() async throws {
        let repo = try Repository.inMemory()
        let main = try repo.branch("main")
        try main.set(Key("title"), Data("Draft".utf8))
        let phone = try repo.createBranch("phone")
        try main.set(Key("title"), Data("Final".utf8))
        try phone.set(Key("title"), Data("Done".utf8))

        if case .conflicts(let conflicts) = try repo.merge(from: phone, into: main) {
            for conflict in conflicts { print(conflict.key, conflict.kind, conflict.strategy ?? "-") }
        }
        let outcome = try repo.merge(from: phone, into: main, onConflict: .custom { conflict in
            conflict.key.path == "title" ? .value(Array("Final (and Done)".utf8)) : nil
        })
        print(outcome)
        print(String(decoding: try main.get(Key("title")), as: UTF8.self))  // Final (and Done)
    }

    /// docs/merge.md, line 116.
    @Test func docs_merge_md_3() async throws {
        struct Profile: Mergeable {
            var name: String
            var highScore: Int
            static func merge(base: Profile?, ours: Profile, theirs: Profile) throws -> Profile {
                Profile(name: ours.name == base?.name ? theirs.name : ours.name,
                        highScore: max(ours.highScore, theirs.highScore))
            }
        }
        var strategies = MergeStrategies()
        strategies.register(Profile.self, as: "profile")

        let repo = try Repository.inMemory()
        let main = try repo.branch("main")
        try main.transaction(message: "Start") { tx in
            tx.set(try Key(".gitattributes"), Data("players/* merge=profile\n".utf8))
            try tx.set(try Key("players/ada"), encoding: Profile(name: "Ada", highScore: 10))
        }
        let phone = try repo.createBranch("phone")
        try main.set(Key("players/ada"), encoding: Profile(name: "Ada L.", highScore: 12))
        try phone.set(Key("players/ada"), encoding: Profile(name: "Ada", highScore: 40))
        try repo.merge(from: phone, into: main, strategies: strategies)
        let ada = try main.get(Key("players/ada"), as: Profile.self)
        print(ada.name, ada.highScore)                            // Ada L. 40
    }

    /// docs/reliability.md, line 155.
    @Test func docs_reliability_md_1() async throws {
        let scratch = TemporaryDirectory("banyan-doc-sample")
        let store = "\(scratch.path)/faulty.banyan"
        let repository = try Repository.create(at: store)
        try repository.branch("main").set(Key("notes/a"), Data("hello".utf8))
        let (error, hits) = FaultInjector.run([Fault(.fsync, path: store + "/objects/pack/", .error(EIO))]) {
            try repository.flush()
        }
        print(error.map { "\($0)" } ?? "no error", hits)   // the flush failed with EIO; the fault hit once
    }

    /// Sources/Banyan/Banyan.docc/Banyan.md, line 12.
    @Test func Sources_Banyan_Banyan_docc_Banyan_md_1() async throws {
        let scratch = TemporaryDirectory("banyan-doc-sample")
        let repo = try Repository.create(at: "\(scratch.path)/notes.banyan")
        let main = try repo.branch("main")
        try main.set(Key("notes/today"), Data("buy milk".utf8), message: "Add a note")
        print(String(decoding: try main.get(Key("notes/today")), as: UTF8.self))
    }

    /// Sources/BanyanSync/BanyanSync.docc/BanyanSync.md, line 11.
    @Test func Sources_BanyanSync_BanyanSync_docc_BanyanSync_md_1() async throws {
        let scratch = TemporaryDirectory("banyan-doc-sample")
        let server = try Repository.create(at: "\(scratch.path)/server.banyan")   // or http://HOST:PORT/ of `banyan serve`
        try server.branch("main").set(Key("plan"), Data("v1".utf8))

        let laptop = try await Sync.clone(url: "\(scratch.path)/server.banyan", to: "\(scratch.path)/laptop.banyan")
        try laptop.branch("main").set(Key("plan"), Data("v2".utf8))
        let result = try await Sync(repository: laptop).push(branch: "main")
        print(result.succeeded)
    }

    /// Sources/BanyanSync/BanyanSync.docc/BanyanSync.md, line 35: compiled, not run.
    func Sources_BanyanSync_BanyanSync_docc_BanyanSync_md_2() async throws {
        let scratch = TemporaryDirectory("banyan-doc-sample")
        let phone = try Repository.open(at: "\(scratch.path)/phone.banyan")   // a clone: it has the remote origin
        for await event in try Sync(repository: phone).live(branches: ["main"]) {
            switch event {
            case .synced(let outcome, let at):
                for branch in outcome.branches where !branch.isNothingToDo {
                    print("\(branch.branch): \(branch.action.rawValue)\(branch.pushed ? ", pushed" : "") at \(at)")
                }
            case .conflict(_, let branch, let keys):
                print("conflict on \(branch) in \(keys.map(\.path).joined(separator: ", "))")
            case .offline(let remote, let error, let retryIn):
                print("\(remote) offline (\(error)), retrying in \(retryIn)")
            case .online(let remote):
                print("\(remote) online")
            case .following:
                break
            }
        }
    }

    /// Sources/BanyanServer/BanyanServer.docc/BanyanServer.md, line 16: compiled, not run.
    func Sources_BanyanServer_BanyanServer_docc_BanyanServer_md_1() async throws {
        let repo = try Repository.open(at: "/srv/notes.banyan")
        let builder = BanyanServerBuilder(
            repository: repo, configuration: .init(host: "127.0.0.1", port: 8080, token: "s3cret", git: .init()))
        builder.addRESTAPI(repository: repo)
        try await builder.serviceGroup { port in print("listening on \(port)") }.run()
        try repo.flush()
    }
}
