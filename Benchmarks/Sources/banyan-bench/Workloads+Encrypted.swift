import Banyan
import Foundation

extension Workloads {
    /// W5E: W5 through an encrypted remote, against a plain one in the same
    /// run. W1's `main` (written and flushed, not timed) is pushed by the
    /// `banyan` CLI to two empty `banyan serve` stores on loopback, one as a
    /// plain remote and one as an encrypted remote; each is cloned by
    /// `banyan clone` (the encrypted one with `--encrypt --key`); then one
    /// more commit goes to each (`banyan push`) and each clone pulls it
    /// (`banyan pull`). Every clone's `main` is checked against the source.
    static func encryptedClone(_ scale: Scale, at path: String) throws -> [Figure] {
        let source = path + "/source"
        let repo = try Repository.create(at: source)
        try writeHistory(repo, scale, batched: true)
        try repo.flush()
        let banyan = try Processes.banyanExecutable()
        var figures: [Figure] = []
        let key = String(repeating: "5a", count: 32)
        for (name, encrypted) in [("plain", false), ("encrypted", true)] {
            let remotePath = path + "/\(name)-remote"
            _ = try Repository.create(at: remotePath)
            let server = try BanyanServeProcess(repository: remotePath)
            defer { server.stop() }
            try Processes.run(banyan, ["remote", "add", name, server.url, "-C", source]
                                 + (encrypted ? ["--encrypt", "--key", key] : []))
            let push = try Processes.run(banyan, ["push", name, "main", "-C", source])
            let clonePath = path + "/\(name)-clone"
            let clone = try Processes.run(banyan, ["clone", server.url, clonePath, "--quiet"]
                                             + (encrypted ? ["--encrypt", "--key", key] : []))
            try check(clonePath, matches: repo, what: "\(name) clone")
            try repo.branch("main").set(BenchData.key(7), BenchData.value("incremental \(name)", 7))
            try repo.flush()
            let pushOne = try Processes.run(banyan, ["push", name, "main", "-C", source])
            let pull = try Processes.run(banyan, ["pull", "origin", "main", "-C", clonePath])
            try check(clonePath, matches: repo, what: "\(name) pull")
            figures += [
                Figure(name: "\(name): push W1 main wall", value: push, unit: "s"),
                Figure(name: "\(name): clone wall", value: clone, unit: "s"),
                Figure(name: "\(name): push one commit wall", value: pushOne, unit: "s"),
                Figure(name: "\(name): pull one commit wall", value: pull, unit: "s"),
                Figure(name: "\(name): remote disk", value: Double(try diskUsage(remotePath)), unit: "bytes"),
            ]
        }
        return figures
    }

    /// Throws unless the store at `path` has `main` where `repo` has it.
    private static func check(_ path: String, matches repo: Repository, what: String) throws {
        let got = try Repository.open(at: path).branch("main").head()
        guard got == (try repo.branch("main").head()) else {
            throw BanyanError(.corruptObject, "W5E: the \(what) has main at \(got?.hex ?? "nothing"), not the source's")
        }
    }
}
