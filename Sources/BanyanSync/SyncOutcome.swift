import Banyan

/// What one ``Sync/sync(remote:branches:onConflict:attempts:)`` round did
/// with one remote, branch by branch.
public struct SyncOutcome: Hashable, Sendable {
    /// What happened to one branch.
    public struct BranchOutcome: Hashable, Sendable {
        /// What the round did to the local branch.
        public enum Action: String, Hashable, Sendable, Codable, Comparable {
            /// The local branch already held everything the remote had.
            case upToDate = "up-to-date"
            /// The local branch moved forward to the remote's head.
            case fastForwarded = "fast-forwarded"
            /// A merge commit joined the local and the remote heads.
            case merged
            /// A merge commit joined them with conflicts settled provisionally
            /// and recorded in the conflict inbox (`ConflictRule.record`).
            case recorded = "conflicts-recorded"
            /// Conflicts no strategy resolved: the branch did not move and nothing was pushed.
            case conflicts

            private var rank: Int {
                switch self {
                case .upToDate: 0
                case .fastForwarded: 1
                case .merged: 2
                case .recorded: 3
                case .conflicts: 4
                }
            }

            public static func < (lhs: Action, rhs: Action) -> Bool { lhs.rank < rhs.rank }
        }

        /// The branch's short name.
        public var branch: String
        /// The most a round did to the local branch over all its attempts.
        public var action: Action
        /// The local head before the round (nil when the branch did not exist).
        public var old: ObjectID?
        /// The local head after the round.
        public var new: ObjectID?
        /// The keys in conflict when `action` is `.conflicts` (left, the
        /// branch not moved) or `.recorded` (in the inbox), sorted.
        public var conflicts: [Key]
        /// True when the remote branch was moved to `new`.
        public var pushed: Bool
        /// Why the remote refused the last push, when every attempt was refused.
        public var pushRefusal: String?
        /// Fetch-merge-push attempts made (more than one when the remote moved meanwhile).
        public var attempts: Int

        /// True when the round changed neither side.
        public var isNothingToDo: Bool { action == .upToDate && !pushed && pushRefusal == nil }
    }

    /// The remote's name.
    public var remote: String
    /// One outcome per branch, in the order asked.
    public var branches: [BranchOutcome]
    /// True when the round pushed the conflict inbox (a conflict recorded
    /// or resolved here reached the remote).
    public var inboxPushed = false
    /// The conflicts open in the inbox on the synced branches after the round.
    public var openConflicts = 0

    /// True when some branch was left with conflicts.
    public var hasConflicts: Bool { branches.contains { $0.action == .conflicts } }
    /// True when the remote refused some branch's every push attempt.
    public var hasRefusals: Bool { branches.contains { $0.pushRefusal != nil } }
    /// True when the round changed neither side of any branch.
    public var isNothingToDo: Bool { branches.allSatisfy(\.isNothingToDo) && !inboxPushed }
}
