import Banyan
import BanyanSync
import Foundation

/// `banyan sync --json`: one entry per remote.
struct SyncReports: Encodable {
    var remotes: [SyncReport]
}

/// What `banyan sync` did with one remote, as printed and as JSON.
struct SyncReport: Encodable {
    struct BranchReport: Encodable {
        var branch: String
        var action: SyncOutcome.BranchOutcome.Action
        var old: String?
        var new: String?
        var pushed: Bool
        var pushRefusal: String?
        var attempts: Int
        var conflicts: [String]
        var nothingToDo: Bool
    }

    var remote: String
    var branches: [BranchReport] = []
    /// True when the conflict inbox was pushed.
    var inboxPushed = false
    /// Conflicts open in the inbox on the synced branches afterwards.
    var openConflicts = 0
    var error: String?

    init(_ outcome: SyncOutcome) {
        remote = outcome.remote
        branches = outcome.branches.map {
            BranchReport(branch: $0.branch, action: $0.action, old: $0.old?.hex, new: $0.new?.hex, pushed: $0.pushed,
                         pushRefusal: $0.pushRefusal, attempts: $0.attempts, conflicts: $0.conflicts.map(\.path),
                         nothingToDo: $0.isNothingToDo)
        }
        inboxPushed = outcome.inboxPushed
        openConflicts = outcome.openConflicts
    }

    init(remote: String, error: String) {
        self.remote = remote
        self.error = error
    }

    /// The report as lines: `REMOTE BRANCH: what happened`, errors on stderr.
    func print() {
        if let error { Output.error("\(remote): \(error)") }
        for branch in branches { Output.line("\(remote) \(branch.branch): \(branch.summary)") }
        if error == nil, openConflicts > 0 || inboxPushed {
            let open = "\(openConflicts) open conflict\(openConflicts == 1 ? "" : "s") in the inbox"
            Output.line("\(remote): " + open + (inboxPushed ? "; inbox pushed" : ""))
        }
    }
}

extension SyncReport.BranchReport {
    /// `merged 1a2b3c4, pushed`, `up to date`, `conflicts in a, b; not pushed`, …
    var summary: String {
        let head = new.map { " " + $0.prefix(7) } ?? ""
        let done = switch action {
        case .upToDate: "up to date"
        case .fastForwarded: "fast-forwarded to" + head
        case .merged: "merged" + head
        case .recorded: "merged" + head + " recording conflicts in \(conflicts.joined(separator: ", "))"
        case .conflicts: "conflicts in \(conflicts.joined(separator: ", ")); not pushed"
        }
        if let pushRefusal { return done + "; push refused after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(pushRefusal)" }
        return pushed ? done + (action == .upToDate ? "; pushed" + head : ", pushed") : done
    }
}

/// The lines `banyan sync --live` prints per event: the rounds that changed
/// something, conflicts (once per set of keys), going offline and back, how
/// each remote is followed.
enum LiveLog {
    struct EventJSON: Encodable {
        var event: String
        var at: String
        var remote: String
        var mode: String?
        var branches: [SyncReport.BranchReport]?
        var branch: String?
        var keys: [String]?
        /// For a conflict: true when it went to the conflict inbox (`--on-conflict record`) and the merge was pushed.
        var recorded: Bool?
        var error: String?
        var retryIn: Double?
    }

    /// Prints `event`; `recording` says conflicts go to the inbox (`--on-conflict record`).
    static func print(_ event: LiveSync.Event, json: Bool, recording: Bool = false) {
        let now = Date()
        var line = EventJSON(event: "", at: now.formatted(.iso8601), remote: "")
        switch event {
        case .following(let remote, let mode):
            (line.event, line.remote, line.mode) = ("following", remote, mode.rawValue)
        case .online(let remote):
            (line.event, line.remote) = ("online", remote)
        case .synced(let outcome, let at):
            // Conflicts are reported by their own event, once per set of keys, not every round.
            let changed = SyncReport(outcome).branches.filter { !$0.nothingToDo && $0.action != .conflicts }
            guard !changed.isEmpty else { return }
            (line.event, line.remote, line.at, line.branches) = ("synced", outcome.remote, at.formatted(.iso8601), changed)
        case .conflict(let remote, let branch, let keys):
            (line.event, line.remote, line.branch, line.keys) = ("conflict", remote, branch, keys.map(\.path))
            line.recorded = recording
        case .offline(let remote, let error, let retryIn):
            let seconds = Double(retryIn.components.seconds) + Double(retryIn.components.attoseconds) / 1e18
            (line.event, line.remote, line.error, line.retryIn) = ("offline", remote, "\(error)", (seconds * 1000).rounded() / 1000)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            Output.write((try? encoder.encode(line)) ?? Data())
            Output.line("")
        } else {
            for text in texts(line) { Output.line("\(line.at) \(text)") }
        }
        Output.flush()   // a log read through a pipe sees each event as it happens
    }

    private static func texts(_ line: EventJSON) -> [String] {
        switch line.event {
        case "following": ["\(line.remote): \(line.mode == "events" ? "following its change stream" : "polling")"]
        case "online": ["\(line.remote): online"]
        case "conflict":
            ["\(line.remote) \(line.branch ?? ""): conflicts in \(line.keys?.joined(separator: ", ") ?? "")"
                + (line.recorded == true ? " recorded in the conflict inbox" : "; not pushed")]
        case "offline": ["\(line.remote): offline (\(line.error ?? "")); retrying in \(line.retryIn ?? 0) s"]
        default: (line.branches ?? []).map { "\(line.remote) \($0.branch): \($0.summary)" }
        }
    }
}
