import Foundation

/// Runs `body` with the path of a fresh temporary directory, removed afterwards.
///
/// A closure rather than an object with `deinit`, because Swift may release
/// an object after its last use, before the test is done with the directory.
func withTemporaryDirectory<R>(_ body: (String) throws -> R) throws -> R {
    var template = Array((NSTemporaryDirectory() + "/banyan-test-XXXXXX").utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        throw GitFailure(description: "mkdtemp failed: errno \(errno)")
    }
    let path = String(cString: made)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// A failed `git` command, with its output.
struct GitFailure: Error, CustomStringConvertible {
    let description: String
}

/// Runs the real `git` against one repository, with a fixed identity and no
/// user or system configuration, so results do not depend on the machine.
struct Git {
    /// The repository (`GIT_DIR`), or nil for commands that need none.
    let gitDirectory: String?

    init(_ gitDirectory: String?) {
        self.gitDirectory = gitDirectory
    }

    /// Runs `git <arguments>` and returns its standard output; throws `GitFailure` on a non-zero exit.
    @discardableResult
    func callAsFunction(_ arguments: String..., input: String? = nil) throws -> String {
        let result = try run(["git"] + arguments, input: input)
        guard result.status == 0 else {
            throw GitFailure(description: "git \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)\(result.stdout)")
        }
        return result.stdout
    }

    /// Runs `command` (argv, looked up in PATH) in this environment and returns its exit status and output.
    func run(_ command: [String], input: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_AUTHOR_NAME"] = "Test Author"
        environment["GIT_AUTHOR_EMAIL"] = "author@example.com"
        environment["GIT_AUTHOR_DATE"] = "1700000000 +0000"
        environment["GIT_COMMITTER_NAME"] = "Test Committer"
        environment["GIT_COMMITTER_EMAIL"] = "committer@example.com"
        environment["GIT_COMMITTER_DATE"] = "1700000000 +0000"
        if let gitDirectory { environment["GIT_DIR"] = gitDirectory }
        process.environment = environment
        // Standard error goes to a file, so that neither it nor standard output can fill a pipe and stall git.
        let errorPath = NSTemporaryDirectory() + "/banyan-git-stderr-" + UUID().uuidString
        guard FileManager.default.createFile(atPath: errorPath, contents: nil),
              let errorFile = FileHandle(forWritingAtPath: errorPath)
        else { throw GitFailure(description: "cannot create \(errorPath)") }
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = errorFile
        try process.run()
        try errorFile.close()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = FileManager.default.contents(atPath: errorPath) ?? Data()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }
}
