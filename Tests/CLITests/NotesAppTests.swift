import BanyanTestSupport
import Foundation
import Testing

/// The `notes` example app's errors: clear messages, a failing exit status, nothing written.
/// (Its happy path is the script of Examples/Notes/README.md, run by `DocSampleTests`.)
@Suite("Notes example")
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
}
