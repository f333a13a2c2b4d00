/// A store whose objects live in files that end in a checksum of their own
/// bytes (packs and their indexes), and which opens them without hashing
/// them whole, as git does: a one-shot command reads a few objects of a store
/// whose indexes hold millions. ``Repository/fsck(policy:dangling:)`` asks it
/// to hash them, as `git fsck` verifies every pack and index.
public protocol ChecksummedStore {
    /// Hashes every stored file that ends in a checksum; one line for each
    /// that does not match, naming the file (empty when all do).
    func verifyChecksums() throws -> [String]
}
