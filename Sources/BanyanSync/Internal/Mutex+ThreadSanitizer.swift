#if BANYAN_TSAN
import BanyanCore

/// In ThreadSanitizer builds, the mutex ThreadSanitizer can see (see `BanyanCore.Mutex`).
typealias Mutex = BanyanCore.Mutex
#endif
