import Banyan
import Foundation

extension Workloads {
    /// W5: W1's repository (written and flushed, not timed) served by a
    /// `banyan serve` child on loopback, cloned by the `banyan clone` process
    /// and by `git clone --bare` (all branches, full history); then the same
    /// store after `gc` (one pack with reachability bitmaps, as git's peer
    /// `git repack -adb` makes) served and cloned again. Every clone must
    /// have the source's `main` and pass `git fsck --strict`.
    static func clone(_ scale: Scale, at path: String) throws -> [Figure] {
        let repo = try Repository.create(at: path)
        try writeHistory(repo, scale, batched: true)
        try repo.flush()
        let main = try repo.resolve("main")
        var figures = try cloneFigures(path, main: main, suffix: "")
        let report = try repo.gc()
        guard report.bitmappedCommits > 0 else {
            throw BanyanError(.corruptObject, "W5: gc wrote no reachability bitmap")
        }
        figures += try cloneFigures(path, main: main, suffix: ", gc'd (bitmaps)")
        return figures
    }

    /// Serves `path` and clones it with `banyan clone` and `git clone --bare`, checking both clones.
    private static func cloneFigures(_ path: String, main: ObjectID, suffix: String) throws -> [Figure] {
        let server = try BanyanServeProcess(repository: path)
        defer { server.stop() }
        let banyanClone = path + "-banyan-clone", gitClone = path + "-git-clone"
        defer {
            try? FileManager.default.removeItem(atPath: banyanClone)
            try? FileManager.default.removeItem(atPath: gitClone)
        }
        let banyan = try Processes.measured(try Processes.banyanExecutable(), ["clone", server.url, banyanClone])
        let gitSeconds = try Processes.git(["clone", "--bare", "-q", server.url, gitClone])
        for clone in [banyanClone, gitClone] {
            guard try Repository.open(at: clone).resolve("main") == main else {
                throw BanyanError(.corruptObject, "W5: \(clone) does not have the source's main")
            }
            // Not timed: the clone must be whole for git.
            try Processes.git(["-C", clone, "fsck", "--strict", "--no-dangling", "--no-progress"])
        }
        return [
            Figure(name: "banyan clone wall" + suffix, value: banyan.seconds, unit: "s"),
            Figure(name: "banyan clone peak RSS" + suffix, value: banyan.peakRSS, unit: "bytes"),
            Figure(name: "banyan clone disk" + suffix, value: Double(try diskUsage(banyanClone)), unit: "bytes"),
            Figure(name: "git clone from banyan serve wall" + suffix, value: gitSeconds, unit: "s"),
            Figure(name: "git clone from banyan serve disk" + suffix, value: Double(try diskUsage(gitClone)), unit: "bytes"),
        ]
    }
}
