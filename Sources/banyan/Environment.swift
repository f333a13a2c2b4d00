#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The value of the environment variable `name`, or nil when it is unset.
///
/// Read with the C library's `getenv`: `ProcessInfo.environment` copies the
/// whole environment into a dictionary, which on a one-shot command's start
/// cost more than the lookup of its store.
func environment(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}
