#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A failure a test makes one of `FileIO`'s system calls report: the
/// filesystem backend is then exercised as on a full disk (`ENOSPC`), a
/// failing one (`EIO`, also on `fsync`), a torn write, or a refused rename.
///
/// A fault applies only to calls whose path contains `path`, so tests that
/// run in parallel, each in its own directory, do not disturb each other.
/// For tests only (`package`): no production code installs one.
package struct Fault: Sendable, CustomStringConvertible {
    /// The system calls a fault can hit.
    package enum Operation: String, Sendable, CaseIterable {
        /// `open` for writing, and `mkstemp` (matched against the directory).
        case open
        /// `write` and `pwrite`.
        case write
        case fsync
        /// `ftruncate`.
        case truncate
        case rename
        case link
        case unlink
        /// `mkdir`.
        case makeDirectory
    }

    /// What the call does instead of its work.
    package enum Effect: Sendable, Equatable {
        /// Fails with this `errno` (`ENOSPC`, `EIO`, `EACCES`…), changing nothing.
        case error(Int32)
        /// A `write` that stores only the first half of its bytes and reports
        /// that, as a write interrupted by a signal or a filling disk does.
        case shortWrite
    }

    package var operation: Operation
    /// A substring of the path the call works on (either path of a rename or link).
    package var path: String
    package var effect: Effect
    /// How many matching calls succeed before the fault hits: 0 hits the first.
    package var skip: Int
    /// How many matching calls the fault hits, once it has started.
    package var times: Int

    /// A fault on `operation` for paths containing `path`, hitting the
    /// matching calls after the first `skip`, `times` times.
    package init(_ operation: Operation, path: String, _ effect: Effect, skip: Int = 0, times: Int = .max) {
        self.operation = operation
        self.path = path
        self.effect = effect
        self.skip = skip
        self.times = times
    }

    package var description: String {
        let what = switch effect {
        case .error(let code): String(cString: strerror(code))
        case .shortWrite: "short write"
        }
        return "\(operation.rawValue) → \(what)"
    }
}

/// Holds the installed faults. `FileIO` asks it before each call, but only
/// once `isArmed` says a fault is installed.
package enum FaultInjector {
    /// One installed fault and how many calls it has matched and hit.
    private struct Installed {
        var id: Int
        var fault: Fault
        var matched = 0
        var hits = 0
    }

    private static let armed = Atomic<Int>(0)
    private static let installed = Mutex<(nextID: Int, faults: [Installed])>((0, []))

    /// True when some fault is installed.
    static var isArmed: Bool { armed.load(ordering: .relaxed) > 0 }

    /// Runs `body` with `faults` installed and removes them afterwards.
    /// Returns what `body` threw (nil when it returned) and how many calls each fault hit.
    package static func run(_ faults: [Fault], _ body: () throws -> Void) -> (error: (any Error)?, hits: [Int]) {
        let ids = installed.withLock { state in
            faults.map { fault in
                defer { state.nextID += 1 }
                state.faults.append(Installed(id: state.nextID, fault: fault))
                return state.nextID
            }
        }
        armed.add(1, ordering: .relaxed)
        defer { armed.subtract(1, ordering: .relaxed) }
        var thrown: (any Error)?
        do {
            try body()
        } catch {
            thrown = error
        }
        let hits = installed.withLock { state in
            defer { state.faults.removeAll { ids.contains($0.id) } }
            return ids.map { id in state.faults.first { $0.id == id }?.hits ?? 0 }
        }
        return (thrown, hits)
    }

    /// The `errno` for a call of `operation` on `path` (or `other`), or nil to let it run.
    static func error(for operation: Fault.Operation, path: String, or other: String? = nil) -> Int32? {
        switch effect(for: operation, path: path, or: other) {
        case .error(let code)?: code
        case .shortWrite?, nil: nil
        }
    }

    /// What happens to a call of `operation` on `path` (or `other`): nil to let it run.
    static func effect(for operation: Fault.Operation, path: String, or other: String? = nil) -> Fault.Effect? {
        installed.withLock { state in
            var chosen: Fault.Effect?
            // Every matching fault counts the call, so `skip` means the same
            // whichever fault ends up hitting it.
            for index in state.faults.indices {
                let fault = state.faults[index].fault
                guard fault.operation == operation,
                      path.contains(fault.path) || (other?.contains(fault.path) ?? false)
                else { continue }
                state.faults[index].matched += 1
                guard chosen == nil, state.faults[index].matched > fault.skip, state.faults[index].hits < fault.times
                else { continue }
                state.faults[index].hits += 1
                chosen = fault.effect
            }
            return chosen
        }
    }
}
