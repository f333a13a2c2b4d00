import Banyan
import Foundation

/// The repository's `shallow` file: commits whose parents it lacks, one hex id a line, as Git keeps it.
struct ShallowFile {
    let repository: Repository

    private var path: String? { repository.path.map { $0 + "/shallow" } }

    func read() throws -> Set<ObjectID> {
        guard let path, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return Set(text.split(separator: "\n").compactMap { ObjectID(hex: $0) })
    }

    func write(_ ids: Set<ObjectID>) throws {
        guard let path else { return }
        if ids.isEmpty {
            try? FileManager.default.removeItem(atPath: path)
            return
        }
        let text = ids.sorted().map { $0.hex + "\n" }.joined()
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw BanyanError(.io, "cannot write \(path)", cause: error)
        }
    }
}
