/// Generation numbers of a list of commits, as Git's commit-graph numbers
/// them: one more than the highest parent's, 1 for a commit with no parent
/// in the list. Sorting by generation, highest first, puts every commit
/// before its parents.
///
/// Iterative, so a history may be a chain of any length; a loop of parents
/// (which damaged bytes can make) is cut where it closes instead of hanging.
/// Cost: O(n + edges).
enum CommitGenerations {
    /// The generation of each commit, given each one's parents as positions
    /// in the same list (parents outside the list left out).
    static func number(parents: [[Int]]) -> [Int] {
        var generation = [Int](repeating: 0, count: parents.count)
        var stack: [Int] = []
        var onStack = [Bool](repeating: false, count: parents.count)
        for start in parents.indices where generation[start] == 0 {
            stack.append(start)
            onStack[start] = true
            while let top = stack.last {
                var highest = 0
                var pending = false
                for parent in parents[top] {
                    if generation[parent] == 0 {
                        // A parent not yet numbered goes first; a loop is cut where it closes.
                        if !onStack[parent] { stack.append(parent); onStack[parent] = true; pending = true }
                    } else {
                        highest = max(highest, generation[parent])
                    }
                }
                if pending { continue }
                generation[top] = highest + 1
                stack.removeLast()
                onStack[top] = false
            }
        }
        return generation
    }
}
