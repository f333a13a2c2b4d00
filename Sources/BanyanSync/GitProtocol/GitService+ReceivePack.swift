import Banyan

/// Protocol v0 receive-pack: ref update commands, then a pack. Every object
/// is indexed and verified, and the new tips checked to be complete, before
/// any ref moves; each ref moves by compare-and-swap.
extension GitService {
    struct RefCommand {
        var old: ObjectID
        var new: ObjectID
        var name: String
        var error: String?
    }

    /// Runs the ref update `commands` (the request's pkt-lines up to their
    /// flush) with the pack in `pack` (nil: none came); with `refusal`, the
    /// pack was refused on the way in and no ref moves.
    func receivePackV0(commands body: [UInt8], pack: PackSpool?, refusal: String? = nil) throws -> [UInt8] {
        var reader = PktLineReader(body)
        var commands: [RefCommand] = []
        var capabilities = Set<String>()
        while let line = try reader.next() {
            guard case .data(var payload) = line else { break }
            // Capabilities ride on the first command only; a NUL in a later
            // one is part of a name, and no ref name holds a NUL.
            var nulInName = false
            if let nul = payload.firstIndex(of: 0) {
                if commands.isEmpty {
                    capabilities = Set(String(decoding: payload[(nul + 1)...], as: UTF8.self)
                        .split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
                } else {
                    nulInName = true
                }
                payload = Array(payload[..<nul])
            }
            let text = PktLine.data(payload).text ?? ""
            if text.hasPrefix("shallow ") { continue }
            let parts = text.split(separator: " ").map(String.init)
            guard parts.count == 3 else {
                throw BanyanError(.invalidArgument, "bad receive-pack command \(text.debugDescription)")
            }
            var command = RefCommand(old: try objectID(parts[0]), new: try objectID(parts[1]), name: parts[2])
            if nulInName || !RefName.isValid(command.name) || !command.name.hasPrefix("refs/") { command.error = "funny refname" }
            commands.append(command)
        }
        guard !commands.isEmpty else { return [] }

        var unpackStatus = "ok"
        var received = PackIngest.Received(ids: [], byteCount: 0)
        if commands.contains(where: { !$0.new.isZero }) || pack.map({ $0.count > 0 }) == true || refusal != nil {
            do {
                if let refusal { throw BanyanError(.limitExceeded, refusal) }
                if let pack, pack.count > 0 {
                    received = try PackIngest.ingest(pack, into: repository, policy: try repository.fsckPolicy(.receive),
                                                     maxObjectSize: options.maxObjectBytes)
                }
            } catch {
                unpackStatus = (error as? BanyanError)?.message ?? String(describing: error)
                for index in commands.indices where commands[index].error == nil { commands[index].error = "unpacker error" }
            }
        }
        if unpackStatus == "ok" {
            for index in commands.indices where commands[index].error == nil {
                commands[index].error = try check(commands[index], received: received)
            }
            let atomic = capabilities.contains("atomic")
            if atomic, commands.contains(where: { $0.error != nil }) {
                for index in commands.indices where commands[index].error == nil { commands[index].error = "atomic push failed" }
            } else {
                try apply(&commands, atomic: atomic)
            }
        }
        guard capabilities.contains("report-status") else { return [] }
        var report = PktLineWriter()
        try report.line("unpack \(unpackStatus)")
        for command in commands {
            try report.line(command.error.map { "ng \(command.name) \($0)" } ?? "ok \(command.name)")
        }
        report.flush()
        guard capabilities.contains("side-band-64k") || capabilities.contains("side-band") else { return report.bytes }
        var writer = PktLineWriter()
        // Warnings reach the pusher as Git's do: `remote: warning: object 1f2e…: …`.
        for warning in received.warnings {
            SideBand.write(Array("\(warning.transferDescription)\n".utf8), band: .progress, to: &writer)
        }
        SideBand.write(report.bytes, band: .data, to: &writer)
        writer.flush()
        return writer.bytes
    }

    /// Why `command` may not be applied, or nil when it may.
    private func check(_ command: RefCommand, received: PackIngest.Received) throws -> String? {
        let current = try repository.refs.find(command.name)
        let currentID: ObjectID? = if case .direct(let id) = current { id } else { nil }
        if command.old.isZero ? currentID != nil : currentID != command.old {
            return "stale info: the ref is at \(currentID?.hex ?? "nothing"), not \(command.old)"
        }
        if command.new.isZero {
            return options.allowDeletes ? nil : "deletion prohibited"
        }
        do {
            try PackIngest.checkConnected(tips: [command.new], received: received, in: repository)
        } catch {
            return "missing necessary objects"
        }
        if !options.allowNonFastForward, !command.old.isZero, command.name.hasPrefix("refs/heads/") {
            guard (try? repository.isAncestor(command.old, of: command.new)) == true else { return "non-fast-forward" }
        }
        return nil
    }

    /// Moves the refs of the commands that passed their checks; with
    /// `atomic`, a failure part-way puts the refs already moved back.
    private func apply(_ commands: inout [RefCommand], atomic: Bool) throws {
        var applied: [Int] = []
        let committer = Identity.default.signature()
        for index in commands.indices where commands[index].error == nil {
            let command = commands[index]
            do {
                if command.new.isZero {
                    try repository.refs.delete(command.name, expected: .value(command.old))
                } else {
                    let log = ReflogEntry(old: command.old, new: command.new, committer: committer, message: "push")
                    try repository.refs.compareAndSwap(command.name, expected: command.old.isZero ? .absent : .value(command.old),
                                                       new: command.new, log: log)
                }
                applied.append(index)
            } catch {
                commands[index].error = "failed to update ref: \((error as? BanyanError)?.message ?? "\(error)")"
                if atomic { break }
            }
        }
        guard atomic, applied.count < commands.count else { return }
        for index in applied.reversed() {
            let command = commands[index]
            if command.old.isZero {
                try? repository.refs.delete(command.name, expected: .value(command.new))
            } else {
                try? repository.refs.compareAndSwap(command.name, expected: command.new.isZero ? .absent : .value(command.new),
                                                    new: command.old, log: nil)
            }
            commands[index].error = "atomic push failed"
        }
        for index in commands.indices where commands[index].error == nil { commands[index].error = "atomic push failed" }
    }
}
