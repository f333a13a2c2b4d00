/// The mode of a tree entry, as Git writes it in octal.
public struct FileMode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The numeric mode, e.g. `0o100644`.
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// A regular file (`100644`).
    public static let regular = FileMode(rawValue: 0o100644)
    /// An executable file (`100755`).
    public static let executable = FileMode(rawValue: 0o100755)
    /// A symbolic link (`120000`).
    public static let symlink = FileMode(rawValue: 0o120000)
    /// A subtree (`40000`).
    public static let directory = FileMode(rawValue: 0o40000)
    /// A submodule commit (`160000`).
    public static let gitlink = FileMode(rawValue: 0o160000)

    /// The modes Git writes today; decoding accepts only these.
    public static let canonical: [FileMode] = [.regular, .executable, .symlink, .directory, .gitlink]

    /// The mode git reads `value` as (its `canon_mode`): any regular-file
    /// mode as `100755` when the owner may execute it, else `100644`; the
    /// symlink, directory and gitlink types as themselves. Nil for a value
    /// of no type git knows.
    public static func readByGit(_ value: UInt32) -> FileMode? {
        switch value & 0o170000 {
        case 0o100000: value & 0o100 != 0 ? .executable : .regular
        case 0o120000: .symlink
        case 0o040000: .directory
        case 0o160000: .gitlink
        default: nil
        }
    }

    /// True for `40000`.
    public var isDirectory: Bool { self == .directory }

    /// The kind of object an entry with this mode points at.
    public var objectKind: ObjectKind {
        switch self {
        case .directory: .tree
        case .gitlink: .commit
        default: .blob
        }
    }

    /// The octal text Git writes in trees (no leading zero: `40000`).
    public var octal: String { String(rawValue, radix: 8) }

    public var description: String { octal }
}
