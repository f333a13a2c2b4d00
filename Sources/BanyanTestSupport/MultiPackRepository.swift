import Banyan
import Foundation

/// Bare repositories whose objects real `git` spread over several packs, for
/// the multi-pack-index tests.
public enum MultiPackRepository {
    /// Makes a bare repository of `algorithm` at `path` with `packs` packs
    /// that share no object: each round imports a commit editing a few of
    /// `files` text files as loose objects (`git fast-import`) and packs them
    /// with `git repack -d` (without `-a`, so only the loose objects).
    public static func make(at path: String, algorithm: HashAlgorithm, packs: Int, files: Int = 40) throws {
        try GitRunner.run(["init", "-q", "--bare", "--initial-branch=main", "--object-format=\(algorithm.rawValue)", path])
        for round in 0..<packs { try addPack(to: path, round: round, files: files) }
    }

    /// Commits round `round` of edits on `main` and packs its objects into one new pack.
    public static func addPack(to path: String, round: Int, files: Int = 40) throws {
        var random = SeededRandom(seed: UInt64(round) &+ 7)
        var script = "commit refs/heads/main\ncommitter Pack Test <pack@example.com> \(1_700_000_000 + round) +0000\n"
        script += "data \("round \(round)\n".utf8.count)\nround \(round)\n"
        if round > 0 { script += "from refs/heads/main^0\n" }
        let edited = round == 0 ? Array(0..<files) : (0..<(files / 4)).map { _ in random.below(files) }
        for file in Set(edited).sorted() {
            // Most lines stay as they were, so repack finds deltas against the last round's version.
            let lines = (0..<(20 + file % 13)).map { line in
                (line + round) % 7 == 0
                    ? "file \(file) line \(line) edited in round \(round)"
                    : "file \(file) line \(line): \((file * 7_919 + line * 104_729) % 100_003)"
            }
            let text = lines.joined(separator: "\n") + "\n"
            script += "M 100644 inline dir\(file % 4)/file\(file).txt\ndata \(text.utf8.count)\n\(text)\n"
        }
        // A high unpack limit leaves the objects loose, for repack to pack.
        try GitRunner.run(["-c", "fastimport.unpackLimit=100000", "fast-import", "--quiet"], in: path, input: Data(script.utf8))
        try GitRunner.run(["repack", "-d", "-q"], in: path)
    }

    /// Packs every object of the repository once more, into one new pack
    /// that shares each of them with another pack; returns its name (`pack-<hex>`).
    @discardableResult
    public static func addOverlappingPack(to path: String) throws -> String {
        let objects = try GitRunner.run(["rev-list", "--objects", "--all"], in: path).stdout
        let checksum = try GitRunner.run(["pack-objects", "-q", "objects/pack/pack"], in: path, input: objects).text
        return "pack-" + checksum
    }

    /// The packs (`pack-<hex>`, from their `.idx` files), sorted.
    public static func packNames(in path: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path + "/objects/pack")
            .filter { $0.hasPrefix("pack-") && $0.hasSuffix(".idx") }
            .map { String($0.dropLast(".idx".count)) }
            .sorted()
    }

    /// Sets the modification time of pack `name`'s `.pack` file, which Git
    /// compares to choose among copies of an object.
    public static func setModified(_ seconds: Int, pack name: String, in path: String) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: TimeInterval(seconds))],
                                              ofItemAtPath: "\(path)/objects/pack/\(name).pack")
    }
}
