import Foundation

/// The repositories `Fixtures/make-pack-fixtures.sh` made with real `git`
/// (`Fixtures/repos/*.git`), for tests that read, repack and bundle them.
public enum PackFixtures {
    /// `Fixtures/repos` in the source tree.
    public static let directory: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/repos").path

    /// The fixture names (`sha1-gc.git`, …), sorted.
    public static let names: [String] = {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return entries.filter { $0.hasSuffix(".git") }.sorted()
    }()

    /// Copies fixture `name` to `<parent>/<name>` and returns the copy's path,
    /// so a test can write to it (the originals stay as git made them).
    public static func copy(_ name: String, into parent: String) throws -> String {
        let target = parent + "/" + name
        try FileManager.default.copyItem(atPath: directory + "/" + name, toPath: target)
        return target
    }
}
