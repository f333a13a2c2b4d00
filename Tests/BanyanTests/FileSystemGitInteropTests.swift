import Banyan
import Foundation
import Testing

/// Banyan's filesystem store and real `git` reading and writing the same repository.
@Suite("filesystem backend and git")
struct FileSystemGitInteropTests {
    /// What a power cut can leave (reflog appends are not flushed): a torn
    /// last line. Banyan and git skip it; the next entry starts a line of its own.
    @Test("a torn reflog line is skipped, as git skips it, and the next entry is kept")
    func tornReflogLine() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/store.git"
            let repository = try Repository.create(at: path, configuration: .init(maintenance: .off))
            let main = try repository.branch("main")
            let first = try main.set(Key("a"), Data("1".utf8))
            let log = path + "/logs/refs/heads/main"
            let handle = try #require(FileHandle(forWritingAtPath: log))
            handle.seekToEndOfFile()
            handle.write(Data("\(first.hex) 0123".utf8))
            try handle.close()
            #expect(try main.reflog().map(\.new) == [first])
            let second = try main.set(Key("a"), Data("2".utf8))
            #expect(try main.reflog().map(\.new) == [first, second])
            let git = Git(path)
            #expect(try git("reflog", "show", "--format=%H", "main") == "\(second.hex)\n\(first.hex)\n")
            #expect(try repository.fsck().isEmpty)
            #expect(try git("fsck", "--strict", "--no-dangling") == "")
        }
    }

    @Test("a repository written by Banyan passes git fsck --strict and reads in git", arguments: HashAlgorithm.allCases)
    func banyanRepositoryReadsInGit(algorithm: HashAlgorithm) throws {
        try withTemporaryDirectory { directory in
            let repository = directory + "/store.git"
            let store = try FileSystemBackend.create(at: repository, hashAlgorithm: algorithm, configuration: .init(writeMode: .loose))
            let blob = try store.put(RawObject(kind: .blob, body: Array("hello\n".utf8)))
            var treeBody = Array("100644 a\0".utf8)
            blob.append(to: &treeBody)
            let tree = try store.put(RawObject(kind: .tree, body: treeBody))
            let commitText = "tree \(tree)\nauthor A <a@x> 1700000000 +0000\ncommitter A <a@x> 1700000000 +0000\n\nmsg\n"
            let commit = try store.put(RawObject(kind: .commit, body: Array(commitText.utf8)))
            let committer = Signature(name: "A", email: "a@x", time: 1_700_000_000, timeZoneMinutes: 330)
            try store.compareAndSwap("refs/heads/main", expected: .absent, new: commit,
                                     log: ReflogEntry(old: .zero(algorithm), new: commit, committer: committer, message: "commit (initial): msg"))
            try store.compareAndSwap("refs/tags/v1", expected: .absent, new: commit, log: nil)

            let git = Git(repository)
            #expect(try git("fsck", "--strict", "--no-dangling") == "")
            #expect(try git("rev-parse", "--show-object-format") == "\(algorithm.rawValue)\n")
            #expect(try git("rev-parse", "--is-bare-repository") == "true\n")
            #expect(try git("symbolic-ref", "HEAD") == "refs/heads/main\n")
            #expect(try git("hash-object", "--stdin", input: "hello\n") == "\(blob)\n")
            #expect(try git("log", "--format=%H %s", "main") == "\(commit) msg\n")
            #expect(try git("cat-file", "-p", "main:a") == "hello\n")
            #expect(try git("for-each-ref", "--format=%(objectname) %(refname)") == "\(commit) refs/heads/main\n\(commit) refs/tags/v1\n")
            #expect(try git("reflog", "show", "--format=%H %gs", "main") == "\(commit) commit (initial): msg\n")
            #expect(try git("reflog", "show", "--format=%gn <%ge> %gd", "--date=raw", "HEAD") == "A <a@x> HEAD@{1700000000 +0530}\n")

            let blobFile = "\(repository)/objects/\(blob.hex.prefix(2))/\(blob.hex.dropFirst(2))"
            let permissions = try FileManager.default.attributesOfItem(atPath: blobFile)[.posixPermissions] as? Int
            #expect(permissions == 0o444, "loose objects are read-only, as git writes them")
        }
    }

    @Test("create lays out the repository as git init --bare does", arguments: HashAlgorithm.allCases)
    func createMatchesGitInit(algorithm: HashAlgorithm) throws {
        try withTemporaryDirectory { directory in
            _ = try FileSystemBackend.create(at: directory + "/ours.git", hashAlgorithm: algorithm)
            try Git(nil)("init", "--quiet", "--bare", "--initial-branch=main", "--object-format=\(algorithm.rawValue)", directory + "/theirs.git")
            for file in ["HEAD", "config", "description"] {
                let ours = try String(contentsOfFile: "\(directory)/ours.git/\(file)", encoding: .utf8)
                let theirs = try String(contentsOfFile: "\(directory)/theirs.git/\(file)", encoding: .utf8)
                #expect(ours == theirs, "\(file) matches git's")
            }
            for subdirectory in ["objects/info", "objects/pack", "refs/heads", "refs/tags", "info"] {
                var isDirectory: ObjCBool = false
                #expect(FileManager.default.fileExists(atPath: "\(directory)/ours.git/\(subdirectory)", isDirectory: &isDirectory) && isDirectory.boolValue)
            }
        }
    }

    @Test("a repository made by git opens, reads, and takes updates git sees", arguments: HashAlgorithm.allCases)
    func gitRepositoryOpensInBanyan(algorithm: HashAlgorithm) throws {
        try withTemporaryDirectory { directory in
            let repository = directory + "/made-by-git.git"
            try Git(nil)("init", "--quiet", "--bare", "--initial-branch=main", "--object-format=\(algorithm.rawValue)", repository)
            let git = Git(repository)
            let blob = try git("hash-object", "-w", "--stdin", input: "from git\n").trimmed
            let tree = try git("mktree", input: "100644 blob \(blob)\tfile.txt\n").trimmed
            let first = try git("commit-tree", tree, "-m", "first").trimmed
            try git("update-ref", "refs/heads/main", first)
            try git("update-ref", "refs/heads/feature", first)
            try git("tag", "-a", "v1", "-m", "a tag", first)
            try git("pack-refs", "--all")
            let second = try git("commit-tree", tree, "-p", first, "-m", "second").trimmed
            try git("update-ref", "refs/heads/loose", second)
            let tag = try git("rev-parse", "refs/tags/v1").trimmed
            let packed = try String(contentsOfFile: repository + "/packed-refs", encoding: .utf8)
            #expect(packed.contains("^\(first)\n"), "packed-refs records the peeled tag")

            let store = try FileSystemBackend.open(at: repository)
            #expect(store.hashAlgorithm == algorithm)
            let blobID = try ObjectID(validating: blob)
            #expect(try store.find(blobID) == RawObject(kind: .blob, body: Array("from git\n".utf8)))
            #expect(try store.get(ObjectID(validating: first)).kind == .commit)
            #expect(try store.find("HEAD") == .symbolic("refs/heads/main"))
            #expect(try store.find("refs/heads/main") == .direct(ObjectID(validating: first)))
            #expect(try store.list(prefix: "refs/").map { "\($0.name) \($0.id)" } == [
                "refs/heads/feature \(first)", "refs/heads/loose \(second)", "refs/heads/main \(first)", "refs/tags/v1 \(tag)",
            ])
            #expect(Set(try store.allObjectIDs().map(\.hex)) == Set([blob, tree, first, second, tag]))

            let log = ReflogEntry(old: .zero(algorithm), new: .zero(algorithm),
                                  committer: Signature(name: "B", email: "b@x", time: 1_700_000_100), message: "banyan update")
            try store.compareAndSwap("refs/heads/main", expected: .value(ObjectID(validating: first)),
                                     new: ObjectID(validating: second), log: log)
            #expect(try git("rev-parse", "refs/heads/main").trimmed == second)
            try store.delete("refs/heads/feature", expected: .value(ObjectID(validating: first)))
            #expect(try git("for-each-ref", "--format=%(refname)") == "refs/heads/loose\nrefs/heads/main\nrefs/tags/v1\n")
            let repacked = try String(contentsOfFile: repository + "/packed-refs", encoding: .utf8)
            #expect(!repacked.contains("refs/heads/feature") && repacked.contains("\(tag) refs/tags/v1\n^\(first)\n"))
            #expect(try git("fsck", "--strict", "--no-dangling") == "")
        }
    }
}

extension String {
    /// The string without its trailing newline, as command output is compared.
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
