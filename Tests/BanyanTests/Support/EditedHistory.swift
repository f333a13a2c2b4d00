import Banyan
import Foundation

/// Creates a filesystem store at `path` whose `main` has `rounds` commits,
/// each editing one line of an 80-line `notes/a.txt` (so its versions delta
/// well), writing the lines reversed to `notes/b.txt` and setting `counter`
/// to the round number. Commit times are fixed, so ids are deterministic.
func makeEditedHistory(at path: String, algorithm: HashAlgorithm, rounds: Int = 12) throws -> Repository {
    let repository = try Repository.create(at: path, hashAlgorithm: algorithm, configuration: .init(maintenance: .off))
    let main = try repository.branch("main")
    let lines = (0..<80).map { "line \($0): a value long enough that a delta pays" }
    for round in 0..<rounds {
        var edited = lines
        edited[round * 5 % lines.count] = "edited in round \(round)"
        try main.transaction(message: "round \(round)\n\nbody", author: signature(1_700_000_000 + Int64(round))) { tx in
            tx.set(key("notes/a.txt"), data(edited.joined(separator: "\n")))
            tx.set(key("notes/b.txt"), data(edited.reversed().joined(separator: "\n")))
            tx.set(key("counter"), data("\(round)"))
        }
    }
    return repository
}
