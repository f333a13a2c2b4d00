import Foundation

/// One fenced code block of a Markdown file.
struct Fence: Sendable, CustomStringConvertible {
    /// The file, relative to the package root.
    var file: String
    /// The line of the opening fence, 1-based.
    var line: Int
    /// The info string's first word: `swift`, `sh`, `text`, `json`.
    var language: String
    /// The info string's other words: `norun` (a sample no test runs),
    /// `compile` (a Swift sample compiled but not run), `output` (what the
    /// `sh` fence before it prints), `help` (a command's `--help`).
    var modifiers: Set<String>
    /// The lines between the fences, without the fence's indentation.
    var body: String

    var description: String { "\(file):\(line) (```\(([language] + modifiers.sorted()).joined(separator: " ")))" }

    /// A fence the tests compile or run: `swift` and `sh` without `norun`.
    var isChecked: Bool { ["swift", "sh"].contains(language) && !modifiers.contains("norun") }
}

/// The Markdown documentation of the package and its code samples.
enum Docs {
    /// The package root.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every documentation file whose samples are checked, relative to the root.
    static func files() throws -> [String] {
        let guides = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
        let catalogs = ["Banyan", "BanyanSync", "BanyanServer"].map { "Sources/\($0)/\($0).docc/\($0).md" }
        return ["README.md"] + guides + ["Examples/Notes/README.md"] + catalogs
    }

    /// The fences of `file`, in order.
    static func fences(in file: String) throws -> [Fence] {
        let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
        var fences: [Fence] = []
        var open: (line: Int, indent: Int, info: [Substring], body: [Substring])?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let indent = line.prefix { $0 == " " }.count
            let trimmed = line.dropFirst(indent)
            if var current = open {
                if trimmed.hasPrefix("```") && trimmed.allSatisfy({ $0 == "`" || $0 == " " }) {
                    fences.append(Fence(file: file, line: current.line, language: String(current.info.first ?? ""),
                                        modifiers: Set(current.info.dropFirst().map(String.init)),
                                        body: current.body.map { $0 + "\n" }.joined()))
                    open = nil
                } else {
                    current.body.append(line.prefix(current.indent).allSatisfy { $0 == " " } ? line.dropFirst(current.indent) : line)
                    open = current
                }
            } else if trimmed.hasPrefix("```") {
                open = (index + 1, indent, trimmed.dropFirst(3).split(separator: " "), [])
            }
        }
        return fences
    }

    /// The fences of every documentation file.
    static func allFences() throws -> [Fence] {
        try files().flatMap { try fences(in: $0) }
    }
}
