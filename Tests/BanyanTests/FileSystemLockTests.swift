import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// Lock files: how Banyan excludes other writers, its own threads and `git`.
@Suite("filesystem backend locks")
struct FileSystemLockTests {
    @Test("a lock file left behind makes compareAndSwap fail with refLocked and change nothing")
    func staleLockFileBlocksUpdates() throws {
        try withTemporaryDirectory { directory in
            let store = try FileSystemBackend.create(at: directory + "/store.git")
            let a = try store.put(RawObject(kind: .blob, body: Array("a".utf8)))
            let b = try store.put(RawObject(kind: .blob, body: Array("b".utf8)))
            try store.compareAndSwap("refs/heads/main", expected: .absent, new: a, log: nil)
            let lock = store.path + "/refs/heads/main.lock"
            #expect(FileManager.default.createFile(atPath: lock, contents: Data()))

            let error = #expect(throws: BanyanError.self) {
                try store.compareAndSwap("refs/heads/main", expected: .value(a), new: b, log: nil)
            }
            #expect(error?.code == .refLocked)
            #expect(error?.message.contains(lock) == true, "the error names the lock file")
            #expect(error?.message.contains("remove") == true, "the error says how to recover")
            #expect(try store.find("refs/heads/main") == .direct(a))
            #expect(FileManager.default.fileExists(atPath: lock), "another writer's lock is never removed")
            #expect(throws: BanyanError(.refLocked, error?.message ?? "")) { try store.delete("refs/heads/main", expected: .any) }

            try FileManager.default.removeItem(atPath: lock)
            try store.compareAndSwap("refs/heads/main", expected: .value(a), new: b, log: nil)
            #expect(try store.find("refs/heads/main") == .direct(b))
        }
    }

    @Test("deleting a packed branch waits core.packedRefsTimeout for packed-refs.lock, as git does")
    func packedRefsTimeoutIsHonoured() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/store.git"
            let repository = try Repository.create(at: path)
            try repository.branch("main").set(key("a"), data("a"))
            for name in ["one", "two"] { _ = try repository.createBranch(name) }
            _ = try repository.runMaintenance([.packRefs])
            let lock = path + "/packed-refs.lock"

            // 0: no wait at all; the branch stays.
            try repository.updateConfig { try $0.set("0", forKey: "core.packedRefsTimeout") }
            #expect(FileManager.default.createFile(atPath: lock, contents: Data()))
            let refused = #expect(throws: BanyanError.self) { try Repository.open(at: path).deleteBranch("one") }
            #expect(refused?.code == .refLocked && refused?.message.contains("packed-refs.lock") == true)
            #expect(try repository.refs.find("refs/heads/one") != nil)

            // Negative: wait without end; the deletion goes through once the holder lets go.
            try FileManager.default.removeItem(atPath: lock)
            try repository.updateConfig { try $0.set("-1", forKey: "core.packedRefsTimeout") }
            let waiting = try Repository.open(at: path)
            #expect(FileManager.default.createFile(atPath: lock, contents: Data()))
            let release = Thread { usleep(1_500_000); try? FileManager.default.removeItem(atPath: lock) }
            release.start()
            try waiting.deleteBranch("one")
            #expect(try waiting.refs.find("refs/heads/one") == nil && waiting.refs.find("refs/heads/two") != nil)
            #expect(try GitRunner.run(["for-each-ref", "--format=%(refname)"], in: path).text == "refs/heads/main\nrefs/heads/two")

            try repository.updateConfig { try $0.set("soon", forKey: "core.packedRefsTimeout") }
            let bad = #expect(throws: BanyanError.self) { try Repository.open(at: path) }
            #expect(bad?.code == .invalidRepository && bad?.message.contains("core.packedRefsTimeout") == true)
        }
    }

    @Test("a failed compareAndSwap removes its own lock file")
    func failedUpdateReleasesLock() throws {
        try withTemporaryDirectory { directory in
            let store = try FileSystemBackend.create(at: directory + "/store.git")
            let a = try store.put(RawObject(kind: .blob, body: Array("a".utf8)))
            try store.compareAndSwap("refs/heads/main", expected: .absent, new: a, log: nil)
            #expect(throws: BanyanError.self) { try store.compareAndSwap("refs/heads/main", expected: .absent, new: a, log: nil) }
            #expect(throws: BanyanError.self) { try store.delete("refs/heads/gone/deep", expected: .any) }
            #expect(try filesEnding(in: ".lock", under: store.path).isEmpty)
            #expect(!FileManager.default.fileExists(atPath: store.path + "/refs/heads/gone"), "directories made for a lock are removed")
        }
    }

    @Test("Banyan threads and a git update-ref loop share a counter ref without losing an update")
    func concurrentUpdatesWithGit() throws {
        try withTemporaryDirectory { directory in
            let store = try FileSystemBackend.create(at: directory + "/store.git")
            let gitIncrements = 30, threads = 2, threadIncrements = 30
            let total = gitIncrements + threads * threadIncrements
            // Counter values are commits (git refuses other objects in refs/heads), with the value as message.
            let emptyTree = try store.put(RawObject(kind: .tree, body: []))
            let ids = try (0...total).map { n in
                let text = "tree \(emptyTree)\nauthor A <a@x> 1700000000 +0000\ncommitter A <a@x> 1700000000 +0000\n\n\(n)\n"
                return try store.put(RawObject(kind: .commit, body: Array(text.utf8)))
            }
            // git update-ref checks that the commits exist: seal the append pack.
            try store.flush()
            let valueOf = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
            let counter = "refs/heads/counter"
            let log = ReflogEntry(old: .zero(.sha1), new: .zero(.sha1),
                                  committer: Signature(name: "Banyan", email: "b@x", time: 1_700_000_000), message: "increment")
            try store.compareAndSwap(counter, expected: .absent, new: ids[0], log: log)
            try ids.map(\.hex).joined(separator: "\n").appending("\n").write(toFile: directory + "/ids", atomically: true, encoding: .utf8)

            // Each git iteration reads the counter, looks up the next id, and
            // moves the ref only if it still holds the value read.
            let script = """
                i=0 attempts=0
                while [ $i -lt \(gitIncrements) ]; do
                  attempts=$((attempts + 1)); [ $attempts -gt 5000 ] && exit 2
                  cur=$(git rev-parse refs/heads/counter) || exit 1
                  n=$(grep -n -x "$cur" '\(directory)/ids' | cut -d: -f1)
                  next=$(sed -n "$((n + 1))p" '\(directory)/ids')
                  if git update-ref refs/heads/counter "$next" "$cur" 2>/dev/null; then i=$((i + 1)); fi
                done
                """
            // Thread 0 runs the git loop; the others update through Banyan.
            let failures = runOnThreads(threads + 1) { thread in
                if thread == 0 {
                    let git = try Git(store.path).run(["sh", "-c", script])
                    guard git.status == 0 else { throw GitFailure(description: "git loop exited \(git.status): \(git.stderr)") }
                    return
                }
                var done = 0
                while done < threadIncrements {
                    guard let current = try store.resolve(counter), let n = valueOf[current] else {
                        throw GitFailure(description: "the counter holds an unknown value")
                    }
                    do {
                        try store.compareAndSwap(counter, expected: .value(current), new: ids[n + 1], log: log)
                        done += 1
                        // Pace the threads so their updates interleave with the slower git loop.
                        usleep(2_000)
                    } catch let error as BanyanError where error.code == .staleRef || error.code == .refLocked {
                        continue
                    }
                }
            }

            #expect(failures == [])
            #expect(try store.resolve(counter) == ids[total], "every increment from both sides is kept")
            // git appends to a reflog that exists, so the log is one chain of single steps.
            let entries = try store.reflog(counter)
            #expect(entries.count == total + 1)
            #expect(entries.enumerated().dropFirst().allSatisfy { n, entry in entry.old == ids[n - 1] && entry.new == ids[n] })
        }
    }
}

/// The paths of files under `root` whose names end with `suffix`.
func filesEnding(in suffix: String, under root: String) throws -> [String] {
    try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix(suffix) }
}
