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
