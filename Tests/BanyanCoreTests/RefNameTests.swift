import BanyanCore
import Testing

@Suite("RefName")
struct RefNameTests {
    @Test("accepts HEAD and well-formed names under refs/", arguments: [
        "HEAD", "refs/heads/main", "refs/heads/feature/x-1", "refs/tags/v1.0", "refs/remotes/origin/HEAD",
        "refs/heads/@", "refs/heads/a@b", "refs/heads/ünïcödé", "refs/heads/-dash", "refs/notes/commits", "refs/x",
    ])
    func acceptsValidNames(name: String) throws {
        try RefName.validate(name)
        #expect(RefName.isValid(name))
    }

    @Test("rejects names that break a check-ref-format rule, naming the rule", arguments: [
        ("main", "HEAD or starts with refs/"), ("@", "HEAD or starts with refs/"), ("/refs/heads/x", "HEAD or starts with refs/"),
        ("refs/heads/a..b", "'..'"), ("refs/heads/a b", "' '"), ("refs/heads/a~1", "'~'"), ("refs/heads/a^", "'^'"),
        ("refs/heads/a:b", "':'"), ("refs/heads/a?", "'?'"), ("refs/heads/a*", "'*'"), ("refs/heads/a[b", "'['"),
        ("refs/heads/a\\b", "'\\'"), ("refs/heads/a\u{1}", "control character 0x1"), ("refs/heads/a\u{7f}", "control character 0x7f"),
        ("refs/heads/a\nb", "control character 0xa"), ("refs/heads/x@{1}", "'@{'"), ("refs/heads/", "ends with '/'"),
        ("refs/heads/x.", "ends with '.'"), ("refs//heads", "'//'"), ("refs/heads/.hidden", "starts with '.'"),
        ("refs/heads/x.lock", "ends with '.lock'"), ("refs/heads/x.lock/y", "ends with '.lock'"), ("", "HEAD or starts with refs/"),
    ])
    func rejectsInvalidNames(name: String, rule: String) {
        #expect(!RefName.isValid(name))
        let error = #expect(throws: BanyanError.self) { try RefName.validate(name) }
        #expect(error?.code == .invalidRefName)
        #expect(error?.message.contains(rule) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("'\(name)'") == true, "the error names the ref")
    }

    @Test("branch builds refs/heads/<name> and applies the branch-only rules")
    func branchNames() throws {
        #expect(try RefName.branch("main") == "refs/heads/main")
        #expect(try RefName.branch("feature/x") == "refs/heads/feature/x")
        for bad in ["", "-x", "HEAD", "a..b", "x.lock", "a/", "a b"] {
            let error = #expect(throws: BanyanError.self) { try RefName.branch(bad) }
            #expect(error?.code == .invalidRefName)
            #expect(error?.message.contains("branch name") == true)
        }
    }
}
