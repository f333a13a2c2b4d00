import Banyan
import Foundation
import Synchronization

/// URL schemes naming stores that are remotes without a Git server: a
/// library that keeps stores elsewhere registers its scheme here (the
/// `banyan` command registers BanyanPostgres's `postgres://`), and
/// ``Sync`` then opens such a store in this process and speaks to it
/// through a ``LocalTransport``, as it does to a path. BanyanSync does not
/// depend on those libraries; they do not depend on it.
public enum RemoteStoreSchemes {
    /// Opens the store a URL names.
    public typealias Opener = @Sendable (String) throws -> Repository

    private static let openers = Mutex<[String: Opener]>([:])

    /// Makes URLs starting with `scheme://` (compared without case) name
    /// stores that `open` opens. Registering a scheme again replaces its opener.
    public static func register(_ scheme: String, open: @escaping Opener) {
        openers.withLock { $0[scheme.lowercased()] = open }
    }

    /// The opener registered for `url`'s scheme, or nil.
    static func opener(for url: String) -> Opener? {
        guard let end = url.range(of: "://") else { return nil }
        let scheme = url[..<end.lowerBound].lowercased()
        return openers.withLock { $0[scheme] }
    }
}
