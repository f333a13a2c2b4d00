import Banyan
import Foundation

extension Workloads {
    /// W5: W1's repository (written and flushed, not timed) served by a
    /// `banyan serve` child on loopback, cloned by the `banyan clone` process
    /// and by `git clone --bare` (all branches, full history).
    static func clone(_ scale: Scale, at path: String) throws -> [Figure] {
        let repo = try Repository.create(at: path)
        try writeHistory(repo, scale, batched: true)
        try repo.flush()
        let server = try BanyanServeProcess(repository: path)
        defer { server.stop() }
        let banyanClone = path + "-banyan-clone", gitClone = path + "-git-clone"
        defer {
            try? FileManager.default.removeItem(atPath: banyanClone)
            try? FileManager.default.removeItem(atPath: gitClone)
        }
        let banyanSeconds = try Processes.run(try Processes.banyanExecutable(), ["clone", server.url, banyanClone])
        let gitSeconds = try Processes.git(["clone", "--bare", "-q", server.url, gitClone])
        return [
            Figure(name: "banyan clone wall", value: banyanSeconds, unit: "s"),
            Figure(name: "banyan clone disk", value: Double(try diskUsage(banyanClone)), unit: "bytes"),
            Figure(name: "git clone from banyan serve wall", value: gitSeconds, unit: "s"),
            Figure(name: "git clone from banyan serve disk", value: Double(try diskUsage(gitClone)), unit: "bytes"),
        ]
    }
}
