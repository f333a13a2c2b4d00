import Banyan

/// Protocol v0 upload-pack over stateless HTTP, for clients that do not speak v2.
extension GitService {
    var uploadPackCapabilitiesV0: String {
        "multi_ack_detailed multi_ack side-band-64k side-band thin-pack ofs-delta shallow no-progress include-tag filter "
            + "allow-tip-sha1-in-want allow-reachable-sha1-in-want symref=HEAD:\(headTargetForCapability) "
            + "object-format=\(objectFormat) agent=\(Self.agent)"
    }

    var receivePackCapabilitiesV0: String {
        "report-status delete-refs side-band-64k quiet atomic ofs-delta object-format=\(objectFormat) agent=\(Self.agent)"
    }

    private var headTargetForCapability: String {
        ((try? repository.refs.headTarget()) ?? nil) ?? "refs/heads/main"
    }

    /// The v0 ref advertisement: the first line carries the capabilities after a NUL.
    func advertiseRefsV0(service: Service, into writer: inout PktLineWriter) throws {
        let capabilities = service == .uploadPack ? uploadPackCapabilitiesV0 : receivePackCapabilitiesV0
        let (head, refs) = try advertisedRefs()
        var lines: [String] = []
        if service == .uploadPack, let id = head.id { lines.append("\(id) HEAD") }
        for ref in refs {
            lines.append("\(ref.id) \(ref.name)")
            if service == .uploadPack, let peeled = try peeled(ref.id) { lines.append("\(peeled) \(ref.name)^{}") }
        }
        if lines.isEmpty { lines.append("\(ObjectID.zero(repository.hashAlgorithm)) capabilities^{}") }
        for (index, line) in lines.enumerated() {
            var payload = Array(line.utf8)
            if index == 0 { payload += [0] + Array(capabilities.utf8) }
            payload.append(0x0A)
            try writer.data(payload)
        }
        writer.flush()
    }

    func uploadPackV0(_ body: [UInt8], into response: UploadPackResponse) throws {
        var reader = PktLineReader(body)
        var request = FetchRequest()
        var capabilities = Set<String>()
        let wants = try reader.section()
        for (index, payload) in wants.lines.enumerated() {
            var text = PktLine.data(payload).text ?? ""
            if index == 0 {
                let words = text.split(separator: " ").map(String.init)
                if words.count > 2 {
                    capabilities = Set(words.dropFirst(2))
                    text = words.prefix(2).joined(separator: " ")
                }
            }
            let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
            let value = parts.count > 1 ? parts[1] : ""
            switch parts.first ?? "" {
            case "want": request.wants.append(try objectID(value))
            case "shallow": request.clientShallow.insert(try objectID(value))
            case "deepen": request.depth = try depth(value)
            case "filter": request.filter = try ObjectFilter(parsing: value)
            case "deepen-since", "deepen-not":
                throw BanyanError(.unsupported, "\(parts[0]) is not supported by this server")
            default: break
            }
        }
        guard !request.wants.isEmpty else { return }
        request.thin = capabilities.contains("thin-pack")
        request.ofsDelta = capabilities.contains("ofs-delta")
        request.progress = !capabilities.contains("no-progress")
        request.includeTag = capabilities.contains("include-tag")
        let sideBand = capabilities.contains("side-band-64k") || capabilities.contains("side-band")
        let detailed = capabilities.contains("multi_ack_detailed")
        let multiAck = detailed || capabilities.contains("multi_ack")
        try checkWants(request.wants)

        var writer = PktLineWriter()
        var common: [ObjectID] = []
        var sawHaves = false
        while let line = try reader.next() {
            guard let text = line.text else { continue }
            if text == "done" { request.done = true; break }
            guard text.hasPrefix("have ") else { continue }
            sawHaves = true
            let id = try objectID(String(text.dropFirst(5)))
            guard try repository.objects.contains(id) else { continue }
            common.append(id)
            if detailed { try writer.line("ACK \(id) common") } else if multiAck { try writer.line("ACK \(id) continue") }
            else if common.count == 1 { try writer.line("ACK \(id)") }
        }
        var prefix = PktLineWriter()
        if request.depth != nil || !request.clientShallow.isEmpty {
            let plan = try ObjectWalk(repository: repository).plan(
                wants: request.wants, haves: common, depth: request.depth, receiverShallow: request.clientShallow)
            for id in plan.shallow { try prefix.line("shallow \(id)") }
            prefix.flush()
        }
        prefix.raw(writer.bytes)
        writer = prefix
        guard request.done else {
            if detailed, let last = common.last { try writer.line("ACK \(last) ready") }
            if !sawHaves || multiAck { try writer.line("NAK") }
            return try response.send(writer)
        }
        if let last = common.last, multiAck { try writer.line("ACK \(last)") } else if common.isEmpty { try writer.line("NAK") }
        let selection = try selectPack(request, common: common)
        let sideBandSize = sideBand ? (capabilities.contains("side-band-64k") ? SideBand.maxChunk : 999) : nil
        if sideBand, request.progress {
            SideBand.write(Array("Enumerating objects: \(selection.objects.count), done.\n".utf8), band: .progress, to: &writer)
        }
        try response.send(writer)
        try writePack(selection, request) { try response.sendPack($0, sideBand: sideBandSize) }
        if sideBand {
            var end = PktLineWriter()
            end.flush()
            try response.send(end)
        }
    }
}
