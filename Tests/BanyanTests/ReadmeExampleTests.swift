import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// The library example of README.md, run as written (with a temporary path
/// and without printing),
/// so the front page cannot drift from the API.
@Suite("README")
struct ReadmeExampleTests {
    @Test func libraryExampleRuns() throws {
        let dir = TemporaryDirectory()
        let repo = try Repository.create(at: dir.appending("notes.banyan"))   // or try Repository.inMemory()
        let main = try repo.branch("main")

        try main.set(Key("notes/today"), Data("buy milk".utf8), message: "Add a note")
        let note = try main.get(Key("notes/today"))                  // Data("buy milk")

        struct Settings: Codable { var theme: String }
        try main.set(Key("settings"), encoding: Settings(theme: "dark"))

        try main.transaction(message: "Tidy up") { tx in            // one atomic commit,
            tx.set(try Key("notes/tomorrow"), Data("call Ada".utf8)) // retried on a race
            tx.remove(try Key("notes/today"))
        }

        let phone = try repo.createBranch("phone")                   // branch from main
        for entry in try main.log(limit: 10) { _ = (entry.id.abbreviated(), entry.commit.messageString) }
        let changes = try repo.diff(from: try main.head()!, to: try phone.head()!)

        #expect(note == Data("buy milk".utf8))
        #expect(try main.get(Key("settings"), as: Settings.self).theme == "dark")
        #expect(try main.find(Key("notes/today")) == nil)
        #expect(changes.isEmpty)
    }
}
