import Banyan
import Foundation

extension PowerLossSimulator {
    /// A write that returned: from then on, `branch` holds `head` (or, when
    /// a later write to it was under way at the cut, what that one left).
    package struct Acknowledged: Sendable {
        /// ``PowerLossSimulator/completed`` when the write returned.
        package var completed: Int
        /// A branch name, or a full ref name (`refs/remotes/…`).
        package var branch: String
        /// Nil when the write deleted the branch.
        package var head: ObjectID?

        package init(completed: Int, branch: String, head: ObjectID?) {
            self.completed = completed
            self.branch = branch
            self.head = head
        }
    }

    /// What is wrong with one image: git's verdict first (no Banyan process
    /// has opened it), then the `acknowledged` writes, then Banyan's fsck.
    package func problems(in image: Image, acknowledged: [Acknowledged]) throws -> [String] {
        let git = try GitRunner.run(["--git-dir", image.path, "fsck", "--strict", "--no-dangling"], check: false)
        if git.status != 0 { return ["\(image): git fsck: \(git.stderr)"] }
        for branch in Set(acknowledged.map(\.branch)) {
            let writes = acknowledged.filter { $0.branch == branch }
            guard let last = writes.lastIndex(where: { $0.completed <= image.completed }) else { continue }
            // The acknowledged state, or the next write's, which may have landed.
            let allowed = writes[last...].prefix(2).map(\.head)
            let ref = branch.hasPrefix("refs/") ? branch : "refs/heads/" + branch
            let current = try GitRunner.run(["--git-dir", image.path, "rev-parse", "--verify", "-q", ref], check: false)
            let holds = try allowed.contains { head in
                guard let head else { return current.status != 0 }
                guard current.status == 0 else { return false }
                return try GitRunner.run(["--git-dir", image.path, "merge-base", "--is-ancestor", head.hex, current.text], check: false).status == 0
            }
            if !holds { return ["\(image): \(branch) is \(current.text), not the acknowledged \(allowed.map { $0?.hex ?? "(deleted)" })"] }
        }
        do {
            let reopened = try Repository.open(at: image.path, configuration: .init(maintenance: .off))
            let problems = try reopened.fsck()
            if !problems.isEmpty { return ["\(image): banyan fsck: \(problems)"] }
        } catch {
            return ["\(image): banyan cannot open it: \(error)"]
        }
        return []
    }
}
