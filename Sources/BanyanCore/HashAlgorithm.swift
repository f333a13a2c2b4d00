import Crypto

/// The hash function a repository uses for object ids: SHA-1 (Git's default)
/// or SHA-256 (Git's `extensions.objectformat = sha256`).
public enum HashAlgorithm: String, Sendable, Hashable, CaseIterable {
    case sha1
    case sha256

    /// Bytes in a digest: 20 or 32.
    public var digestLength: Int { self == .sha1 ? 20 : 32 }
    /// Characters in a full hex id: 40 or 64.
    public var hexLength: Int { digestLength * 2 }

    /// The id of the empty tree in this format.
    public var emptyTreeID: ObjectID { ObjectID.hash(kind: .tree, body: [], algorithm: self) }

    /// Hashes `bytes` in one shot.
    public func digest<Bytes: Sequence>(_ bytes: Bytes) -> ObjectID where Bytes.Element == UInt8 {
        var hasher = Hasher(self)
        if let contiguous = bytes as? [UInt8] {
            hasher.update(contiguous)
        } else {
            hasher.update(Array(bytes))
        }
        return hasher.finalize()
    }

    /// An incremental hasher, for data that arrives in pieces.
    public struct Hasher {
        private var sha1: Insecure.SHA1?
        private var sha256: SHA256?
        /// The algorithm this hasher computes.
        public let algorithm: HashAlgorithm

        /// A fresh hasher for `algorithm`.
        public init(_ algorithm: HashAlgorithm) {
            self.algorithm = algorithm
            switch algorithm {
            case .sha1: sha1 = Insecure.SHA1()
            case .sha256: sha256 = SHA256()
            }
        }

        /// Feeds `bytes` to the hash.
        public mutating func update(_ bytes: UnsafeRawBufferPointer) {
            if sha1 != nil { sha1!.update(bufferPointer: bytes) } else { sha256!.update(bufferPointer: bytes) }
        }

        /// Feeds `bytes` to the hash.
        public mutating func update(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes { update($0) }
        }

        /// Feeds `bytes` to the hash.
        public mutating func update(_ bytes: ArraySlice<UInt8>) {
            bytes.withUnsafeBytes { update($0) }
        }

        /// The digest of everything fed so far.
        public func finalize() -> ObjectID {
            if let sha1 {
                return sha1.finalize().withUnsafeBytes { ObjectID(digest: $0, algorithm: .sha1) }
            }
            return sha256!.finalize().withUnsafeBytes { ObjectID(digest: $0, algorithm: .sha256) }
        }
    }
}
