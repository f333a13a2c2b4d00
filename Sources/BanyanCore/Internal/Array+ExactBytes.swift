extension Array where Element == UInt8 {
    /// `count` bytes that `fill` writes through a pointer, in one allocation
    /// of exactly that size: the hot paths' way to build an object body, a
    /// delta result or an inflated entry without zeroing it first.
    ///
    /// `fill` is run even for an empty result (a malformed input is still
    /// noticed). Unlike `Array(unsafeUninitializedCapacity: 0)`, which
    /// stores its count into the standard library's one shared empty-array
    /// storage (a write that ThreadSanitizer reports as a race between
    /// threads), an empty result is its own allocation of one byte.
    init(exactCount count: Int, _ fill: (UnsafeMutableBufferPointer<UInt8>) throws -> Void) rethrows {
        try self.init(unsafeUninitializedCapacity: Swift.max(count, 1)) { buffer, initialized in
            try fill(UnsafeMutableBufferPointer(rebasing: buffer[..<count]))
            initialized = count
        }
    }
}
