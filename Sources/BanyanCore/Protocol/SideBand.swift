/// Git's side-band-64k multiplexing: each pkt-line's first byte names a
/// band (1 data, 2 progress, 3 fatal error), the rest is that band's bytes.
public enum SideBand {
    /// The band of a side-band packet.
    public enum Band: UInt8, Sendable {
        /// The payload (pack data or a nested report).
        case data = 1
        /// Progress text for the person watching.
        case progress = 2
        /// A fatal error message; the stream ends after it.
        case error = 3
    }

    /// The most payload one side-band-64k packet carries (65515 bytes).
    public static let maxChunk = PktLine.maxPayload - 1

    /// Appends `bytes` on `band` to `writer`, split into packets of at most `maxChunk` bytes.
    public static func write(_ bytes: some Collection<UInt8>, band: Band, to writer: inout PktLineWriter, chunk: Int = maxChunk) {
        var start = bytes.startIndex
        let size = max(1, min(chunk, maxChunk))
        while start != bytes.endIndex {
            let end = bytes.index(start, offsetBy: size, limitedBy: bytes.endIndex) ?? bytes.endIndex
            var payload: [UInt8] = [band.rawValue]
            payload.append(contentsOf: bytes[start..<end])
            // Cannot throw: the payload is at most maxPayload bytes by construction.
            try? writer.data(payload)
            start = end
        }
    }

    /// Reads side-band packets from `reader` up to a flush (or the end of
    /// the buffer when `untilEnd`), returning the data band's bytes and
    /// passing progress text to `progress`.
    ///
    /// Throws `io` with the remote's message for a band-3 packet, and
    /// `corruptObject` for an empty packet or an unknown band.
    public static func demultiplex(
        _ reader: inout PktLineReader, progress: (String) -> Void = { _ in }
    ) throws -> [UInt8] {
        var data: [UInt8] = []
        while let line = try reader.next() {
            guard case .data(let payload) = line else {
                if line == .flush { return data }
                continue
            }
            guard let first = payload.first else {
                throw BanyanError(.corruptObject, "empty side-band packet")
            }
            switch Band(rawValue: first) {
            case .data: data.append(contentsOf: payload.dropFirst())
            case .progress: progress(String(decoding: payload.dropFirst(), as: UTF8.self))
            case .error:
                let message = String(decoding: payload.dropFirst(), as: UTF8.self)
                throw BanyanError(.io, "remote error: \(message.trimmingSuffix())")
            case nil:
                throw BanyanError(.corruptObject, "side-band packet on unknown band \(first)")
            }
        }
        return data
    }
}

extension String {
    func trimmingSuffix() -> String {
        var text = self
        while let last = text.last, last == "\n" || last == "\r" || last == " " { text.removeLast() }
        return text
    }
}
