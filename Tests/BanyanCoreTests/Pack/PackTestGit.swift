import BanyanCore
import BanyanTestSupport
import Foundation

/// Runs the real `git` for the pack tests and builds repositories with
/// delta-friendly history.
enum PackTestGit {
    /// Output of `git` the tests could not parse.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Output {
        var status: Int32
        var stdout: [UInt8]
        var stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// The pack tests' identity on top of `GitRunner`'s deterministic environment.
    private static let identity = [
        "GIT_AUTHOR_NAME": "Pack Test", "GIT_AUTHOR_EMAIL": "pack@example.com",
        "GIT_COMMITTER_NAME": "Pack Test", "GIT_COMMITTER_EMAIL": "pack@example.com",
    ]

    /// Runs `git args` in `directory`; throws when it exits non-zero and `check` is set.
    @discardableResult
    static func run(_ args: [String], in directory: String, input: [UInt8] = [], check: Bool = true) throws -> Output {
        let result = try GitRunner.run(args, in: directory, input: Data(input), environment: identity, check: check)
        return Output(status: result.status, stdout: [UInt8](result.stdout), stderr: result.stderr)
    }

    /// A fresh bare repository of `algorithm` in a temporary directory.
    static func makeBareRepository(_ algorithm: HashAlgorithm) throws -> TemporaryDirectory {
        let directory = TemporaryDirectory("banyan-pack")
        try run(["init", "-q", "--bare", "--object-format=\(algorithm.rawValue)", directory.path], in: "/")
        return directory
    }

    /// A repository with `commits` commits of slowly changing files, so git makes deltas.
    static func makeHistory(_ algorithm: HashAlgorithm, commits: Int = 80, files: Int = 12) throws -> TemporaryDirectory {
        let repository = try makeBareRepository(algorithm)
        try run(["fast-import", "--quiet"], in: repository.path, input: fastImportScript(commits: commits, files: files))
        return repository
    }

    /// A fast-import stream: text files edited a few lines at a time, a
    /// growing binary-ish file, nested directories, branches and annotated tags.
    static func fastImportScript(commits: Int, files: Int) -> [UInt8] {
        var random = SeededRandom(seed: 42)
        var contents: [[String]] = (0..<files).map { file in
            (0..<(40 + file * 7)).map { line in "file \(file) line \(line): \(random.word()) \(random.word()) \(random.word())" }
        }
        var binary = random.bytes(3000)
        var script = ""
        var data: [UInt8] = []
        func flush() { data.append(contentsOf: Array(script.utf8)); script = "" }
        for commit in 0..<commits {
            let branch = commit % 17 == 16 ? "refs/heads/side" : "refs/heads/main"
            script += "commit \(branch)\nmark :\(commit + 1)\n"
            script += "committer Pack Test <pack@example.com> \(1_700_000_000 + commit) +0000\n"
            let message = "commit \(commit)\n"
            script += "data \(message.utf8.count)\n\(message)"
            let edited = commit == 0 ? Array(0..<files) : (0..<3).map { _ in random.below(files) }
            for file in Set(edited).sorted() {
                var lines = contents[file]
                for _ in 0..<(1 + random.below(4)) {
                    let line = random.below(lines.count)
                    switch random.below(3) {
                    case 0: lines[line] = "edited in \(commit): \(random.word()) \(random.word())"
                    case 1: lines.insert("inserted in \(commit): \(random.word())", at: line)
                    default: if lines.count > 10 { lines.remove(at: line) }
                    }
                }
                contents[file] = lines
                let text = lines.joined(separator: "\n") + "\n"
                script += "M 100644 inline dir\(file % 3)/sub\(file % 2)/file\(file).txt\ndata \(text.utf8.count)\n\(text)\n"
            }
            if commit % 5 == 0 {
                for _ in 0..<50 { binary[random.below(binary.count)] = UInt8(random.below(256)) }
                binary.append(contentsOf: random.bytes(200))
                flush()
                data.append(contentsOf: Array("M 100644 inline blob.bin\ndata \(binary.count)\n".utf8))
                data.append(contentsOf: binary)
                data.append(0x0a)
            }
            script += "\n"
            if commit % 20 == 19 {
                let note = "release \(commit)\n"
                script += "tag v\(commit)\nfrom :\(commit + 1)\ntagger Pack Test <pack@example.com> \(1_700_000_000 + commit) +0000\n"
                script += "data \(note.utf8.count)\n\(note)\n"
            }
        }
        flush()
        return data
    }

    /// Every object in the repository, as `git cat-file --batch` prints it.
    static func allObjects(in repository: String, _ algorithm: HashAlgorithm) throws -> [ObjectID: RawObject] {
        let output = try run(["cat-file", "--batch-all-objects", "--batch"], in: repository).stdout
        var objects: [ObjectID: RawObject] = [:]
        var position = 0
        while position < output.count {
            guard let newline = output[position...].firstIndex(of: 0x0a) else { throw Failure(description: "cat-file output truncated") }
            let fields = String(decoding: output[position..<newline], as: UTF8.self).split(separator: " ")
            guard fields.count == 3, let id = ObjectID(hex: fields[0]), let kind = ObjectKind(rawValue: String(fields[1])),
                  let size = Int(fields[2]), id.algorithm == algorithm
            else { throw Failure(description: "unexpected cat-file line") }
            let body = Array(output[(newline + 1)..<(newline + 1 + size)])
            objects[id] = RawObject(kind: kind, body: body)
            position = newline + 1 + size + 1
        }
        return objects
    }

    /// The `.pack` files in a repository, each with its `.idx`.
    static func packs(in repository: String) throws -> [(pack: String, index: String)] {
        let directory = "\(repository)/objects/pack"
        return try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".pack") }.sorted()
            .map { ("\(directory)/\($0)", "\(directory)/\($0.dropLast(5)).idx") }
    }

    static func read(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}

/// Test data drawn from the shared SplitMix64 generator.
extension SeededRandom {
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }

    mutating func word() -> String {
        let words = ["alpha", "beta", "gamma", "delta", "pack", "tree", "blob", "commit", "index", "banyan", "merge", "sync"]
        return words[below(words.count)] + String(below(1000))
    }
}
