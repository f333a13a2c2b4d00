import BanyanTestSupport
import Foundation

/// Runs the built `banyan` binary.
enum CLI {
    /// The `banyan` executable next to the test bundle.
    static let executable: String = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [beside, beside.deletingLastPathComponent()] {
            let candidate = dir.appendingPathComponent("banyan").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/banyan").path
    }()

    /// Runs `banyan args` with `input` on stdin; never throws on a non-zero exit.
    @discardableResult
    static func run(_ args: [String], input: Data? = nil, in directory: String? = nil,
                    environment: [String: String] = [:]) throws -> GitRunner.Result {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "BANYAN_REPO")
        env.merge(environment) { $1 }
        return try ProcessRunner.run(executable, args, in: directory, input: input, environment: env, check: false)
    }

    /// Runs `banyan -C repo args` and returns stdout text, failing on a non-zero exit.
    @discardableResult
    static func ok(_ repo: String, _ args: [String], input: Data? = nil) throws -> String {
        let result = try run(args + ["-C", repo], input: input)
        guard result.status == 0 else {
            throw ProcessRunner.Failure(command: "banyan " + args.joined(separator: " "), result: result)
        }
        return result.text
    }
}
