import Banyan

/// Protocol v2 upload-pack: the capability advertisement, `ls-refs` and `fetch`.
extension GitService {
    func capabilitiesV2() -> [String] {
        ["version 2", "agent=\(Self.agent)", "ls-refs=unborn", "fetch=shallow filter", "server-option",
         "object-format=\(objectFormat)"]
    }

    func uploadPackV2(_ body: [UInt8], into response: UploadPackResponse) throws {
        var reader = PktLineReader(body)
        let head = try reader.section()
        var command: String?
        for line in head.lines {
            let text = PktLine.data(line).text ?? ""
            if text.hasPrefix("command=") { command = String(text.dropFirst("command=".count)) }
            if text.hasPrefix("object-format="), text != "object-format=\(objectFormat)" {
                throw BanyanError(.unsupported, "the client's \(text) does not match this repository's \(objectFormat)")
            }
        }
        guard let command else {
            if head.lines.isEmpty { return }
            throw BanyanError(.invalidArgument, "protocol v2 request without a command")
        }
        var arguments: [String] = []
        if head.end == .delim {
            let rest = try reader.section()
            arguments = rest.lines.map { PktLine.data($0).text ?? "" }
        }
        switch command {
        case "ls-refs": try response.send(try lsRefs(arguments))
        case "fetch": try fetchV2(arguments, into: response)
        default: throw BanyanError(.unsupported, "unknown protocol v2 command \(command.debugDescription)")
        }
    }

    private func lsRefs(_ arguments: [String]) throws -> PktLineWriter {
        var symrefs = false, peel = false, unborn = false
        var prefixes: [String] = []
        for argument in arguments {
            switch argument {
            case "symrefs": symrefs = true
            case "peel": peel = true
            case "unborn": unborn = true
            default:
                if argument.hasPrefix("ref-prefix ") { prefixes.append(String(argument.dropFirst("ref-prefix ".count))) }
            }
        }
        func wanted(_ name: String) -> Bool { prefixes.isEmpty || prefixes.contains { name.hasPrefix($0) } }
        var writer = PktLineWriter()
        let (head, refs) = try advertisedRefs()
        if wanted("HEAD") {
            let symref = symrefs ? head.target.map { " symref-target:\($0)" } ?? "" : ""
            if let id = head.id {
                try writer.line("\(id) HEAD\(symref)")
            } else if unborn, head.target != nil {
                try writer.line("unborn HEAD\(symref)")
            }
        }
        for ref in refs where wanted(ref.name) {
            var line = "\(ref.id) \(ref.name)"
            if peel, let peeled = try peeled(ref.id) { line += " peeled:\(peeled)" }
            try writer.line(line)
        }
        writer.flush()
        return writer
    }

    private func fetchV2(_ arguments: [String], into response: UploadPackResponse) throws {
        var request = FetchRequest()
        for argument in arguments {
            let parts = argument.split(separator: " ", maxSplits: 1).map(String.init)
            let value = parts.count > 1 ? parts[1] : ""
            switch parts.first ?? "" {
            case "want": request.wants.append(try objectID(value))
            case "have": request.haves.append(try objectID(value))
            case "shallow": request.clientShallow.insert(try objectID(value))
            case "deepen": request.depth = try depth(value)
            case "done": request.done = true
            case "thin-pack": request.thin = true
            case "ofs-delta": request.ofsDelta = true
            case "no-progress": request.progress = false
            case "include-tag": request.includeTag = true
            case "deepen-relative": request.deepenRelative = true
            case "filter": request.filter = try ObjectFilter(parsing: value)
            case "deepen-since", "deepen-not", "want-ref", "packfile-uris":
                throw BanyanError(.unsupported, "fetch argument \(parts[0].debugDescription) is not supported by this server")
            default: break
            }
        }
        try checkWants(request.wants)
        let common = try request.haves.filter { try repository.objects.contains($0) }
        var writer = PktLineWriter()
        if !request.done {
            try writer.line("acknowledgments")
            if common.isEmpty { try writer.line("NAK") }
            for id in common { try writer.line("ACK \(id)") }
            guard !common.isEmpty else {
                writer.flush()
                return try response.send(writer)
            }
            try writer.line("ready")
            writer.delim()
        }
        let selection = try selectPack(request, common: common)
        if request.depth != nil || !request.clientShallow.isEmpty {
            try writer.line("shallow-info")
            for id in selection.shallow { try writer.line("shallow \(id)") }
            if request.depth != nil {
                for id in selection.unshallow { try writer.line("unshallow \(id)") }
            }
            writer.delim()
        }
        try writer.line("packfile")
        if request.progress {
            SideBand.write(Array("Enumerating objects: \(selection.objects.count), done.\n".utf8), band: .progress, to: &writer)
        }
        try response.send(writer)
        try writePack(selection, request) { try response.sendPack($0, sideBand: SideBand.maxChunk) }
        var end = PktLineWriter()
        end.flush()
        try response.send(end)
    }

    func objectID(_ hex: String) throws -> ObjectID {
        guard let id = ObjectID(hex: hex), id.algorithm == repository.hashAlgorithm else {
            throw BanyanError(.invalidObjectID, "\(hex.debugDescription) is not a \(objectFormat) object id")
        }
        return id
    }

    func depth(_ text: String) throws -> Int {
        guard let depth = Int(text), depth > 0 else {
            throw BanyanError(.invalidArgument, "deepen \(text.debugDescription) is not a positive depth")
        }
        return depth
    }

    /// Refuses wants that are not objects of this repository, as Git's `allowAnySHA1InWant` does.
    func checkWants(_ wants: [ObjectID]) throws {
        for want in wants where try !repository.objects.contains(want) {
            throw BanyanError(.objectNotFound, "upload-pack: not our ref \(want)")
        }
    }
}

/// What a fetch asked for, in either protocol version.
struct FetchRequest {
    var wants: [ObjectID] = []
    var haves: [ObjectID] = []
    var clientShallow = Set<ObjectID>()
    var depth: Int?
    var done = false
    var thin = false
    var ofsDelta = false
    var progress = true
    var includeTag = false
    var deepenRelative = false
    /// The trees and blobs to leave out (a partial clone's `filter`).
    var filter: ObjectFilter?
}

extension GitService {
    /// What a fetch gets: the walk's selection.
    func selectPack(_ request: FetchRequest, common: [ObjectID]) throws -> ObjectWalk.Selection {
        let tags = request.includeTag ? try repository.refs.list(prefix: "refs/tags/").map(\.id) : []
        return try ObjectWalk(repository: repository).select(
            wants: request.wants, haves: common, depth: request.depth, receiverShallow: request.clientShallow,
            deepenRelative: request.deepenRelative, thin: request.thin, includeTags: tags, filter: request.filter)
    }

    /// Writes the pack of `selection`, handing it to `deliver` in pieces as
    /// it is written. Stored entries are copied; only objects without one
    /// are loaded.
    func writePack(_ selection: ObjectWalk.Selection, _ request: FetchRequest, deliver: @escaping ([UInt8]) throws -> Void) throws {
        let objects = repository.objects
        let bases = try selection.bases.compactMap { id in try objects.find(id).map { PackWriter.Item($0, id: id) } }
        let named = selection.objects.map { PackWriter.Named(id: $0.id, kind: $0.kind, nameHint: $0.nameHint) }
        _ = try PackWriter.write(
            named: named, algorithm: repository.hashAlgorithm, baseItems: bases,
            options: PackWriter.Options(useRefDeltas: !request.ofsDelta), reuse: repository.storedEntries ?? { _ in nil },
            destination: .stream(deliver)
        ) { try objects.get($0) }
    }
}
