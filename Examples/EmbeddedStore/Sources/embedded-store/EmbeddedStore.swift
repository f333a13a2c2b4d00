// A home server and a phone, both embedded in this process: the home store
// lives on disk and serves Git's smart HTTP protocol; the phone's store is
// in memory, clones the home store, works offline, and syncs back.
// Prints what happens and exits 1 if any step does not do what it says.
import Banyan
import BanyanServer
import BanyanSync
import Foundation

@main
struct EmbeddedStore {
    static func main() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("embedded-store-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // The home store, on disk: a bare Git repository.
        let home = try Repository.create(at: directory + "/home.git")
        let homeMain = try home.branch("main")
        try homeMain.set(Key("notes/groceries"), Data("milk\n".utf8), message: "Add groceries")
        try homeMain.set(Key("settings/theme"), Data("light".utf8), message: "Pick a theme")

        // Served from this process, on a port the system picks.
        let (ports, portStream) = AsyncStream<Int>.makeStream()
        let server = BanyanServerBuilder(repository: home, configuration: .init(host: "127.0.0.1", port: 0, logLevel: .error))
        server.addRESTAPI(repository: home)
        // A service group shuts the server down gracefully when asked (or on SIGTERM/SIGINT).
        let group = try server.serviceGroup { portStream.yield($0) }
        let serving = Task { try await group.run() }
        var portIterator = ports.makeAsyncIterator()
        guard let port = await portIterator.next() else { fatalError("the server did not start") }
        let url = "http://127.0.0.1:\(port)/"
        print("home store served at \(url)")

        // The phone: an in-memory store cloned from home.
        let phone = try Repository.inMemory()
        try await Sync.clone(url: url, into: phone)
        let phoneMain = try phone.branch("main")
        check(try phoneMain.get(Key("settings/theme")) == Data("light".utf8), "the phone's clone holds home's settings")

        // Both sides change different keys while apart.
        try phoneMain.set(Key("notes/groceries"), Data("milk\neggs\n".utf8), message: "Eggs too")
        try homeMain.set(Key("settings/theme"), Data("dark".utf8), message: "Dark theme")

        // The phone syncs: pull (a merge, as both moved), then push.
        let sync = Sync(repository: phone)
        let pulled = try await sync.pull(branch: "main")
        if case .merged = pulled { check(true, "pull merged home's change with the phone's") } else { check(false, "pull merged (got \(pulled))") }
        let pushed = try await sync.push(branch: "main")
        check(pushed.succeeded, "push to home succeeded")
        check(try homeMain.head() == phoneMain.head(), "home and phone have the same head")
        check(try homeMain.get(Key("notes/groceries")) == Data("milk\neggs\n".utf8), "home has the phone's note")
        check(try phoneMain.get(Key("settings/theme")) == Data("dark".utf8), "the phone has home's theme")

        // Home's store is still what git reads: count its history.
        let history = try homeMain.log().count
        check(history == 5, "home's main has 5 commits (3 writes, the phone's, the merge)")

        await group.triggerGracefulShutdown()
        try await serving.value
        print("done")
    }

    /// Prints `what` as done, or as failed and exits 1.
    static func check(_ condition: Bool, _ what: String) {
        guard condition else {
            print("FAILED: \(what)")
            exit(1)
        }
        print("ok: \(what)")
    }
}
