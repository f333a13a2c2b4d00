import ArgumentParser
import Banyan
import Foundation

struct CatFile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat-file",
        abstract: "Show an object's type, size or content, like git cat-file.",
        discussion: """
            --batch and --batch-check read one object name (any revision) per line from \
            standard input; their output is byte-identical to git's, including '<name> missing' lines.
            """)

    @Flag(name: .customShort("t"), help: "Print the object's type.") var type = false
    @Flag(name: .customShort("s"), help: "Print the object's size.") var size = false
    @Flag(name: .customShort("p"), help: "Pretty-print the object's content.") var pretty = false
    @Flag(help: "Print '<id> <type> <size>' and the content for each name on stdin.") var batch = false
    @Flag(help: "Print '<id> <type> <size>' for each name on stdin.") var batchCheck = false
    @Argument(help: "The object (any revision).") var object: String?
    @OptionGroup var repository: RepositoryOptions

    func validate() throws {
        let modes = [type, size, pretty, batch, batchCheck].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("give exactly one of -t, -s, -p, --batch, --batch-check") }
        if (batch || batchCheck) != (object == nil) {
            throw ValidationError(object == nil ? "name the object to show" : "--batch modes read names from stdin, not arguments")
        }
    }

    func run() throws {
        let repo = try repository.open()
        if batch || batchCheck {
            try runBatch(repo, withContent: batch)
            return
        }
        let raw = try repo.objects.get(try repo.resolve(object ?? ""))
        if type { Output.line(raw.kind.rawValue) }
        if size { Output.line(String(raw.body.count)) }
        if pretty { Output.write(try Self.prettyPrinted(raw, in: repo)) }
    }

    /// Git's -p: trees as `mode type id<TAB>name` lines, everything else raw.
    static func prettyPrinted(_ raw: RawObject, in repo: Repository) throws -> [UInt8] {
        guard raw.kind == .tree else { return raw.body }
        var out: [UInt8] = []
        for entry in try Tree(decoding: raw.body, algorithm: repo.hashAlgorithm).entries {
            let mode = String(repeating: "0", count: max(0, 6 - entry.mode.octal.count)) + entry.mode.octal
            out.append(contentsOf: "\(mode) \(entry.mode.objectKind.rawValue) \(entry.id.hex)\t".utf8)
            out.append(contentsOf: entry.name)
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }

    private func runBatch(_ repo: Repository, withContent: Bool) throws {
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        let input = FileHandle.standardInput.readDataToEndOfFile()
        var lines = input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        for line in lines {
            let name = String(decoding: line, as: UTF8.self)
            let raw: RawObject
            let id: ObjectID
            do {
                id = try repo.resolve(name)
                raw = try repo.objects.get(id)
            } catch let error as BanyanError where error.code == .ambiguousRevision {
                out.append(contentsOf: "\(name) ambiguous\n".utf8)
                continue
            } catch {
                out.append(contentsOf: "\(name) missing\n".utf8)
                continue
            }
            out.append(contentsOf: "\(id.hex) \(raw.kind.rawValue) \(raw.body.count)\n".utf8)
            if withContent {
                out.append(contentsOf: raw.body)
                out.append(UInt8(ascii: "\n"))
            }
            if out.count >= 1 << 16 {
                Output.write(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        Output.write(out)
    }
}
