import ArgumentParser
import Banyan
import Foundation

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "A tour of Banyan: builds a store in a temporary directory and shows each step.")

    @Option(help: "Where to build the demo store (default: a new temporary directory).")
    var path: String?

    func run() throws {
        let dir = path ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("banyan-demo-\(UUID().uuidString.prefix(8))").path
        let repo = try Repository.create(at: dir)
        step("Created a store (a bare Git repository) at \(dir)")

        let main = try repo.branch("main")
        try main.set(Key("notes/shopping"), Data("milk\neggs\n".utf8), message: "Add a shopping list")
        try main.set(Key("settings/theme"), Data("dark".utf8), message: "Pick a theme")
        struct Contact: Codable { var name: String; var phone: String }
        try main.set(Key("contacts/ada"), encoding: Contact(name: "Ada", phone: "+44 20 7946 0000"),
                     message: "Add Ada")
        step("Wrote three keys on main, one commit each; main is at \(try main.head()!.abbreviated())")

        let ada = try main.get(Key("contacts/ada"), as: Contact.self)
        step("Read contacts/ada back as a Codable value: \(ada.name), \(ada.phone)")

        try main.transaction(message: "Tidy up in one commit") { tx in
            tx.set(try Key("notes/todo"), Data("write the demo\n".utf8))
            tx.remove(try Key("notes/shopping"))
        }
        step("Set notes/todo and removed notes/shopping atomically in one commit")

        let phone = try repo.createBranch("phone")
        try phone.set(Key("settings/theme"), Data("light".utf8), message: "Light theme on the phone")
        step("Branched 'phone' from main and changed settings/theme there")
        step("  main:  settings/theme = \(String(decoding: try main.get(Key("settings/theme")), as: UTF8.self))")
        step("  phone: settings/theme = \(String(decoding: try phone.get(Key("settings/theme")), as: UTF8.self))")

        step("History of main, newest first:")
        for entry in try main.log() {
            step("  \(entry.id.abbreviated()) \(entry.commit.messageString.trimmingCharacters(in: .newlines))")
        }

        let changes = try repo.diff(from: try main.head()!, to: try phone.head()!)
        step("Diff main..phone: " + changes.map { "\($0.kind.rawValue) \($0.key)" }.joined(separator: ", "))

        try main.set(Key("notes/todo"), Data("write the demo\nmerge the phone\n".utf8), message: "More to do")
        let outcome = try repo.merge(from: phone, into: main, message: "Merge the phone's changes")
        if case .merged(let id) = outcome {
            step("Both sides changed different keys; merged phone into main offline-style: \(id.abbreviated())")
            step("  main now has settings/theme = \(String(decoding: try main.get(Key("settings/theme")), as: UTF8.self))")
        }

        let first = try main.log().last!.id
        let old = try repo.snapshot(commit: first)
        step("Detached view of the first commit lists: " + (try old.walk().map(\.key.path).joined(separator: ", ")))

        try repo.flush()
        step("Flushed: the open append pack is now a Git pack file")
        let problems = try repo.fsck()
        step("fsck: \(problems.isEmpty ? "every object and branch checks out" : "\(problems.count) problems")")
        step("It is a Git repository too; try: git -C \(dir) log --oneline --all")
    }

    private func step(_ text: String) {
        Output.line(text)
    }
}
