import BanyanTestSupport
import Foundation
import Testing

/// `banyan log` prints dates with its own calendar arithmetic (no
/// `DateFormatter`); git's output is the reference for every date here, and
/// for messages with and without a final newline (as `git fast-import`
/// writes them).
@Suite("log dates")
struct LogDateTests {
    let dir = TemporaryDirectory("banyan-log-dates")

    @Test("dates across centuries, leap days and zones, and messages without a final newline, print as git log prints them")
    func datesMatchGit() throws {
        let path = dir.appending("dates.git")
        try GitRunner.run(["init", "--bare", "-q", "-b", "main", path])
        let tree = try GitRunner.run(["mktree"], in: path, input: Data()).text
        // (seconds since the epoch, zone): the epoch, the last second of a day,
        // leap days (2000 is a leap year, 1900 and 2100 are not), a year's
        // end in a zone that moves the date, the far future, odd zones.
        let dates: [(Int64, String)] = [
            (0, "+0000"), (86_399, "+0000"), (86_399, "+0001"), (951_782_400, "+0000"), (951_868_799, "-1200"),
            (1_700_000_000, "+0530"), (1_700_000_000, "-0930"), (1_704_067_199, "+1400"), (1_709_164_800, "+0100"),
            (4_102_444_800, "-0100"), (4_107_542_400, "+0000"), (253_402_300_799, "+0000"), (1_234_567_890, "-0000"),
        ]
        var parent: String?
        for (time, zone) in dates {
            let body = "tree \(tree)\n" + (parent.map { "parent \($0)\n" } ?? "")
                + "author A <a@example.com> \(time) \(zone)\ncommitter A <a@example.com> \(time) \(zone)\n\nat \(time)" + (time % 2 == 0 ? "\n" : "")
            parent = try GitRunner.run(["hash-object", "-t", "commit", "-w", "--stdin"], in: path, input: Data(body.utf8)).text
        }
        try GitRunner.run(["update-ref", "refs/heads/main", parent!], in: path)
        let banyan = try CLI.run(["-C", path, "log", "main"])
        #expect(banyan.status == 0, "\(banyan.stderr)")
        let git = try GitRunner.run(["log", "main"], in: path).stdout
        #expect(banyan.text.components(separatedBy: "\n").filter { $0.hasPrefix("Date:") }
            == String(decoding: git, as: UTF8.self).components(separatedBy: "\n").filter { $0.hasPrefix("Date:") })
        #expect(banyan.stdout == git)
    }
}
