import Banyan
import BanyanTestSupport
import Foundation
import Testing

/// `fast-import` and `fast-export` against real git: streams git wrote,
/// streams Banyan wrote read by git, hand-written streams through both.
@Suite("fast-import and fast-export")
struct FastImportTests {
    /// Runs `git args` in `directory` with `input`; throws on failure.
    @discardableResult
    private func git(_ directory: String, _ args: [String], input: Data? = nil) throws -> Data {
        try GitRunner.run(args, in: directory, input: input).stdout
    }

    private func refs(_ gitDirectory: String) throws -> String {
        String(decoding: try git(gitDirectory, ["for-each-ref", "--format=%(objectname) %(refname)"]), as: UTF8.self)
    }

    private func store(_ path: String, _ algorithm: HashAlgorithm) throws -> Repository {
        try Repository.create(at: path, hashAlgorithm: algorithm, configuration: .init(maintenance: .off))
    }

    /// A git repository with branches, a merge, an annotated and a light
    /// tag, an executable, a symlink, a deletion, a rename, a path with a
    /// tab, and a Latin-1 commit with an empty author name and odd zones.
    private func makeGitHistory(at path: String, _ algorithm: HashAlgorithm) throws {
        try git(NSTemporaryDirectory(), ["init", "--quiet", "-b", "main", "--object-format=\(algorithm.rawValue)", path])
        let script = """
            set -e
            echo a > a.txt; mkdir -p d/e; echo x > d/e/f; printf '#!/bin/sh\\n' > run.sh; chmod +x run.sh
            ln -s a.txt link; printf t > "$(printf 'tab\\tname')"
            git add -A; git commit -qm one
            git checkout -qb side; echo b >> a.txt; git mv d/e/f d/g; git commit -qam two
            git checkout -q main; git rm -q run.sh; git commit -qm three
            git merge -q --no-edit side
            git tag -a v1 -m 'tag one'; git tag light HEAD~1
            tree=$(git rev-parse 'HEAD^{tree}')
            printf 'tree %s\\nparent %s\\nauthor  <e@x> 12 +1400\\ncommitter Z <z@x> 13 -0030\\nencoding ISO-8859-1\\n\\nodd \\351\\n' \
                $tree $(git rev-parse HEAD) > ../odd
            git update-ref refs/heads/odd $(git hash-object -t commit -w --literally ../odd)
            """
        _ = try ProcessRunner.run("/bin/sh", ["-c", script], in: path, environment: GitRunner.baseEnvironment)
    }

    @Test("git fast-export → banyan fast-import gives git's ids; git fsck passes", arguments: HashAlgorithm.allCases)
    func importsGitStream(algorithm: HashAlgorithm) throws {
        try withTemporaryDirectory { directory in
            let source = directory + "/src"
            try makeGitHistory(at: source, algorithm)
            let stream = try git(source, ["fast-export", "--all", "--signed-tags=verbatim", "--reencode=no"])
            let repository = try store(directory + "/store", algorithm)
            let result = try repository.fastImport(from: .data(stream))
            #expect(result.skipped.isEmpty)
            #expect(try refs(directory + "/store") == refs(source))
            try git(directory + "/store", ["fsck", "--strict", "--no-dangling"])
        }
    }

    @Test("banyan fast-export → git fast-import gives the same ids", arguments: HashAlgorithm.allCases)
    func gitImportsOurStream(algorithm: HashAlgorithm) throws {
        try withTemporaryDirectory { directory in
            let source = directory + "/src"
            try makeGitHistory(at: source, algorithm)
            let repository = try Repository.open(at: source + "/.git")
            var stream = Data()
            try repository.fastExport(refs: [], all: true) { stream.append(contentsOf: $0) }
            try git(directory, ["init", "--quiet", "--bare", "--object-format=\(algorithm.rawValue)", "rebuilt.git"])
            try git(directory + "/rebuilt.git", ["fast-import", "--quiet"], input: stream)
            #expect(try refs(directory + "/rebuilt.git") == refs(source))

            var some = Data()
            try repository.fastExport(refs: ["side", "v1"]) { some.append(contentsOf: $0) }
            try git(directory, ["init", "--quiet", "--bare", "--object-format=\(algorithm.rawValue)", "some.git"])
            try git(directory + "/some.git", ["fast-import", "--quiet"], input: some)
            let expected = try refs(source).split(separator: "\n").filter { $0.hasSuffix("/side") || $0.hasSuffix("/v1") }
            #expect(try refs(directory + "/some.git").split(separator: "\n") == expected)
        }
    }

    /// Delimited and inline data, every mode, quoted paths, C/R/D/deleteall,
    /// from/merge by mark, a gitlink, a tag, a reset, progress and checkpoint.
    private var handWritten: Data {
        func data(_ text: String) -> String { "data \(text.utf8.count)\n\(text)\n" }
        return Data(("""
            feature done
            # a comment
            blob
            mark :1
            data <<EOF
            hello
            EOF
            commit refs/heads/main
            mark :2
            author A U Thor <a@example.com> 1700000000 +0100
            committer C O Mitter <c@example.com> 1700000100 -0700
            \(data("initial"))M 100644 :1 dir/hello.txt
            M 755 inline bin/run
            \(data("#!/bin/sh\n"))M 100644 inline "quoted\\tname"
            \(data("q"))M 120000 inline link
            \(data("dir/hello.txt"))M 644 :1 dir/sub/deep.txt

            commit refs/heads/main
            mark :3
            committer C O Mitter <c@example.com> 1700000200 +0000
            data <<END
            copy and rename
            END
            C dir dir2
            R bin/run tools/run
            D "quoted\\tname"
            D dir/sub/deep.txt

            commit refs/heads/other
            mark :4
            committer C <c@example.com> 1700000300 +0000
            \(data("other"))from :2
            deleteall
            M 644 :1 only.txt

            commit refs/heads/main
            mark :5
            committer C <c@example.com> 1700000400 +0000
            encoding UTF-8
            \(data("merge"))merge :4
            M 160000 :4 sub
            R dir2 moved/dir2

            tag v2
            mark :6
            from :5
            tagger T <t@example.com> 1700000500 +0000
            \(data("tag"))reset refs/heads/moved
            from :3

            progress halfway
            checkpoint
            commit refs/heads/moved
            committer C <c@example.com> 1700000600 +0000
            \(data("after checkpoint"))M 040000 :5 whole
            done

            """).utf8)
    }

    @Test("hand-written streams give git's objects, refs and marks file", arguments: HashAlgorithm.allCases)
    func handWrittenStream(algorithm: HashAlgorithm) throws {
        try withTemporaryDirectory { directory in
            try git(directory, ["init", "--quiet", "--bare", "--object-format=\(algorithm.rawValue)", "git.git"])
            let stream = handWritten
            let gitResult = try GitRunner.run(["fast-import", "--quiet", "--export-marks=\(directory)/git.marks"],
                                              in: directory + "/git.git", input: stream, check: false)
            // `M 040000 :5` names a commit where a tree belongs: git refuses it, and so must Banyan.
            #expect(gitResult.status != 0)
            #expect(gitResult.stderr.lowercased().contains("not a tree"))
            let repository = try store(directory + "/store", algorithm)
            #expect(throws: BanyanError.self) { try repository.fastImport(from: .data(stream)) }
        }
        try withTemporaryDirectory { directory in
            try git(directory, ["init", "--quiet", "--bare", "--object-format=\(algorithm.rawValue)", "git.git"])
            var text = String(decoding: handWritten, as: UTF8.self)
            text = text.replacingOccurrences(of: "M 040000 :5 whole", with: "C tools whole")
            let stream = Data(text.utf8)
            let gitOutput = try git(directory + "/git.git", ["fast-import", "--quiet", "--export-marks=\(directory)/git.marks"], input: stream)
            let repository = try store(directory + "/store", algorithm)
            let progress = ProgressLines()
            var options = FastImportOptions()
            options.exportMarks = directory + "/banyan.marks"
            options.progress = { progress.append($0) }
            try repository.fastImport(from: .data(stream), options: options)
            #expect(try refs(directory + "/store") == refs(directory + "/git.git"))
            #expect(String(decoding: gitOutput, as: UTF8.self) == "progress halfway\n")
            #expect(progress.lines == ["halfway"])
            #expect(FileManager.default.contents(atPath: directory + "/banyan.marks") == FileManager.default.contents(atPath: directory + "/git.marks"))
            try git(directory + "/store", ["fsck", "--strict", "--no-dangling"])

            // Marks carry over to a second stream, as --import-marks does.
            let more = Data("commit refs/heads/more\ncommitter C <c@example.com> 1700000700 +0000\ndata 4\nmore\nfrom :3\nM 100644 :1 again.txt\n\n".utf8)
            try git(directory + "/git.git", ["fast-import", "--quiet", "--import-marks=\(directory)/git.marks"], input: more)
            var second = FastImportOptions()
            second.importMarks = directory + "/banyan.marks"
            try repository.fastImport(from: .data(more), options: second)
            #expect(try refs(directory + "/store") == refs(directory + "/git.git"))
        }
    }

    /// A long generated stream over a small path space, so directories are
    /// edited again and again (each version spliced from the one before):
    /// sets, deletions, renames and copies of files and directories, a file
    /// turned into a directory and back, `deleteall`, two branches.
    private func generatedStream(commits: Int, seed: UInt64) -> Data {
        var random = SeededRandom(seed: seed)
        let names = ["a", "b", "a.b", "a-b", "c", "z"]
        func path() -> String {
            (0...random.below(3)).map { _ in names[random.below(names.count)] }.joined(separator: "/")
        }
        var out = ""
        for index in 0..<commits {
            let branch = random.below(4) == 0 ? "side" : "main"
            out += "commit refs/heads/\(branch)\nmark :\(index + 1)\n"
            out += "committer C <c@example.com> \(1_700_000_000 + index) +0000\ndata 2\nc\(index % 10)\n"
            if index > 0 && branch == "side" && random.below(3) == 0 { out += "merge :\(index)\n" }
            for _ in 0..<(1 + random.below(4)) {
                switch random.below(10) {
                case 0: out += "D \(path())\n"
                case 1, 2:
                    // A path just set, or its directory, renamed or copied.
                    let source = path()
                    out += "M 100644 inline \(source)\ndata 1\ns\n"
                    let moved = source.contains("/") && random.below(2) == 0
                        ? String(source[..<source.lastIndex(of: "/")!]) : source
                    out += "\(random.below(2) == 0 ? "R" : "C") \(moved) \(path())\n"
                case 3 where random.below(8) == 0: out += "deleteall\n"
                default:
                    let text = "v\(random.below(5))"
                    out += "M \(random.below(5) == 0 ? "100755" : "100644") inline \(path())\ndata \(text.utf8.count)\n\(text)\n"
                }
            }
            out += "\n"
        }
        return Data(out.utf8)
    }

    @Test("a long generated stream gives git's ids, directories edited commit after commit")
    func generatedStreamMatchesGit() throws {
        try withTemporaryDirectory { directory in
            for seed in 1...3 as ClosedRange<UInt64> {
                let stream = generatedStream(commits: 300, seed: seed)
                let gitDirectory = directory + "/git\(seed).git"
                try git(directory, ["init", "--quiet", "--bare", gitDirectory])
                let gitResult = try GitRunner.run(["fast-import", "--quiet"], in: gitDirectory, input: stream, check: false)
                let repository = try store(directory + "/store\(seed)", .sha1)
                #expect(gitResult.status == 0, "\(gitResult.stderr)")
                try repository.fastImport(from: .data(stream))
                #expect(try refs(directory + "/store\(seed)") == refs(gitDirectory), "seed \(seed)")
            }
        }
    }

    @Test("a branch that would lose commits stays unless forced, as in git")
    func nonFastForward() throws {
        try withTemporaryDirectory { directory in
            let repository = try store(directory + "/store", .sha1)
            let first = try repository.branch("main").set(Key("k"), Data("v".utf8))
            let root = Data("commit refs/heads/main\ncommitter C <c@example.com> 1 +0000\ndata 1\nx\n".utf8)
            let result = try repository.fastImport(from: .data(root))
            #expect(result.skipped.map(\.name) == ["refs/heads/main"])
            #expect(try repository.refs.resolve("refs/heads/main") == first)
            var force = FastImportOptions()
            force.force = true
            let forced = try repository.fastImport(from: .data(root), options: force)
            #expect(forced.skipped.isEmpty)
            #expect(try repository.refs.resolve("refs/heads/main") != first)
        }
    }

    @Test("a malformed stream names its line and moves no ref", arguments: [
        ("committer C <c@example.com> 1 +0000\ndata 3\nab", "line 6: EOF in data"),
        ("data 2\nab\n", "line 5: expected committer"),
        ("committer C <c@example.com> 1 +0000\ndata 2\nab\nM 100644 :99 f\n", "line 8: mark :99 not declared"),
        ("committer C <c@example.com> yesterday +0000\ndata 2\nab\n", "line 5: invalid raw date"),
        ("committer C <c@example.com> 1 +0000\ndata 2\nab\nM 100645 :1 f\n", "line 8: corrupt mode"),
        ("committer C <c@example.com> 1 +0000\ndata 2\nab\nM 100644 :1 a//b\n", "line 8: empty path component"),
        ("committer C <c@example.com> 1 +0000\ndata 2\nab\nR nothere there\n", "line 8: path nothere not in branch"),
        ("committer C <c@example.com> 1 +0000\ndata 2\nab\n\nbogus\n", "line 9: unsupported command: bogus"),
        ("committer C <c@example.com> 1 +0000\ndata <<EOT\nab\n", "EOF in data (terminator 'EOT' not found)"),
    ])
    func malformedStream(commitBody: String, problem: String) throws {
        try withTemporaryDirectory { directory in
            let repository = try store(directory + "/store", .sha1)
            let before = try repository.branch("main").set(Key("k"), Data("v".utf8))
            // Lines 1-4 are a blob and the commit command; `commitBody` starts on line 5.
            let prefixed = "blob\nmark :1\ndata 0\ncommit refs/heads/new\n" + commitBody
            #expect {
                try repository.fastImport(from: .data(Data(prefixed.utf8)))
            } throws: { error in
                let message = (error as? BanyanError)?.message ?? ""
                return (error as? BanyanError)?.code == .invalidArgument && message.contains(problem)
            }
            #expect(try repository.refs.resolve("refs/heads/main") == before)
            #expect(try repository.refs.resolve("refs/heads/new") == nil)
        }
    }

    @Test func marksFilesNamedByTheStreamNeedAllowUnsafeFeatures() throws {
        try withTemporaryDirectory { directory in
            let repository = try store(directory + "/store", .sha1)
            let marks = directory + "/marks"
            let stream = Data("feature export-marks=\(marks)\nblob\nmark :1\ndata 2\nhi\n".utf8)
            #expect {
                try repository.fastImport(from: .data(stream))
            } throws: { error in
                (error as? BanyanError)?.message.contains("forbidden in input without --allow-unsafe-features") ?? false
            }
            #expect(!FileManager.default.fileExists(atPath: marks))
            var allowed = FastImportOptions()
            allowed.allowUnsafeFeatures = true
            _ = try repository.fastImport(from: .data(stream), options: allowed)
            let blob = try GitRunner.run(["hash-object", "--stdin"], input: Data("hi".utf8)).text
            #expect(try String(contentsOfFile: marks, encoding: .utf8) == ":1 \(blob)\n")
        }
    }

    @Test func exportRefusesAnEmptyDirectoryAStreamCannotCarry() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/odd.git"
            try GitRunner.run(["init", "-q", "--bare", path])
            let empty = try GitRunner.run(["mktree"], in: path, input: Data()).text
            let tree = try GitRunner.run(["mktree"], in: path, input: Data("040000 tree \(empty)\tdir\n".utf8)).text
            let commit = try GitRunner.run(["commit-tree", tree, "-m", "empty dir"], in: path).text
            try GitRunner.run(["update-ref", "refs/heads/main", commit], in: path)
            let repository = try Repository.open(at: path)
            #expect {
                try repository.fastExport(refs: [], all: true) { _ in }
            } throws: { error in
                (error as? BanyanError)?.code == .unsupported && ((error as? BanyanError)?.message.contains("'dir' is empty") ?? false)
            }
        }
    }

    @Test("unknown features and unimplemented commands are refused as unsupported", arguments: [
        "feature no-such-thing\n", "feature notes\n", "feature date-format=rfc2822\n", "option git no-such-option\n",
        "ls \"path\"\n",
    ])
    func unsupported(stream: String) throws {
        let repository = try Repository.inMemory()
        #expect {
            try repository.fastImport(from: .data(Data(stream.utf8)))
        } throws: { error in
            (error as? BanyanError)?.code == .unsupported && ((error as? BanyanError)?.message.contains("line 1") ?? false)
        }
    }
}

/// Progress lines collected from the importer's callback.
private final class ProgressLines: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String] = []
    func append(_ line: String) { lock.withLock { collected.append(line) } }
    var lines: [String] { lock.withLock { collected } }
}
