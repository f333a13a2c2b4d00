import Foundation

/// The lines of standard input as they arrive, for the `--batch` modes of
/// `cat-file`: read in chunks, so a pipe full of names is read in few
/// calls, and `beforeWaiting` runs before each read that may block, so a
/// coprocess that writes one name and waits for its answer gets it.
struct BatchLines {
    private var buffer: [UInt8] = []
    private var start = 0
    private var ended = false
    /// What one read fills, reused across reads.
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)
    private let descriptor: Int32

    init(descriptor: Int32 = 0) {
        self.descriptor = descriptor
    }

    /// The next line without its newline (a last line without one counts),
    /// or nil at the end of input.
    mutating func next(beforeWaiting: () -> Void) throws -> ArraySlice<UInt8>? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[start..<newline]
                start = newline + 1
                return line
            }
            if ended {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                return line
            }
            buffer.removeSubrange(0..<start)
            start = 0
            beforeWaiting()
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            if count == 0 { ended = true } else { buffer.append(contentsOf: chunk[0..<count]) }
        }
    }
}
