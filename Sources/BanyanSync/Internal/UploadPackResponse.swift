import Banyan

/// An upload-pack response on its way out. What comes before the pack is
/// gathered; once the pack flows, the response goes to `deliver` in pieces
/// of at least `pieceSize` bytes as they are written. Until the first piece
/// leaves, the response can still be replaced by an error.
final class UploadPackResponse {
    private let deliver: ([UInt8]) throws -> Void
    private let pieceSize: Int
    private var pending: [UInt8] = []
    /// True once some of the response went to `deliver`.
    private(set) var started = false

    init(pieceSize: Int = 1 << 16, deliver: @escaping ([UInt8]) throws -> Void) {
        self.pieceSize = pieceSize
        self.deliver = deliver
    }

    /// Adds pkt-line framed bytes to the response.
    func send(_ writer: PktLineWriter) throws {
        pending.append(contentsOf: writer.bytes)
        if pending.count >= pieceSize { try handOn() }
    }

    /// Adds the pack's `bytes`, framed on side band 1 when `sideBand` gives
    /// the packet size, as they are (protocol v0 without side band) when nil.
    func sendPack(_ bytes: [UInt8], sideBand: Int?) throws {
        guard let sideBand else {
            pending.append(contentsOf: bytes)
            if pending.count >= pieceSize { try handOn() }
            return
        }
        var writer = PktLineWriter()
        SideBand.write(bytes, band: .data, to: &writer, chunk: sideBand)
        try send(writer)
    }

    /// Drops what was not handed on yet (to answer with an error instead).
    func discard() {
        pending = []
    }

    /// Hands on the rest of the response.
    func finish() throws {
        if !pending.isEmpty { try handOn() }
    }

    private func handOn() throws {
        started = true
        let piece = pending
        pending = []
        try deliver(piece)
    }
}
