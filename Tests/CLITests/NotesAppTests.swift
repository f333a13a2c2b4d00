import BanyanTestSupport
import Foundation
import Testing

/// The `notes` example app's errors: clear messages, a failing exit status, nothing written.
/// (Its happy path is the script of Examples/Notes/README.md, run by `DocSampleTests`.)
@Suite("Notes example", .serialized)
struct NotesAppTests {
    let notes = (CLI.executable as NSString).deletingLastPathComponent + "/notes"

    func run(_ args: [String], store: String) throws -> GitRunner.Result {
        try ProcessRunner.run(notes, args + ["--store", store], environment: DocShell.environment, check: false)
    }

    @Test func badInputIsRefusedAndChangesNothing() throws {
        let dir = TemporaryDirectory("banyan-notes")
        let store = dir.appending("notes.banyan")
        #expect(try run(["add", "groceries", "Groceries", "--tag", "home"], store: store).status == 0)
        let before = try CLI.ok(store, ["snapshot"])

        let duplicate = try run(["add", "groceries", "Again"], store: store)
        #expect(duplicate.status != 0)
        #expect(duplicate.stderr.contains("note groceries exists"))
        let missing = try run(["edit", "nothing", "--title", "x"], store: store)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("there is no note nothing"))
        let slash = try run(["add", "a/b", "Nested"], store: store)
        #expect(slash.status != 0)
        #expect(slash.stderr.contains("a note id is one non-empty name without '/'"))

        #expect(try CLI.ok(store, ["snapshot"]) == before)
        #expect(try run(["list"], store: store).text == "groceries: Groceries [home] (0 edits)")
    }

    /// `notes sync --live` on the phone pulls the laptop's note as soon as
    /// the laptop syncs, records a conflict the two make, takes the
    /// laptop's resolution, and exits 0 on SIGTERM.
    @Test(.timeLimit(.minutes(1)))
    func liveSyncFollowsTheOtherDeviceAndItsResolutions() async throws {
        try await offPool {
            let dir = TemporaryDirectory("banyan-notes")
            let cloud = dir.appending("cloud")
            try CLI.ok(cloud, ["init"])
            let serve = try ServeProcess(repo: cloud)
            defer { serve.stop(SIGKILL) }
            let laptop = dir.appending("laptop.banyan"), phone = dir.appending("phone.banyan")
            #expect(try run(["add", "talk", "Slides"], store: laptop).status == 0)
            #expect(try run(["sync", serve.url], store: laptop).status == 0)

            // The phone's store exists before the live sync and the checks open it.
            #expect(try run(["list"], store: phone).status == 0)
            let log = dir.appending("live.log")
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let live = Process()
            live.executableURL = URL(fileURLWithPath: notes)
            live.arguments = ["sync", serve.url, "--live", "--store", phone]
            live.environment = DocShell.environment
            live.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            live.standardError = live.standardOutput
            try live.run()
            defer { if live.isRunning { kill(live.processIdentifier, SIGKILL) } }
            func printed() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
            func list(_ store: String) -> String { (try? run(["list"], store: store).text) ?? "" }

            #expect(SyncCommandCLITests.eventually { list(phone).contains("talk: Slides") }, "\(printed())")
            #expect(try run(["add", "call", "Call the plumber"], store: laptop).status == 0)
            #expect(try run(["sync", serve.url], store: laptop).status == 0)
            #expect(SyncCommandCLITests.eventually { list(phone).contains("call: Call the plumber") }, "\(printed())")

            // Both retitle the talk; the laptop's sync merges, recording the conflict.
            #expect(try run(["edit", "talk", "--title", "Laptop's title"], store: laptop).status == 0)
            Thread.sleep(forTimeInterval: 1.1)
            #expect(try run(["edit", "talk", "--title", "Phone's title"], store: phone).status == 0)
            #expect(SyncCommandCLITests.eventually { printed().contains("synced: up to date, pushed") }, "\(printed())")
            #expect(try run(["sync", serve.url], store: laptop).text == "synced: merged; conflict recorded in talk/note.json")
            #expect(try run(["conflicts"], store: laptop).text == "talk: note.json at $.title")
            #expect(SyncCommandCLITests.eventually { (try? run(["conflicts"], store: phone).text) == "talk: note.json at $.title" },
                    "\(printed())")
            #expect(list(laptop).contains("talk: Phone's title"))
            let unknown = try run(["resolve", "call", "--keep", "shown"], store: laptop)
            #expect(unknown.status != 0 && unknown.stderr.contains("note call has no conflict"))
            #expect(try run(["resolve", "talk", "--keep", "other"], store: laptop).status == 0)
            #expect(try run(["sync", serve.url], store: laptop).status == 0)
            #expect(SyncCommandCLITests.eventually {
                list(phone).contains("talk: Laptop's title") && (try? run(["conflicts"], store: phone).text) == ""
            }, "\(printed())")

            kill(live.processIdentifier, SIGTERM)
            live.waitUntilExit()
            #expect(live.terminationReason == .exit && live.terminationStatus == 0)
            try GitRunner.run(["fsck", "--strict"], in: cloud)
        }
    }
}
