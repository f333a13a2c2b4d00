// banyan-stress: one process of the multi-process stress test
// (Tests/CLITests/StressTests.swift). Internal to the test suite: not
// installed, not part of the CLI.
//
//     banyan-stress <repository> <worker> <seconds> <threads> <log file>
//
// Runs `threads` threads against the filesystem store at `repository` for
// `seconds`, each picking at random: a set on a work branch, a batch (one
// transaction of several sets and a remove), a counter increment on the
// `counters` branch, a merge of one work branch into another; thread 0
// also runs gc (`--prune=now`) every second. Every write that returned is appended to the
// log file as it returns, one line each:
//
//     commit <branch> <id>         a commit the branch acknowledged
//     increment <counter> <id>     an increment of counters/<counter>, in commit <id>
//     gc                           a gc that ran to the end
//
// A write that gives up on a lock another writer holds (`refLocked`) or on a
// branch that keeps moving (`staleRef`) is not acknowledged and not logged;
// any other error ends the process with status 1.
import Banyan
import Foundation
import Synchronization

let arguments = CommandLine.arguments
guard arguments.count == 6, let worker = Int(arguments[2]), let seconds = Double(arguments[3]),
      let threadCount = Int(arguments[4]) else {
    FileHandle.standardError.write(Data("usage: banyan-stress <repository> <worker> <seconds> <threads> <log file>\n".utf8))
    exit(2)
}
let workBranches = ["work-0", "work-1", "work-2", "work-3"]
let counterCount = 4

/// The acknowledged writes, appended to the log file line by line.
final class AcknowledgementLog: Sendable {
    private let handle: Mutex<FileHandle>

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw BanyanError(.io, "could not create the log \(path)")
        }
        self.handle = Mutex(handle)
    }

    func record(_ line: String) {
        handle.withLock { $0.write(Data((line + "\n").utf8)) }
    }
}

/// What the run did, for the summary line.
struct Counts {
    var commits = 0, increments = 0, merges = 0, gcs = 0, givenUp = 0
}

/// One process's run: the store, the log, and what happened so far.
final class Worker: Sendable {
    let repository: Repository
    let log: AcknowledgementLog
    let worker: Int
    let counts = Mutex(Counts())
    let failed = Atomic<Bool>(false)

    init(repository: Repository, log: AcknowledgementLog, worker: Int) {
        self.repository = repository
        self.log = log
        self.worker = worker
    }

    func key(_ text: String) -> Key {
        // Keys built here from fixed parts are valid.
        try! Key(text)
    }

    /// One random write; on thread 0, a gc first when the last is a second old.
    func step(thread: Int, round: Int, lastGC: inout Date) throws {
        if thread == 0 && Date().timeIntervalSince(lastGC) > 1 {
            lastGC = Date()
            do {
                _ = try repository.gc(pruneOlderThan: .zero)
                log.record("gc")
                counts.withLock { $0.gcs += 1 }
            } catch let error as BanyanError where error.code == .refLocked && error.message.hasPrefix("another gc") {
                // Another process's gc is running.
            }
        }
        let branch = try repository.branch(workBranches.randomElement()!)
        let prefix = "w\(worker)/t\(thread)"
        switch Int.random(in: 0..<100) {
        case 0..<35:
            let id = try branch.set(key("\(prefix)/k\(Int.random(in: 0..<20))"), Data("set \(round)".utf8))
            log.record("commit \(branch.name) \(id.hex)")
            counts.withLock { $0.commits += 1 }
        case 35..<60:
            let counter = Int.random(in: 0..<counterCount)
            let id = try repository.branch("counters").transaction(message: "increment \(counter)") { tx in
                let current = try tx.find(key("counters/c\(counter)")).flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0
                tx.set(key("counters/c\(counter)"), Data(String(current + 1).utf8))
            }
            // An increment always changes the tree, so there is a new commit.
            log.record("increment \(counter) \(id!.hex)")
            counts.withLock { $0.increments += 1 }
        case 60..<80:
            let id = try branch.transaction(message: "batch \(round)") { tx in
                for n in 0..<Int.random(in: 3...8) {
                    tx.set(key("\(prefix)/batch/\(n)"), Data("batch \(round) item \(n)".utf8))
                }
                tx.remove(key("\(prefix)/k\(Int.random(in: 0..<20))"))
                tx.set(key("\(prefix)/rounds"), Data(String(round).utf8))
            }
            // The batch always sets `rounds` anew, so there is a new commit.
            log.record("commit \(branch.name) \(id!.hex)")
            counts.withLock { $0.commits += 1 }
        default:
            let source = workBranches.filter { $0 != branch.name }.randomElement()!
            switch try repository.merge(from: source, into: branch, onConflict: .theirs) {
            case .merged(let id), .fastForward(let id), .recorded(let id, _):
                log.record("commit \(branch.name) \(id.hex)")
                counts.withLock { $0.merges += 1 }
            case .upToDate:
                break
            case .conflicts(let conflicts):
                throw BanyanError(.mergeConflict, "merge of \(source) into \(branch.name) left \(conflicts.count) conflicts")
            }
        }
    }

    /// Steps until `deadline` or until another thread failed.
    func run(thread: Int, until deadline: Date) {
        var lastGC = Date()
        var round = 0
        while Date() < deadline && !failed.load(ordering: .relaxed) {
            round += 1
            do {
                try step(thread: thread, round: round, lastGC: &lastGC)
            } catch let error as BanyanError where error.code == .refLocked || error.code == .staleRef {
                counts.withLock { $0.givenUp += 1 }
            } catch {
                FileHandle.standardError.write(Data("worker \(worker) thread \(thread): \(error)\n".utf8))
                failed.store(true, ordering: .relaxed)
            }
        }
    }
}

let run = Worker(repository: try Repository.open(at: arguments[1]), log: try AcknowledgementLog(path: arguments[5]), worker: worker)
let deadline = Date().addingTimeInterval(seconds)
let finished = DispatchGroup()
for thread in 0..<threadCount {
    finished.enter()
    // Real threads: the store blocks (lock files, fsync), and blocking on the
    // cooperative pool would serialize the writers instead of racing them.
    Thread {
        defer { finished.leave() }
        run.run(thread: thread, until: deadline)
    }.start()
}
finished.wait()
try run.repository.flush()
let summary = run.counts.withLock { $0 }
print("worker \(worker): \(summary.commits) commits, \(summary.increments) increments, \(summary.merges) merges, \(summary.gcs) gcs, \(summary.givenUp) given up")
exit(run.failed.load(ordering: .relaxed) ? 1 : 0)
