import Banyan
import Testing

/// `RefName` against `git check-ref-format` itself, for names under `refs/`
/// (where Banyan's rules are Git's; elsewhere Banyan is stricter by design).
@Test("RefName agrees with git check-ref-format", arguments: [
    "refs/heads/main", "refs/heads/a/b/c", "refs/tags/v1.0.0", "refs/heads/@", "refs/heads/a@b", "refs/heads/ünï",
    "refs/heads/-x", "refs/heads/a..b", "refs/heads/a.", "refs/heads/.a", "refs/heads/a.lock", "refs/heads/a.lock/b",
    "refs/heads/a.locked", "refs/heads/a b", "refs/heads/a~", "refs/heads/a^", "refs/heads/a:", "refs/heads/a?",
    "refs/heads/a*", "refs/heads/a[", "refs/heads/a\\b", "refs/heads/a@{", "refs/heads/a@{1}", "refs/heads/a/",
    "refs//heads", "refs/heads/a\u{1}", "refs/heads/a\u{7f}", "refs/x", "refs/heads/a{b}", "refs/heads/a@",
])
func refNameMatchesGit(name: String) throws {
    let git = try Git(nil).run(["git", "check-ref-format", name])
    #expect(RefName.isValid(name) == (git.status == 0))
}

/// Beyond Git: names too long for a filesystem are refused as names, not
/// left to fail as I/O (the REST API answered 500 for them).
@Test func overlongRefNamesAreInvalid() {
    #expect(RefName.isValid("refs/heads/" + String(repeating: "b", count: RefName.maxComponentLength)))
    #expect(!RefName.isValid("refs/heads/" + String(repeating: "b", count: RefName.maxComponentLength + 1)))
    let deep = "refs/heads/" + Array(repeating: String(repeating: "c", count: 200), count: 6).joined(separator: "/")
    #expect(!RefName.isValid(deep) && deep.utf8.count > RefName.maxLength)
    #expect(throws: BanyanError.self) { try RefName.validate(deep) }
}
