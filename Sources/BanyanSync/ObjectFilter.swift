import Banyan

/// An object filter of Git's partial clone: which trees and blobs a fetch
/// leaves out (the `filter <filter-spec>` argument of a protocol v2 fetch,
/// `git rev-list --filter`).
///
/// A filter applies to what the walk finds under the commits and trees it
/// goes through; objects a fetch names in its wants are always sent, which
/// is how a partial clone fetches a missing object it needs.
public enum ObjectFilter: Hashable, Sendable, CustomStringConvertible {
    /// `blob:none`: no blobs.
    case blobNone
    /// `blob:limit=<n>`: no blobs of `n` bytes or more.
    case blobLimit(Int)
    /// `tree:<depth>`: no trees or blobs `depth` or more levels below a
    /// root tree (a root tree is at level 0, so `tree:0` sends commits
    /// only and `tree:1` root trees but nothing in them).
    case treeDepth(Int)
    /// `sparse:oid=<blob-ish>`: the blobs a sparse checkout with the
    /// patterns in that blob (of the serving repository, an id or a
    /// revision such as `main:.sparse`) would not hold (`SparsePatterns`).
    case sparse(String)
    /// `combine:<a>+<b>…`: what any of the filters leaves out.
    case combine([ObjectFilter])

    /// Parses a filter-spec as Git writes it: `blob:none`,
    /// `blob:limit=<n>` (with an optional `k`, `m` or `g` suffix),
    /// `tree:<depth>`, `sparse:oid=<blob-ish>`, `combine:<spec>+<spec>…`
    /// (each part URL-encoded).
    ///
    /// Throws `invalidArgument` naming the spec for one that is malformed,
    /// `unsupported` for `sparse:path=` (a file on the server, which Git refuses too).
    public init(parsing spec: String) throws {
        func bad(_ why: String) -> BanyanError {
            BanyanError(.invalidArgument, "invalid filter-spec \(spec.debugDescription): \(why)")
        }
        if spec == "blob:none" {
            self = .blobNone
        } else if spec.hasPrefix("blob:limit=") {
            guard let limit = Self.scaled(String(spec.dropFirst("blob:limit=".count))) else {
                throw bad("the limit is not a number of bytes (k, m or g may follow)")
            }
            self = .blobLimit(limit)
        } else if spec.hasPrefix("tree:") {
            guard let depth = Int(spec.dropFirst("tree:".count)), depth >= 0 else {
                throw bad("the depth is not a number")
            }
            self = .treeDepth(depth)
        } else if spec.hasPrefix("combine:") {
            let parts = spec.dropFirst("combine:".count).split(separator: "+", omittingEmptySubsequences: false)
            guard parts.count >= 2 else { throw bad("a combined filter needs two filters or more") }
            self = .combine(try parts.map { part in
                guard let decoded = String(part).removingPercentEncodingIfValid else { throw bad("bad URL encoding") }
                return try ObjectFilter(parsing: decoded)
            })
        } else if spec.hasPrefix("sparse:oid=") {
            guard spec.count > "sparse:oid=".count else { throw bad("no blob named") }
            self = .sparse(String(spec.dropFirst("sparse:oid=".count)))
        } else if spec.hasPrefix("sparse:") {
            throw BanyanError(.unsupported, "filter-spec \(spec.debugDescription): only sparse:oid= names the patterns of a sparse filter")
        } else {
            throw bad("expected blob:none, blob:limit=<n>, tree:<depth> or combine:<filter>+<filter>")
        }
    }

    /// The filter-spec, with sizes in bytes (as senders should write them).
    public var description: String {
        switch self {
        case .blobNone: return "blob:none"
        case .blobLimit(let limit): return "blob:limit=\(limit)"
        case .treeDepth(let depth): return "tree:\(depth)"
        case .sparse(let blob): return "sparse:oid=\(blob)"
        case .combine(let filters):
            return "combine:" + filters.map { $0.description.percentEncodedForCombine }.joined(separator: "+")
        }
    }

    /// True when the filter leaves out the tree or blob `id`, met `depth`
    /// levels below a root tree. `size` gives a blob's size; it is asked
    /// only for a blob that a size limit decides. Sparse filters decide
    /// once the walk is over (`sparseBlobs`): here they leave out nothing.
    func omits(kind: ObjectKind, depth: Int, size: () throws -> Int) rethrows -> Bool {
        switch self {
        case .blobNone: return kind == .blob
        case .blobLimit(let limit): return kind == .blob ? try size() >= limit : false
        case .treeDepth(let limit): return depth >= limit
        case .sparse: return false
        case .combine(let filters): return try filters.contains { try $0.omits(kind: kind, depth: depth, size: size) }
        }
    }

    /// The blob-ishes of the sparse filters in this one.
    var sparseBlobs: [String] {
        switch self {
        case .sparse(let blob): return [blob]
        case .combine(let filters): return filters.flatMap(\.sparseBlobs)
        default: return []
        }
    }

    /// `12`, `4k`, `2m`, `1g` in bytes.
    private static func scaled(_ text: String) -> Int? {
        let units: [Character: Int] = ["k": 1 << 10, "m": 1 << 20, "g": 1 << 30]
        guard let last = text.last?.lowercased().first else { return nil }
        if let unit = units[last] {
            guard let number = Int(text.dropLast()), number >= 0 else { return nil }
            let (product, overflow) = number.multipliedReportingOverflow(by: unit)
            return overflow ? nil : product
        }
        guard let number = Int(text), number >= 0 else { return nil }
        return number
    }
}

extension String {
    /// The string with `%XX` escapes decoded, or nil for a bad escape.
    fileprivate var removingPercentEncodingIfValid: String? {
        var bytes: [UInt8] = []
        var iterator = Array(utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next(), let low = iterator.next(),
                  let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(value)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// A part of a combined filter-spec: the characters Git escapes there (`%`, `+`, space and others) as `%XX`.
    fileprivate var percentEncodedForCombine: String {
        var result = ""
        for byte in utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || ":=.-_".unicodeScalars.contains(scalar) {
                result.unicodeScalars.append(scalar)
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return result
    }

    private func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
