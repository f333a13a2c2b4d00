/// Finds packet boundaries in pkt-line bytes that may stop part-way through
/// a packet (a body still arriving), without decoding payloads: what
/// streaming readers use to know how much of a buffer `PktLineReader` may
/// read. The length field is parsed by `PktLine.length(_:at:)`, as the
/// reader parses it.
package enum PktLineScan {
    /// Walks the complete packets at the start of `bytes` until `stop`
    /// accepts one (it gets the packet's length field and payload; 0–2 for
    /// the special packets, whose payload is empty).
    ///
    /// Returns the offset just past the accepted packet, or nil when the
    /// bytes end (or stop mid-packet) first; `complete` is then the offset
    /// past the last complete packet. A length that is not four hex digits
    /// or is 3 counts as accepted, so the strict `PktLineReader` that reads
    /// up to the offset reports it.
    package static func find(in bytes: ArraySlice<UInt8>, where stop: (Int, ArraySlice<UInt8>) -> Bool) -> (found: Int?, complete: Int) {
        var position = bytes.startIndex
        while bytes.endIndex - position >= 4 {
            guard let length = PktLine.length(bytes, at: position), length != 3 else {
                return (position + 4 - bytes.startIndex, position - bytes.startIndex)
            }
            let size = max(length, 4)
            guard bytes.endIndex - position >= size else { break }
            if stop(length, bytes[(position + 4)..<(position + size)]) {
                return (position + size - bytes.startIndex, position + size - bytes.startIndex)
            }
            position += size
        }
        return (nil, position - bytes.startIndex)
    }
}
