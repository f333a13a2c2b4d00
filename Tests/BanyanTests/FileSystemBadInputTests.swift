import Banyan
import Foundation
import Testing

/// Damaged files, foreign repositories and bad arguments: each gives a clear
/// error naming what is wrong, and nothing on disk is overwritten.
@Suite("filesystem backend and bad input")
struct FileSystemBadInputTests {
    private func objectFile(_ store: FileSystemBackend, _ id: ObjectID) -> String {
        "\(store.path)/objects/\(id.hex.prefix(2))/\(id.hex.dropFirst(2))"
    }

    private func overwrite(_ file: String, with bytes: [UInt8]) throws {
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
    }

    @Test("a loose object file of garbage bytes is a corruptObject error naming the file")
    func garbageObjectFile() throws {
        try withTemporaryDirectory { directory in
            let store = try FileSystemBackend.create(at: directory + "/store.git", configuration: .init(writeMode: .loose))
            let id = try store.put(RawObject(kind: .blob, body: Array("content".utf8)))
            try overwrite(objectFile(store, id), with: Array("this is not zlib".utf8))
            let error = #expect(throws: BanyanError.self) { try store.find(id) }
            #expect(error?.code == .corruptObject)
            #expect(error?.message.contains(objectFile(store, id)) == true)
        }
    }

    @Test("a loose object file whose content hashes to another id is a corruptObject error naming the file")
    func objectFileWithOtherContent() throws {
        try withTemporaryDirectory { directory in
            let store = try FileSystemBackend.create(at: directory + "/store.git", configuration: .init(writeMode: .loose))
            let id = try store.put(RawObject(kind: .blob, body: Array("expected".utf8)))
            let other = RawObject(kind: .blob, body: Array("substituted".utf8))
            try overwrite(objectFile(store, id), with: Zlib.deflate(other.encoded))
            let error = #expect(throws: BanyanError.self) { try store.get(id) }
            #expect(error?.code == .corruptObject)
            #expect(error?.message.contains(objectFile(store, id)) == true)
            #expect(error?.message.contains(other.id(.sha1).hex) == true, "the error names the id the content hashes to")
        }
    }

    @Test("a loose object with a lying header is a corruptObject error")
    func objectFileWithBadHeader() throws {
        try withTemporaryDirectory { directory in
            let store = try FileSystemBackend.create(at: directory + "/store.git", configuration: .init(writeMode: .loose))
            let id = try store.put(RawObject(kind: .blob, body: Array("12345".utf8)))
            try overwrite(objectFile(store, id), with: Zlib.deflate(Array("blob 9\u{0}12345".utf8)))
            #expect(throws: BanyanError.self) { try store.find(id) }
        }
    }

    @Test("a truncated ref file is an error naming the file, and no update overwrites it")
    func truncatedRefFile() throws {
        try withTemporaryDirectory { directory in
            let store = try FileSystemBackend.create(at: directory + "/store.git", configuration: .init(writeMode: .loose))
            let id = try store.put(RawObject(kind: .blob, body: Array("a".utf8)))
            let file = store.path + "/refs/heads/main"
            let truncated = String(id.hex.prefix(10)) + "\n"
            try truncated.write(toFile: file, atomically: false, encoding: .utf8)

            let error = #expect(throws: BanyanError.self) { try store.find("refs/heads/main") }
            #expect(error?.code == .invalidRepository)
            #expect(error?.message.contains(file) == true)
            #expect(throws: BanyanError.self) { try store.compareAndSwap("refs/heads/main", expected: .any, new: id, log: nil) }
            #expect(throws: BanyanError.self) { try store.delete("refs/heads/main", expected: .any) }
            #expect(throws: BanyanError.self) { try store.list(prefix: "refs/heads/") }
            #expect(try String(contentsOfFile: file, encoding: .utf8) == truncated, "the damaged file is left for a person to inspect")
            #expect(try filesEnding(in: ".lock", under: store.path).isEmpty)
        }
    }

    @Test("a malformed packed-refs line is an error naming the file and line")
    func malformedPackedRefs() throws {
        try withTemporaryDirectory { directory in
            let store = try FileSystemBackend.create(at: directory + "/store.git", configuration: .init(writeMode: .loose))
            let id = try store.put(RawObject(kind: .blob, body: Array("a".utf8)))
            try "# pack-refs with: peeled fully-peeled sorted \n\(id) refs/heads/ok\nnot a ref line\n"
                .write(toFile: store.path + "/packed-refs", atomically: false, encoding: .utf8)
            let error = #expect(throws: BanyanError.self) { try store.find("refs/heads/ok") }
            #expect(error?.code == .invalidRepository)
            #expect(error?.message.contains("packed-refs line 3") == true)
        }
    }

    @Test("a packed ref blocks a new ref below its name")
    func packedRefNameConflict() throws {
        try withTemporaryDirectory { directory in
            let store = try FileSystemBackend.create(at: directory + "/store.git", configuration: .init(writeMode: .loose))
            let id = try store.put(RawObject(kind: .blob, body: Array("a".utf8)))
            try "\(id) refs/heads/a\n".write(toFile: store.path + "/packed-refs", atomically: false, encoding: .utf8)
            #expect(throws: BanyanError(.alreadyExists, "cannot create ref refs/heads/a/b: ref refs/heads/a exists, and one name would be a directory of the other")) {
                try store.compareAndSwap("refs/heads/a/b", expected: .absent, new: id, log: nil)
            }
        }
    }

    @Test("invalid ref names are rejected before anything touches the disk")
    func invalidRefNamesCreateNothing() throws {
        try withTemporaryDirectory { directory in
            let store = try FileSystemBackend.create(at: directory + "/store.git", configuration: .init(writeMode: .loose))
            let id = try store.put(RawObject(kind: .blob, body: Array("a".utf8)))
            let before = try FileManager.default.subpathsOfDirectory(atPath: store.path).sorted()
            for name in ["refs/heads/../../config", "refs/heads/a.lock", "config", "refs/heads/x~1", "refs/heads/\u{7f}"] {
                #expect(throws: BanyanError.self) { try store.compareAndSwap(name, expected: .any, new: id, log: nil) }
                #expect(throws: BanyanError.self) { try store.setSymbolic(name, target: "refs/heads/main") }
            }
            #expect(try FileManager.default.subpathsOfDirectory(atPath: store.path).sorted() == before)
        }
    }

    @Test("open refuses a directory that is not a repository, naming it")
    func openNonRepository() throws {
        try withTemporaryDirectory { directory in
            for path in [directory, directory + "/missing"] {
                let error = #expect(throws: BanyanError.self) { try FileSystemBackend.open(at: path) }
                #expect(error?.code == .invalidRepository)
                #expect(error?.message.contains(path) == true)
            }
            try Git(nil)("init", "--quiet", directory + "/worktree")
            let error = #expect(throws: BanyanError.self) { try FileSystemBackend.open(at: directory + "/worktree") }
            #expect(error?.message.contains(".git") == true, "a working tree gets a hint to open its .git directory")
            #expect(try FileSystemBackend.open(at: directory + "/worktree/.git").hashAlgorithm == .sha1)
        }
    }

    @Test("create refuses an existing repository and a bad branch name")
    func createRefusals() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/deep/parents/store.git"
            _ = try FileSystemBackend.create(at: path)
            let exists = #expect(throws: BanyanError.self) { try FileSystemBackend.create(at: path) }
            #expect(exists?.code == .alreadyExists)
            let error = #expect(throws: BanyanError.self) { try FileSystemBackend.create(at: directory + "/other.git", initialBranch: "-x") }
            #expect(error?.code == .invalidRefName)
            #expect(!FileManager.default.fileExists(atPath: directory + "/other.git"))
        }
    }

    @Test("the repository format in config decides the hash function or refuses the repository", arguments: [
        ("[Core]\n\tRepositoryFormatVersion = 1\n[Extensions]\n\tObjectFormat = sha256\n", "sha256"),
        ("[core]\n\trepositoryformatversion = 1\n[extensions]\n\tobjectformat = sha1\n\tnoop\n", "sha1"),
        ("[core]\n\tbare = true\n", "sha1"),
        ("[core]\n\trepositoryformatversion = 2\n", "unsupported"),
        ("[core]\n\trepositoryformatversion = 1\n[extensions]\n\trefstorage = reftable\n", "unsupported"),
        ("[core]\n\trepositoryformatversion = 0\n[extensions]\n\tobjectformat = sha256\n", "unsupported"),
        ("[core]\n\trepositoryformatversion = 1\n[extensions]\n\tobjectformat = md5\n", "unsupported"),
        ("[core\n", "invalidRepository"),
    ])
    func repositoryFormat(config: String, outcome: String) throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/store.git"
            _ = try FileSystemBackend.create(at: path)
            try config.write(toFile: path + "/config", atomically: false, encoding: .utf8)
            if let algorithm = HashAlgorithm(rawValue: outcome) {
                #expect(try FileSystemBackend.open(at: path).hashAlgorithm == algorithm)
            } else {
                let error = #expect(throws: BanyanError.self) { try FileSystemBackend.open(at: path) }
                #expect(error?.code.description == outcome)
            }
        }
    }

    @Test("allObjectIDs skips temporary files and foreign names in objects/")
    func enumerationSkipsJunk() throws {
        try withTemporaryDirectory { directory in
            let store = try FileSystemBackend.create(at: directory + "/store.git", configuration: .init(writeMode: .loose))
            let id = try store.put(RawObject(kind: .blob, body: Array("a".utf8)))
            let fanOut = "\(store.path)/objects/\(id.hex.prefix(2))"
            for junk in ["\(fanOut)/tmp_obj_abc123", "\(fanOut)/\(id.hex.dropFirst(2)).bak", "\(store.path)/objects/info/packs"] {
                #expect(FileManager.default.createFile(atPath: junk, contents: Data()))
            }
            #expect(try store.allObjectIDs() == [id])
            #expect(try store.objectIDs(withHexPrefix: String(id.hex.prefix(6))) == [id])
        }
    }

    @Test("config saved by Banyan is read by git config")
    func savedConfigReadsInGit() throws {
        try withTemporaryDirectory { directory in
            let store = try FileSystemBackend.create(at: directory + "/store.git", configuration: .init(writeMode: .loose))
            let config = try store.updateConfig { config in
                try config.set("https://example.com/a repo.git", forKey: "remote.origin.url")
                try config.add("+refs/heads/*:refs/remotes/origin/*", forKey: "remote.origin.fetch")
                try config.set(" padded; with \"quotes\" # and hash ", forKey: "banyan.note")
                return config
            }
            let git = Git(store.path)
            #expect(try git("config", "remote.origin.url") == "https://example.com/a repo.git\n")
            #expect(try git("config", "banyan.note") == " padded; with \"quotes\" # and hash \n")
            #expect(try git("config", "core.bare") == "true\n")
            #expect(try store.loadConfig() == config)
            #expect(try FileSystemBackend.open(at: store.path).hashAlgorithm == .sha1)
        }
    }
}
