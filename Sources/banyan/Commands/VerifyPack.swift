import ArgumentParser
import Banyan
import Foundation

struct VerifyPack: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-pack",
        abstract: "Check a pack and its index, like git verify-pack.",
        discussion: """
            Checks the pack's trailer checksum, every object's hash (deltas resolved), that the \
            index lists exactly the pack's objects at their offsets, and every CRC-32. PACK is the \
            .pack or .idx file; the hash function is detected. Exits 1 naming the first problem. \
            With -v, lists objects as '<id> <type> <size> <size-in-pack> <offset> [<depth> <base>]' \
            and a histogram of delta chain lengths, as git does.
            """)

    @Flag(name: [.short, .long], help: "List every object and the chain-length histogram.")
    var verbose = false

    @Argument(help: "The pack (.pack or .idx).")
    var pack: String

    func run() throws {
        let base = pack.hasSuffix(".pack") || pack.hasSuffix(".idx")
            ? String(pack[..<pack.lastIndex(of: ".")!]) : pack
        let report: PackVerifier.Report
        do {
            let packData = try Data(contentsOf: URL(fileURLWithPath: base + ".pack"), options: .alwaysMapped)
            let indexData = try Data(contentsOf: URL(fileURLWithPath: base + ".idx"), options: .alwaysMapped)
            report = try packData.withUnsafeBytes { pack in
                try indexData.withUnsafeBytes { try PackVerifier.verify(pack: pack, index: $0) }
            }
        } catch let error as BanyanError {
            Output.error("\(base).pack: \(error.description)")
            throw ExitCode(1)
        } catch {
            Output.error("\(base).pack: cannot read the pack and its index: \(error.localizedDescription)")
            throw ExitCode(1)
        }
        guard verbose else { return }
        var out = ""
        for object in report.objects {
            let kind = object.kind.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)
            out += "\(object.id.hex) \(kind) \(object.size) \(object.sizeInPack) \(object.offset)"
            if let base = object.base { out += " \(object.depth) \(base.hex)" }
            out += "\n"
        }
        if report.nonDeltaCount > 0 { out += "non delta: \(Self.objects(report.nonDeltaCount))\n" }
        for (length, count) in report.chainLengths { out += "chain length = \(length): \(Self.objects(count))\n" }
        out += "\(base).pack: ok\n"
        Output.write(Data(out.utf8))
    }

    private static func objects(_ count: Int) -> String {
        count == 1 ? "1 object" : "\(count) objects"
    }
}
