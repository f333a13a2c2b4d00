import BanyanTestSupport
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
        var environment = GitRunner.baseEnvironment
        if let gitDirectory { environment["GIT_DIR"] = gitDirectory }
        let result = try ProcessRunner.run("/usr/bin/env", command, input: input.map { Data($0.utf8) },
                                           environment: environment, check: false)
        return (result.status, String(decoding: result.stdout, as: UTF8.self), result.stderr)
    }
}
