#if BANYAN_TSAN
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Stands in for `Synchronization.Mutex` in ThreadSanitizer builds only
/// (`scripts/tsan.sh` compiles with `-DBANYAN_TSAN`).
///
/// On Linux the standard `Mutex` locks with futex calls inside the
/// uninstrumented Synchronization library, so ThreadSanitizer never sees the
/// lock and reports every access it guards as a race. A `pthread_mutex_t`
/// is intercepted, so with this type in place only real races are reported.
/// Same use as the standard one (`Mutex(value)`, `withLock`); modules other
/// than BanyanCore pick it up with `typealias Mutex = BanyanCore.Mutex`.
package final class Mutex<Value>: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    package init(_ value: Value) {
        self.value = value
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_mutex_t())
        pthread_mutex_init(lock, nil)
    }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    package func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return try body(&value)
    }
}
#endif
