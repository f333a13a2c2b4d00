import Foundation

/// Lets one commit at a time of this process onto each branch: the others
/// wait their turn instead of building on a head that is about to move,
/// losing the race, and leaving the loser's objects in the store until gc
/// prunes them (a service's four concurrent writers lost 13% of theirs).
///
/// Only an optimisation: the ref's compare-and-swap still decides, and a
/// writer that waited `patience` in vain, or re-enters on its own thread
/// (a transaction inside another's body), goes ahead without a turn.
final class BranchTurnstile: @unchecked Sendable {
    private let condition = NSCondition()
    /// The branches taken, and the thread of each taker.
    private var taken: [String: pthread_t] = [:]

    /// Takes `branch`'s turn, waiting at most `patience`; false when the
    /// caller goes ahead without it (and must not `leave`).
    func enter(_ branch: String, patience: TimeInterval) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: patience)
        while let owner = taken[branch] {
            if pthread_equal(owner, pthread_self()) != 0 { return false }
            if !condition.wait(until: deadline) { return false }
        }
        taken[branch] = pthread_self()
        return true
    }

    /// Gives back the turn `enter` took.
    func leave(_ branch: String) {
        condition.lock()
        taken[branch] = nil
        condition.broadcast()
        condition.unlock()
    }
}
