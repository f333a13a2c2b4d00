import Banyan
import Foundation

/// Git bundles as remotes, as `git fetch FILE.bundle` and `git clone
/// FILE.bundle` read them: a remote (or a clone URL) naming a bundle file
/// is read through `Repository.unbundle` instead of the smart protocol.
extension Sync {
    /// The path a bundle URL names (`file://` stripped), or nil when `url`
    /// does not name a bundle file.
    static func bundlePath(_ url: String) -> String? {
        let path = url.lowercased().hasPrefix("file://") ? String(url.dropFirst("file://".count)) : url
        return BundleHeader.isBundle(atPath: path) ? path : nil
    }

    /// Fetches the bundle at `path`: its branches to `trackingPrefix` (moved
    /// even when not a fast-forward, as a fetch refspec with `+`), its tags
    /// created when absent. Refs under `trackingPrefix` the bundle does not
    /// list stay: a bundle often carries only some branches.
    func fetchBundle(_ path: String, trackingPrefix: String, depth: Int?) throws -> FetchSummary {
        guard depth == nil else {
            throw BanyanError(.invalidArgument, "\(path) is a bundle: it holds what it holds, so --depth does not apply")
        }
        guard trackingPrefix.hasPrefix("refs/remotes/"), trackingPrefix.hasSuffix("/") else {
            throw BanyanError(.invalidArgument, "a bundle is fetched into refs/remotes/NAME/, not \(trackingPrefix)")
        }
        let remote = String(trackingPrefix.dropFirst("refs/remotes/".count).dropLast())
        let unbundled = try repository.unbundle(from: path, updating: .remoteTracking(remote))
        let header = unbundled.header
        let refs = header.refs.filter { $0.name != "HEAD" }.map { RemoteRef(name: $0.name, id: $0.id, peeled: nil) }
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
        return FetchSummary(
            updated: Dictionary(unbundled.updated.map { ($0.name, $0.new) }, uniquingKeysWith: { $1 }),
            result: FetchResult(objects: unbundled.objects, packBytes: size, rounds: 0,
                                shallow: try repository.shallowCommits(), warnings: unbundled.warnings),
            remoteRefs: RemoteRefs(refs: refs, headTarget: header.headBranch,
                                   head: header.refs.first { $0.name == "HEAD" }?.id))
    }
}
