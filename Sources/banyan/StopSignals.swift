import Dispatch
import Foundation
import Synchronization

/// SIGTERM and SIGINT for the commands that run until they are stopped
/// (`serve`, `watch`): instead of dying where they stand, they finish the
/// work in flight and exit 0, within `deadline` of the signal.
///
/// The first signal calls the command's `onStop`, which starts its graceful
/// stop: work in flight gets `gracePeriod`, then the command cuts it short.
/// Should the process still be running at `deadline` (a handler that cannot
/// be interrupted, such as a large push being indexed), `atDeadline` runs
/// and the process exits 0 anyway; what was cut off is what a crash would
/// cut off, which the store is built to survive. Later signals are ignored.
enum StopSignals {
    /// How long work in flight may go on after the signal before it is cut short.
    static let gracePeriod: Duration = .seconds(3)
    /// When a process still running after the signal exits regardless.
    static let deadline: Duration = .milliseconds(4_500)

    private static let state = Mutex<(sources: [any DispatchSourceSignal], stopped: Bool)>(([], false))

    /// Traps SIGTERM and SIGINT from now on (their default action, dying, no
    /// longer applies). `onStop` and, if it comes to that, `atDeadline` run
    /// on a Dispatch thread.
    static func trap(onStop: @escaping @Sendable () -> Void,
                     atDeadline: @escaping @Sendable () -> Void = {}) {
        let sources: [any DispatchSourceSignal] = [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")].map { number, name in
            // Where Dispatch watches signals without a handler of its own
            // (kqueue), the default action would still end the process.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { received(name, onStop: onStop, atDeadline: atDeadline) }
            source.resume()
            return source
        }
        state.withLock { $0.sources += sources }
    }

    private static func received(_ name: String, onStop: @Sendable () -> Void,
                                 atDeadline: @escaping @Sendable () -> Void) {
        let first = state.withLock { state in
            defer { state.stopped = true }
            return !state.stopped
        }
        guard first else { return }
        after(deadline) {
            Output.error("still busy \(deadline) after \(name); exiting")
            atDeadline()
            exit(0)
        }
        onStop()
    }

    /// Runs `work` on a Dispatch thread `delay` from now.
    static func after(_ delay: Duration, _ work: @escaping @Sendable () -> Void) {
        let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: work)
    }
}
