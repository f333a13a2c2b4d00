import Banyan

/// Protocol v0 fetch, for servers that do not speak v2: one request with
/// every `have` and `done`, answered by one ACK or NAK and the pack.
extension GitClient {
    /// The upload-pack v0 advertisement: refs, HEAD's target and capabilities.
    func uploadPackAdvertisementV0() async throws -> (refs: RemoteRefs, capabilities: Set<String>) {
        let bytes = try await transport.advertisement(service: .uploadPack, version2: false)
        var reader = PktLineReader(bytes)
        var result = RemoteRefs(refs: [], headTarget: nil, head: nil)
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
            if words[1] == "HEAD" { result.head = id; continue }
            if words[1].hasSuffix("^{}") {
                let name = String(words[1].dropLast(3))
                if let index = result.refs.firstIndex(where: { $0.name == name }) { result.refs[index].peeled = id }
                continue
            }
            result.refs.append(RemoteRef(name: words[1], id: id, peeled: nil))
        }
        if let symref = capabilities.first(where: { $0.hasPrefix("symref=HEAD:") }) {
            result.headTarget = String(symref.dropFirst("symref=HEAD:".count))
        }
        return (result, capabilities)
    }

    /// A v0 fetch of `wants` in one round; returns the pack.
    func fetchPackV0(wants: [ObjectID], capabilities: Set<String>, haves: [ObjectID]) async throws -> [UInt8] {
        var wanted = ["ofs-delta", "agent=\(GitService.agent)"]
        for capability in ["side-band-64k", "thin-pack", "include-tag"] where capabilities.contains(capability) {
            wanted.append(capability)
        }
        if progress == nil, capabilities.contains("no-progress") { wanted.append("no-progress") }
        var writer = PktLineWriter()
        for (index, want) in wants.enumerated() {
            try writer.line(index == 0 ? "want \(want) \(wanted.joined(separator: " "))" : "want \(want)")
        }
        writer.flush()
        for have in haves { try writer.line("have \(have)") }
        try writer.line("done")
        let response = try await transport.exchange(service: .uploadPack, body: writer.bytes, version2: false)
        var reader = PktLineReader(response)
        while true {
            let start = reader.position
            guard let line = try reader.next() else { return [] }
            guard let text = line.text else { continue }
            if text.hasPrefix("ERR ") { throw BanyanError(.io, "remote error: \(text.dropFirst(4))") }
            if text == "NAK" || text.hasPrefix("ACK ") { continue }
            reader = PktLineReader(response, position: start)
            break
        }
        guard capabilities.contains("side-band-64k") else { return Array(reader.remaining) }
        return try SideBand.demultiplex(&reader) { progress?($0) }
    }
}
