/// Validation of full ref names (`refs/heads/main`, `HEAD`) by the rules of
/// `git check-ref-format`.
///
/// Banyan accepts `HEAD` and names under `refs/`. Restricting names to `refs/`
/// is stricter than Git, whose one-level rule only asks for a `/`; it keeps a
/// ref name from ever naming another file of a repository (`objects/…`,
/// `config`), and it subsumes Git's rules against a leading `/` and the name
/// `@`. Non-ASCII UTF-8 is allowed, as in Git. Also beyond Git, a component
/// is at most 250 bytes and a name at most 1024, so a valid name never fails
/// at the filesystem (a name too long for it would be an I/O error instead).
public enum RefName {
    /// Throws `invalidRefName`, naming `name` and the rule it breaks, unless
    /// `name` is a valid full ref name.
    public static func validate(_ name: String) throws {
        if let rule = violation(in: name) {
            throw BanyanError(.invalidRefName, "'\(name)' is not a valid ref name: \(rule)")
        }
    }

    /// True when `name` is a valid full ref name.
    public static func isValid(_ name: String) -> Bool {
        violation(in: name) == nil
    }

    /// The full ref name `refs/heads/<shortName>` of a branch, validated.
    ///
    /// Like `git check-ref-format --branch`, this also rejects an empty name,
    /// a name starting with `-` (it would read as an option) and `HEAD`.
    public static func branch(_ shortName: String) throws -> String {
        let rule: String?
        if shortName.isEmpty {
            rule = "it is empty"
        } else if shortName.hasPrefix("-") {
            rule = "it starts with '-'"
        } else if shortName == "HEAD" {
            rule = "HEAD is reserved"
        } else {
            rule = violation(in: "refs/heads/" + shortName)
        }
        if let rule {
            throw BanyanError(.invalidRefName, "'\(shortName)' is not a valid branch name: \(rule)")
        }
        return "refs/heads/" + shortName
    }

    /// The first rule `name` breaks, as a phrase, or nil when it is valid.
    private static func violation(in name: String) -> String? {
        if name == "HEAD" { return nil }
        guard name.hasPrefix("refs/") else { return "a full ref name is HEAD or starts with refs/" }
        for byte in name.utf8 {
            if byte < 0x20 || byte == 0x7f {
                return "it contains the control character 0x\(String(byte, radix: 16))"
            }
            if let scalar = forbidden.first(where: { $0 == byte }) {
                return "it contains '\(Character(Unicode.Scalar(scalar)))'"
            }
        }
        if name.utf8.count > maxLength { return "it is \(name.utf8.count) bytes long; the limit is \(maxLength)" }
        if contains(UInt8(ascii: "."), UInt8(ascii: "."), in: name) { return "it contains '..'" }
        if contains(UInt8(ascii: "@"), UInt8(ascii: "{"), in: name) { return "it contains '@{'" }
        if name.hasSuffix("/") { return "it ends with '/'" }
        if name.hasSuffix(".") { return "it ends with '.'" }
        for component in name.split(separator: "/", omittingEmptySubsequences: false) {
            if component.isEmpty { return "it contains '//'" }
            if component.hasPrefix(".") { return "the component '\(component)' starts with '.'" }
            if component.hasSuffix(".lock") { return "the component '\(component)' ends with '.lock'" }
            if component.utf8.count > maxComponentLength {
                return "a component is \(component.utf8.count) bytes long; the limit is \(maxComponentLength)"
            }
        }
        return nil
    }

    /// True when `first` is followed by `second` somewhere in `name`'s bytes.
    /// (Foundation's `contains` of a string, picked when it is imported,
    /// bridges to `NSString` a call: a tenth of `cat-file --batch`'s time.)
    private static func contains(_ first: UInt8, _ second: UInt8, in name: String) -> Bool {
        var previous: UInt8 = 0
        for byte in name.utf8 {
            if previous == first && byte == second { return true }
            previous = byte
        }
        return false
    }

    /// The longest component: a file name on common filesystems, with room for `.lock`.
    public static let maxComponentLength = 250
    /// The longest full name, so that the ref's path in any store directory
    /// stays well under the system's path limit.
    public static let maxLength = 1024

    private static let forbidden: [UInt8] = Array(" ~^:?*[\\".utf8)
}
