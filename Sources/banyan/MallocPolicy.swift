#if canImport(Glibc)
import CMalloc
import Glibc
#endif

/// How `banyan serve` has glibc's malloc give memory back to the system.
///
/// A long-running server allocates and frees large buffers (packs received
/// and sent, repack working sets) from many threads. Left to its defaults,
/// glibc serves buffers up to 32 MiB from its arenas once its dynamic mmap
/// threshold has risen, and keeps freed arena memory: the soak saw the
/// server's heap grow with the history while nothing leaked. Buffers of
/// 128 KiB and more are mapped and unmapped on their own, and the arenas
/// are trimmed every ten seconds while the server runs. Does nothing where
/// malloc is not glibc's.
enum MallocPolicy {
    /// Buffers at least this large get their own mapping, returned when freed.
    static let mmapThreshold: Int32 = 128 << 10
    /// How often free arena memory is given back while serving.
    static let trimInterval: Duration = .seconds(10)

    /// Sets the mmap threshold and trims the arenas every `trimInterval`
    /// until the returned task is cancelled.
    static func applyWhileServing() -> Task<Void, Never> {
        #if canImport(Glibc)
        _ = mallopt(M_MMAP_THRESHOLD, mmapThreshold)
        return Task.detached(priority: .background) {
            while !Task.isCancelled {
                try? await Task.sleep(for: trimInterval)
                _ = malloc_trim(0)
            }
        }
        #else
        return Task {}
        #endif
    }
}
