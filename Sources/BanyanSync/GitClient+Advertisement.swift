import Banyan

extension GitClient {
    /// Parses a protocol v0 ref advertisement (upload-pack or receive-pack):
    /// the `# service=` banner, the first ref line's capabilities after NUL,
    /// then `<id> <name>` lines, in order. The `capabilities^{}` placeholder
    /// of an empty repository is left out.
    ///
    /// Throws `io` for an `ERR` line from the remote, `corruptObject` for a
    /// line that is not `<id> <name>`.
    func parseV0Advertisement(_ bytes: [UInt8]) throws -> (refs: [(name: String, id: ObjectID)], capabilities: Set<String>) {
        var reader = PktLineReader(bytes)
        var refs: [(name: String, id: ObjectID)] = []
        var capabilities = Set<String>()
        var sawRef = false
        while let line = try reader.next() {
            guard case .data(var payload) = line else {
                if sawRef { break }
                continue
            }
            if !sawRef, let nul = payload.firstIndex(of: 0) {
                capabilities = Set(String(decoding: payload[(nul + 1)...], as: UTF8.self)
                    .split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
                payload = Array(payload[..<nul])
            }
            let text = PktLine.data(payload).text ?? ""
            if text.hasPrefix("# service=") { continue }
            if text.hasPrefix("ERR ") { throw BanyanError(.io, "remote error: \(text.dropFirst(4))") }
            sawRef = true
            let words = text.split(separator: " ", maxSplits: 1).map(String.init)
            guard words.count == 2 else { throw BanyanError(.corruptObject, "bad ref advertisement line \(text.debugDescription)") }
            let id = try parseID(words[0])
            if words[1] == "capabilities^{}" { continue }
            refs.append((words[1], id))
        }
        return (refs, capabilities)
    }
}
