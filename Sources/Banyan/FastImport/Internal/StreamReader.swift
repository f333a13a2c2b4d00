import Foundation

/// Reads a fast-import stream as lines and exact byte counts, counting lines
/// so errors can name where they are.
///
/// Buffers 1 MiB reads from a file descriptor (or serves an in-memory
/// stream); a `data` block larger than the buffer is read straight into its
/// own array.
final class StreamReader {
    private let descriptor: Int32?
    private var buffer: [UInt8]
    private var position = 0
    private var atEnd: Bool
    /// The number of the line last read by `readLine` (1-based), or of the
    /// line a data block ended on.
    private(set) var lineNumber = 0

    private static let chunk = 1 << 20

    init(source: FastImportSource) {
        switch source.storage {
        case .data(let data):
            descriptor = nil
            buffer = [UInt8](data)
            atEnd = true
        case .descriptor(let fd):
            descriptor = fd
            buffer = []
            atEnd = false
        }
    }

    /// The next line without its LF; the last line of the stream may lack
    /// one. Nil at the end of the stream.
    func readLine() throws -> [UInt8]? {
        var searchFrom = position
        while true {
            if let newline = buffer[searchFrom...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[position..<newline])
                position = newline + 1
                lineNumber += 1
                return line
            }
            searchFrom = buffer.count
            if try !fill() {
                guard position < buffer.count else { return nil }
                let line = Array(buffer[position...])
                position = buffer.count
                lineNumber += 1
                return line
            }
            searchFrom -= consumedShift
        }
    }

    /// Exactly `count` bytes, or nil when the stream ends first.
    func read(count: Int) throws -> [UInt8]? {
        while buffer.count - position < count {
            if try !fill() { return nil }
        }
        let bytes = Array(buffer[position..<(position + count)])
        position += count
        lineNumber += bytes.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        return bytes
    }

    /// Consumes one LF if it comes next (git's optional LF after `data`).
    func skipOptionalLF() throws {
        if position == buffer.count, try !fill() { return }
        if buffer[position] == UInt8(ascii: "\n") {
            position += 1
            lineNumber += 1
        }
    }

    /// How far the last `fill` moved the unread bytes towards the start.
    private var consumedShift = 0

    /// Reads more bytes after dropping the consumed ones; false at the end.
    private func fill() throws -> Bool {
        consumedShift = 0
        guard !atEnd, let descriptor else { return false }
        if position > 0 {
            consumedShift = position
            buffer.removeFirst(position)
            position = 0
        }
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: Self.chunk))
        let got = buffer.withUnsafeMutableBytes { raw in
            var result: Int
            repeat {
                result = Foundation.read(descriptor, raw.baseAddress! + old, Self.chunk)
            } while result < 0 && errno == EINTR
            return result
        }
        guard got >= 0 else {
            buffer.removeLast(Self.chunk)
            throw BanyanError(.io, "cannot read the fast-import stream: \(String(cString: strerror(errno)))")
        }
        buffer.removeLast(Self.chunk - got)
        if got == 0 { atEnd = true }
        return got > 0
    }
}
