/// Immutable bytes at a stable address, owned by whoever made them: a copy on
/// the heap, or a region the caller mapped (`mmap`) and will unmap in the
/// deallocator.
///
/// Pack and index codecs read through `bytes` without copying. The bytes must
/// not change while a `ByteStorage` is alive: that is what makes sharing it
/// between threads safe, so it is `Sendable` even though it holds a pointer.
public final class ByteStorage: @unchecked Sendable {
    /// The bytes. Valid for as long as this object is alive.
    public let bytes: UnsafeRawBufferPointer
    private let deallocator: (@Sendable (UnsafeRawBufferPointer) -> Void)?

    /// Copies `array` to a fresh heap allocation. O(n).
    public convenience init(_ array: [UInt8]) {
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(array.count, 1), alignment: 16)
        array.withUnsafeBytes { source in
            if let base = source.baseAddress { memory.baseAddress!.copyMemory(from: base, byteCount: source.count) }
        }
        let bytes = UnsafeRawBufferPointer(start: memory.baseAddress, count: array.count)
        self.init(unsafeBytes: bytes) { $0.baseAddress.map { UnsafeMutableRawPointer(mutating: $0).deallocate() } }
    }

    /// Wraps memory the caller owns (for example a read-only `mmap`).
    ///
    /// `deallocator` runs once, when the last reference goes away; pass nil
    /// for memory that outlives this object. The memory must not change
    /// while this object is alive.
    public init(
        unsafeBytes: UnsafeRawBufferPointer,
        deallocator: (@Sendable (UnsafeRawBufferPointer) -> Void)?
    ) {
        self.bytes = unsafeBytes
        self.deallocator = deallocator
    }

    deinit { deallocator?(bytes) }

    /// The number of bytes.
    public var count: Int { bytes.count }

    /// Calls `body` with the bytes, keeping this storage alive meanwhile.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(bytes) }
    }

    /// A copy of `range`. O(range.count).
    public func copyBytes(_ range: Range<Int>) -> [UInt8] {
        withUnsafeBytes { Array($0[range]) }
    }
}
