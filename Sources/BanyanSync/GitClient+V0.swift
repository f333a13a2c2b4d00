import Banyan

/// Protocol v0 fetch, for servers that do not speak v2: one request with
/// every `have` and `done`, answered by one ACK or NAK and the pack.
extension GitClient {
    /// The upload-pack v0 advertisement: refs, HEAD's target and capabilities.
    func uploadPackAdvertisementV0() async throws -> (refs: RemoteRefs, capabilities: Set<String>) {
        let bytes = try await transport.advertisement(service: .uploadPack, version2: false)
        let (advertised, capabilities) = try parseV0Advertisement(bytes)
        var result = RemoteRefs(refs: [], headTarget: nil, head: nil)
        for (name, id) in advertised {
            if name == "HEAD" {
                result.head = id
            } else if name.hasSuffix("^{}") {
                let peeledName = String(name.dropLast(3))
                if let index = result.refs.firstIndex(where: { $0.name == peeledName }) { result.refs[index].peeled = id }
            } else {
                result.refs.append(RemoteRef(name: name, id: id, peeled: nil))
            }
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
