import Foundation

/// Turns the `swift` fences of the documentation into a test source file
/// (`DocSamples.generated.swift`): one `@Test` per sample, its body the
/// sample as written. Imports move to the top of the file; a path in a
/// string literal that starts with `/tmp/` is moved into a fresh temporary
/// directory, so samples can show plain paths and still run side by side.
enum SwiftSamples {
    /// The checked-in file the samples must match.
    static let generatedFile = Docs.root.appendingPathComponent("Tests/CLITests/Docs/DocSamples.generated.swift")

    /// The test file for `fences` (the runnable `swift` ones are used).
    static func source(for fences: [Fence]) -> String {
        var imports: Set<String> = ["Testing"]
        var tests: [String] = []
        var counts: [String: Int] = [:]
        for fence in fences where fence.language == "swift" && fence.isChecked {
            var body: [String] = []
            for line in fence.body.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                if line.hasPrefix("import ") { imports.insert(String(line.dropFirst(7))) } else { body.append(String(line)) }
            }
            while body.first?.isEmpty == true { body.removeFirst() }
            var text = body.joined(separator: "\n")
            if text.contains("\"/tmp/") {
                imports.insert("BanyanTestSupport")
                text = "let scratch = TemporaryDirectory(\"banyan-doc-sample\")\n"
                    + text.replacingOccurrences(of: "\"/tmp/", with: "\"\\(scratch.path)/")
            }
            counts[fence.file, default: 0] += 1
            let name = fence.file.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined() + "_\(counts[fence.file]!)"
            let indented = text.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? "" : "        " + $0 }.joined(separator: "\n")
            let compileOnly = fence.modifiers.contains("compile")
            tests.append("""
                    /// \(fence.file), line \(fence.line)\(compileOnly ? ": compiled, not run" : "").
                    \(compileOnly ? "" : "@Test ")func \(name)() async throws {
                \(indented)
                    }
                """)
        }
        return """
            // Generated from the `swift` fences of README.md, docs/*.md, Examples/Notes/README.md and the DocC catalogs
            // by DocSampleTests; do not edit. After changing a sample, regenerate with
            // BANYAN_UPDATE_DOC_SAMPLES=1 swift test --filter DocSampleTests
            \(imports.sorted().map { "import \($0)" }.joined(separator: "\n"))

            @Suite("Doc samples (Swift)")
            struct DocSwiftSamples {
            \(tests.joined(separator: "\n\n"))
            }

            """
    }
}
