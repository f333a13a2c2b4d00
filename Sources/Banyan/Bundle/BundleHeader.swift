/// The header of a Git bundle file (gitformat-bundle(5)): version,
/// capabilities (v3), prerequisite commits and refs, ended by an empty
/// line; the pack follows.
///
/// Banyan writes version 2 for SHA-1 repositories and version 3 with
/// `@object-format=sha256` for SHA-256 ones, as `git bundle create` does, and
/// reads both; a v3 capability other than `object-format` is refused
/// (`filter` bundles need promisor packs).
public struct BundleHeader: Sendable, Hashable {
    /// A commit the bundle's pack builds on, which the receiver must have.
    public struct Prerequisite: Sendable, Hashable {
        /// The commit.
        public var id: ObjectID
        /// Free text after the id (Git writes the commit's subject); readers ignore it.
        public var comment: String

        /// Creates a prerequisite.
        public init(id: ObjectID, comment: String) {
            self.id = id
            self.comment = comment
        }
    }

    /// A ref the bundle carries.
    public struct Ref: Sendable, Hashable {
        /// The ref's name, e.g. `refs/heads/main` or `HEAD`.
        public var name: String
        /// What it points at.
        public var id: ObjectID

        /// Creates a ref.
        public init(name: String, id: ObjectID) {
            self.name = name
            self.id = id
        }
    }

    /// 2 or 3.
    public var version: Int
    /// The hash function of the ids (v2 is always SHA-1).
    public var algorithm: HashAlgorithm
    /// The commits the receiver must have.
    public var prerequisites: [Prerequisite]
    /// The refs, in file order.
    public var refs: [Ref]

    /// Creates a header; the version follows from the algorithm (2 for SHA-1, 3 for SHA-256).
    public init(algorithm: HashAlgorithm, prerequisites: [Prerequisite], refs: [Ref]) {
        version = algorithm == .sha1 ? 2 : 3
        self.algorithm = algorithm
        self.prerequisites = prerequisites
        self.refs = refs
    }

    /// The header's bytes, ending with the empty line that precedes the pack.
    public func encoded() -> [UInt8] {
        var text = "# v\(version) git bundle\n"
        if version == 3 { text += "@object-format=\(algorithm.rawValue)\n" }
        for prerequisite in prerequisites {
            let comment = prerequisite.comment.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""
            text += "-\(prerequisite.id.hex) \(comment)\n"
        }
        for ref in refs { text += "\(ref.id.hex) \(ref.name)\n" }
        return Array((text + "\n").utf8)
    }

    /// The most header bytes a reader accepts before the pack starts.
    public static let maxLength = 64 << 20

    /// Parses the header at the start of `bytes`; returns it and the offset where the pack starts.
    ///
    /// Throws `corruptObject` for a file that is not a bundle, a malformed
    /// line or a header with no end, `unsupported` for another version or a
    /// capability Banyan does not know, `limitExceeded` for a header over
    /// `maxLength` bytes.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws -> (header: BundleHeader, packOffset: Int) {
        var position = 0
        func nextLine() throws -> String {
            let start = position
            while position < bytes.count, bytes[position] != UInt8(ascii: "\n") {
                position += 1
                if position > maxLength {
                    throw BanyanError(.limitExceeded, "bundle header runs past \(maxLength) bytes without the empty line that ends it")
                }
            }
            guard position < bytes.count else {
                throw BanyanError(.corruptObject, "bundle header ends before the empty line that precedes its pack (truncated?)")
            }
            position += 1
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<(position - 1)]), as: UTF8.self)
        }
        let signature = try nextLine()
        let version: Int
        switch signature {
        case "# v2 git bundle": version = 2
        case "# v3 git bundle": version = 3
        default:
            if signature.hasPrefix("# v"), signature.hasSuffix(" git bundle") {
                throw BanyanError(.unsupported, "bundle format '\(signature)' is not supported (only v2 and v3)")
            }
            throw BanyanError(.corruptObject, "not a Git bundle: the file starts with \(signature.prefix(40).debugDescription), not '# v2 git bundle'")
        }
        var algorithm = HashAlgorithm.sha1
        var prerequisites: [Prerequisite] = []
        var refs: [Ref] = []
        var line = try nextLine()
        while version == 3, line.hasPrefix("@") {
            let capability = line.dropFirst()
            let key = capability.prefix { $0 != "=" }
            let value = capability.dropFirst(key.count + 1)
            guard key == "object-format" else {
                throw BanyanError(.unsupported, "bundle needs capability '\(key)', which Banyan does not support (only object-format)")
            }
            guard let named = HashAlgorithm(rawValue: String(value)) else {
                throw BanyanError(.unsupported, "bundle uses object format '\(value)', which Banyan does not support")
            }
            algorithm = named
            line = try nextLine()
        }
        while !line.isEmpty {
            let isPrerequisite = line.hasPrefix("-")
            let body = isPrerequisite ? line.dropFirst() : line[...]
            let hexLength = algorithm.hexLength
            guard let id = ObjectID(hex: body.prefix(hexLength)), id.algorithm == algorithm,
                  body.count == hexLength || body.dropFirst(hexLength).first == " "
            else {
                throw BanyanError(.corruptObject, "bundle header line \(line.prefix(100).debugDescription) is not '[-]<\(algorithm) id> <name>'")
            }
            let rest = String(body.dropFirst(hexLength + 1))
            if isPrerequisite {
                prerequisites.append(Prerequisite(id: id, comment: rest))
            } else {
                guard !rest.isEmpty else {
                    throw BanyanError(.corruptObject, "bundle ref line for \(id) names no ref")
                }
                refs.append(Ref(name: rest, id: id))
            }
            line = try nextLine()
        }
        var header = BundleHeader(algorithm: algorithm, prerequisites: prerequisites, refs: refs)
        header.version = version
        return (header, position)
    }
}
