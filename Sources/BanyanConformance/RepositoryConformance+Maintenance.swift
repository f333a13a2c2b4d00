import Banyan
import Foundation

extension BackendConformance {
    static let maintenanceChecks: [RepositoryCheck] = [
        RepositoryCheck("gc keeps what refs and reflogs reach, and unreachable objects younger than an hour") { make in
            let repository = try make(.sha1)
            for i in 0..<4 { try write(repository, "notes/a", "version \(i)", time: Int64(i)) }
            let kept = try write(repository, "notes/b", "side", branch: "side", time: 5)
            let orphan = try repository.objects.put(RawObject(kind: .blob, body: Array("reachable from nothing".utf8)))
            try repository.flush()

            let spared = try repository.gc(pruneBefore: nil)
            try expectEqual(spared.prunedObjects, 0, "objects pruned by a gc without a cutoff")
            try expect(try repository.objects.contains(orphan), "a gc without a cutoff removed an unreachable object")

            // A write in progress stores its objects before its ref moves: gc
            // keeps the unreachable ones written within the hour, whatever the cutoff.
            let report = try repository.gc(pruneBefore: Date().addingTimeInterval(60))
            try expectEqual(report.prunedObjects, 0, "objects written just now pruned by a gc with a cutoff of now")
            try expect(try repository.objects.contains(orphan), "gc removed an unreachable object written just now")
            try expectComplete(repository, from: try repository.refs.resolve("refs/heads/main")!)
            try expectComplete(repository, from: kept)
            try expectEqual(try read(repository, "notes/a"), "version 3", "a value after gc")
        },
        RepositoryCheck("reflog expiry drops entries past gc.reflogExpire and keeps the rest") { make in
            let repository = try make(.sha1)
            for i in 0..<3 { try write(repository, "notes/a", "\(i)", time: Int64(i)) }
            try repository.updateConfig { try $0.set("1.day.ago", forKey: "gc.reflogExpire") }
            let recent = try repository.expireReflogs(now: Date(timeIntervalSince1970: 1_700_000_000 + 3600))
            try expectEqual(recent.removed, 0, "entries expired an hour after they were written")
            try expectEqual(try repository.refs.reflog("refs/heads/main").count, 3, "entries kept")
            let later = try repository.expireReflogs(now: Date(timeIntervalSince1970: 1_700_000_000 + 3 * 86_400))
            try expect(later.removed >= 3, "expiry three days later removed \(later.removed) entries")
            try expectEqual(try repository.refs.reflog("refs/heads/main"), [], "the reflog of main three days later")
            try expect(try repository.refs.resolve("refs/heads/main") != nil, "reflog expiry moved a ref")
        },
        RepositoryCheck("maintenance runs every task, counts objects and leaves the store readable") { make in
            let repository = try make(.sha1)
            for i in 0..<20 { try write(repository, "notes/n\(i % 4)", "value \(i)", time: Int64(i)) }
            let head = try repository.refs.resolve("refs/heads/main")!
            let before = try repository.countObjects()
            try expect(before.count + before.inPack > 0, "count-objects counted no object in a store with 20 commits")
            let report = try repository.runMaintenance(MaintenanceTask.allCases)
            try expectEqual(report.tasks, MaintenanceTask.allCases, "the tasks that ran")
            try expectEqual(try repository.refs.resolve("refs/heads/main"), head, "main after maintenance")
            try expectComplete(repository, from: head)
            try expectEqual(try read(repository, "notes/n3"), "value 19", "a value after maintenance")
        },
    ]
}
