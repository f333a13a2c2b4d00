import BanyanCore

/// Finds packet boundaries in pkt-line bytes that may stop part-way through
/// a packet (a body still arriving), without decoding payloads.
enum PktLineScan {
    /// Walks the complete packets at the start of `bytes` until `stop`
    /// accepts one (it gets the packet's length field and payload; 0–2 for
    /// the special packets, whose payload is empty).
    ///
    /// Returns the offset just past the accepted packet, or nil when the
    /// bytes end (or stop mid-packet) first; `complete` is then the offset
    /// past the last complete packet. A length that is not four hex digits
    /// or is 3 counts as accepted, so the strict `PktLineReader` that reads
    /// up to the offset reports it.
    static func find(in bytes: ArraySlice<UInt8>, where stop: (Int, ArraySlice<UInt8>) -> Bool) -> (found: Int?, complete: Int) {
        var position = bytes.startIndex
        while bytes.endIndex - position >= 4 {
            var length = 0
            for byte in bytes[position..<position + 4] {
                guard let digit = PktLineReader.hexValue(byte) else { return (position + 4 - bytes.startIndex, position - bytes.startIndex) }
                length = length << 4 | digit
            }
            if length == 3 { return (position + 4 - bytes.startIndex, position - bytes.startIndex) }
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
