extension PackWriter {
    /// Where a pack's bytes go as it is written: kept whole in memory, or
    /// handed on in pieces of about `chunkSize` bytes so a server can send
    /// the first objects while it writes the rest (memory then holds one
    /// piece, not the pack).
    public struct Destination {
        let chunkSize: Int
        let deliver: (([UInt8]) throws -> Void)?

        /// The whole pack in `Output.pack`.
        public static var memory: Destination { Destination(chunkSize: .max, deliver: nil) }

        /// Each piece of the pack, trailer included, to `deliver` in order;
        /// `Output.pack` stays empty.
        public static func stream(chunkSize: Int = 1 << 16, _ deliver: @escaping ([UInt8]) throws -> Void) -> Destination {
            Destination(chunkSize: max(1, chunkSize), deliver: deliver)
        }
    }

    /// The pack being written: a buffer, the offset of its first byte in
    /// the pack, and the hash of what has been handed on.
    struct PackOutput {
        let destination: Destination
        let algorithm: HashAlgorithm
        var buffer: [UInt8]
        var flushed: UInt64 = 0
        var hasher: HashAlgorithm.Hasher

        init(_ destination: Destination, algorithm: HashAlgorithm, header: [UInt8], expectedBytes: Int) {
            self.destination = destination
            self.algorithm = algorithm
            buffer = header
            buffer.reserveCapacity(destination.deliver == nil ? expectedBytes : min(expectedBytes, destination.chunkSize))
            hasher = HashAlgorithm.Hasher(algorithm)
        }

        /// Appends one entry; returns its offset in the pack and its CRC-32.
        mutating func append(_ payload: PackEntryEncoder.Payload, encoder: PackEntryEncoder) throws -> (offset: UInt64, crc32: UInt32) {
            let entry = try encoder.append(payload, to: &buffer, flushed: flushed)
            if buffer.count >= destination.chunkSize { try handOn() }
            return entry
        }

        /// Appends the trailer, hands on the rest; returns the pack's bytes
        /// (empty when streamed) and its checksum.
        mutating func finish() throws -> (pack: [UInt8], checksum: ObjectID) {
            guard destination.deliver != nil else {
                let checksum = PackEntryEncoder.appendTrailer(to: &buffer, algorithm: algorithm)
                return (buffer, checksum)
            }
            hasher.update(buffer)
            let checksum = hasher.finalize()
            checksum.append(to: &buffer)
            try destination.deliver?(buffer)
            buffer = []
            return ([], checksum)
        }

        private mutating func handOn() throws {
            guard let deliver = destination.deliver else { return }
            hasher.update(buffer)
            try deliver(buffer)
            flushed += UInt64(buffer.count)
            buffer.removeAll(keepingCapacity: true)
        }
    }
}
