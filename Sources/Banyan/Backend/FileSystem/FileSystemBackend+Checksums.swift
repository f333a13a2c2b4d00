import BanyanCore

extension FileSystemBackend: ChecksummedStore {
    /// Hashes every pack and pack index of `objects/pack` against its trailer.
    public func verifyChecksums() throws -> [String] {
        var problems: [String] = []
        for (name, reader) in try packs.refreshByName().sorted(by: { $0.key < $1.key }) {
            let base = path + "/objects/pack/" + name
            do { try reader.index.verifyChecksum() } catch let error as BanyanError {
                problems.append("\(base).idx: \(error.message)")
            }
            do { try reader.verifyChecksum() } catch let error as BanyanError {
                problems.append("\(base).pack: \(error.message)")
            }
        }
        return problems
    }
}
