/// A pack on its way into a store: its bytes appended as they arrive (a
/// fetch response, a push, a bundle), read back to index and verify them,
/// completed when thin, then installed whole.
///
/// The receiver of a ``PackReceivingStore`` keeps the bytes where the store
/// will keep the pack (a filesystem store: a temporary file in
/// `objects/pack`, so memory stays bounded whatever the pack's size); any
/// other store gets an ``ObjectPackReceiver``. One writer appends, then one
/// reader indexes and installs; not thread-safe. A receiver released
/// without being installed leaves nothing behind.
public protocol PackReceiver: AnyObject {
    /// The bytes received so far.
    var count: Int { get }

    /// Appends `bytes`. Throws `io` when they cannot be kept.
    func append(_ bytes: UnsafeRawBufferPointer) throws

    /// The bytes received so far, for reading; valid while the returned storage lives.
    func bytes() throws -> ByteStorage

    /// Drops the bytes from `count` on (to append a thin pack's bases in place of its trailer).
    func truncate(to count: Int) throws

    /// Replaces `bytes.count` bytes at `offset`, which must be within what was received.
    func overwrite(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws

    /// Makes the received pack, complete, verified and described by `index`
    /// (its `.idx` bytes), part of the store: every object readable at once.
    /// The receiver is spent afterwards, whether this succeeds or throws.
    /// Returns where the store keeps the pack (`…/pack-<hex>` without
    /// extension), or nil when it keeps the objects some other way.
    @discardableResult
    func install(index: [UInt8], checksum: ObjectID) throws -> String?
}

/// A backend that keeps received packs as they come, without taking them
/// apart: the capability behind go-git's `storer.PackfileWriter`.
public protocol PackReceivingStore: ObjectStore {
    /// A new, empty receiver for one pack.
    ///
    /// Throws `io` when the place for its bytes cannot be made.
    func makePackReceiver() throws -> any PackReceiver
}

extension ObjectStore {
    /// A receiver for one pack into this store: its own when it is a
    /// ``PackReceivingStore``, otherwise one that stores the pack's objects
    /// one batch at a time (``ObjectPackReceiver``).
    public func packReceiver() throws -> any PackReceiver {
        if let store = self as? any PackReceivingStore { return try store.makePackReceiver() }
        return ObjectPackReceiver(store: self)
    }
}

/// A receiver that holds the pack in memory and, when installed, stores its
/// objects in its store with one ``ObjectStore/putBatch(_:)``, so a
/// concurrent reader sees all of them or none.
///
/// For any store that keeps objects rather than packs (``MemoryBackend``, a
/// third-party backend). Cost: the pack in memory, then every object
/// resolved from it once more at install.
public final class ObjectPackReceiver: PackReceiver {
    private let store: any ObjectStore
    private var pack: [UInt8] = []

    /// A receiver storing into `store`.
    public init(store: any ObjectStore) {
        self.store = store
    }

    /// The bytes received so far.
    public var count: Int { pack.count }

    /// Appends `bytes` to the pack in memory.
    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        pack.append(contentsOf: bytes)
    }

    /// A copy of the bytes received so far.
    public func bytes() throws -> ByteStorage {
        ByteStorage(pack)
    }

    /// Drops the bytes from `count` on.
    public func truncate(to count: Int) throws {
        pack.removeSubrange(min(count, pack.count)...)
    }

    /// Replaces bytes at `offset`.
    public func overwrite(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        guard offset >= 0, offset + bytes.count <= pack.count else {
            throw BanyanError(.invalidArgument, "cannot overwrite \(bytes.count) bytes at \(offset) of a \(pack.count)-byte pack")
        }
        pack.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
    }

    /// Stores every object of the pack in one batch; returns nil (no pack is kept).
    @discardableResult
    public func install(index: [UInt8], checksum: ObjectID) throws -> String? {
        defer { pack = [] }
        let reader = try PackReader(pack: ByteStorage(pack), index: try PackIndex(bytes: index, algorithm: store.hashAlgorithm))
        _ = try store.putBatch(try (0..<reader.count).map { try reader.get(reader.index.id(at: $0)) })
        return nil
    }
}
