import Banyan

/// A protocol v2 fetch response taken in as it arrives. The sections before
/// `packfile` (acknowledgments, shallow-info) are small and kept whole; the
/// packfile section's side-band packets are demultiplexed as soon as each is
/// complete, the pack's bytes going straight into `pack`, progress text to
/// `progress`. Memory holds at most one network read and one packet.
final class FetchResponseStream {
    /// Where the pack goes.
    let pack: PackSpool
    private let progress: ((String) -> Void)?
    /// The response up to and including the `packfile` line, once seen.
    private(set) var head: [UInt8]?
    /// Bytes not consumed yet: the whole response before `packfile`, a partial packet after it.
    private var pending: [UInt8] = []
    /// True once the packfile section's closing flush arrived.
    private var ended = false

    init(pack: PackSpool, progress: ((String) -> Void)?) {
        self.pack = pack
        self.progress = progress
    }

    /// Takes the next piece of the response.
    ///
    /// Throws what `SideBand.demultiplex` throws (the remote's band-3
    /// error, a bad packet) and what the spool throws.
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard !ended else { return }
        pending.append(contentsOf: bytes)
        if head == nil {
            let packfile = Array("packfile\n".utf8)
            guard let end = PktLineScan.find(in: pending[...], where: { $1.elementsEqual(packfile) }).found else { return }
            head = Array(pending[..<end])
            pending.removeFirst(end)
        }
        let scan = PktLineScan.find(in: pending[...]) { length, _ in length == 0 }
        let end = scan.found ?? scan.complete
        guard end > 0 else { return }
        var reader = PktLineReader(Array(pending[..<end]))
        try pack.append(try SideBand.demultiplex(&reader) { progress?($0) })
        pending.removeFirst(end)
        ended = scan.found != nil
        // The section's flush ends the response; whatever follows is not
        // read, however the network cut it into pieces.
        if ended { pending.removeAll() }
    }

    /// The response's sections before the pack (the whole response when it
    /// has no pack). Throws `corruptObject` when the pack stopped part-way
    /// through a packet.
    func finish() throws -> [UInt8] {
        guard let head else { return pending }
        guard pending.isEmpty else {
            throw BanyanError(.corruptObject, "the fetch response was cut off inside a packet of the pack (\(pending.count) bytes left over)")
        }
        return head
    }
}
