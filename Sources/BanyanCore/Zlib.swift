import CZlib

/// zlib compression through the system library.
///
/// Inflation always takes a limit on the output size, so a small hostile
/// input cannot expand into gigabytes (a "zip bomb").
public enum Zlib {
    /// The default cap on inflated output: 1 GiB.
    public static let defaultInflateLimit = 1 << 30

    /// Compresses `input` as a zlib stream at `level` (0–9, -1 for zlib's default).
    public static func deflate(_ input: [UInt8], level: Int32 = 1) -> [UInt8] {
        var stream = z_stream()
        let status = deflateInit_(&stream, level, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "deflateInit failed: \(status)")
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let produced: Int = input.withUnsafeBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
                stream.avail_in = uInt(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                let result = CZlib.deflate(&stream, Z_FINISH)
                precondition(result == Z_STREAM_END, "deflate with a deflateBound buffer must finish: \(result)")
                return Int(stream.total_out)
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    /// Inflates a complete zlib stream.
    ///
    /// Throws `decompression` for malformed or truncated data and
    /// `limitExceeded` when the output would pass `limit` bytes.
    public static func inflate(_ input: [UInt8], limit: Int = defaultInflateLimit, sizeHint: Int = 0) throws -> [UInt8] {
        try input.withUnsafeBytes { raw in
            let result = try inflate(raw, limit: limit, sizeHint: sizeHint)
            guard result.consumed == raw.count else {
                throw BanyanError(.decompression, "\(raw.count - result.consumed) bytes of trailing garbage after the zlib stream")
            }
            return result.output
        }
    }

    /// Inflates one zlib stream from the start of `input`, which may continue
    /// past the stream's end (as in a pack). Returns the output and how many
    /// input bytes the stream used.
    public static func inflate(
        _ input: UnsafeRawBufferPointer, limit: Int = defaultInflateLimit, sizeHint: Int = 0
    ) throws -> (output: [UInt8], consumed: Int) {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw BanyanError(.decompression, "zlib could not start an inflate stream")
        }
        defer { inflateEnd(&stream) }
        // The hint may come from untrusted input (a pack entry header): it
        // sizes the first buffer only up to 16 MiB; past that the buffer grows
        // as real output arrives.
        let firstGuess = sizeHint > 0 ? sizeHint + 1 : input.count * 4
        var output = [UInt8](repeating: 0, count: max(64, min(firstGuess, limit + 1, 16 << 20)))
        stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
        stream.avail_in = uInt(min(input.count, Int(UInt32.max)))
        var produced = 0
        while true {
            if produced == output.count {
                guard output.count <= limit else {
                    throw BanyanError(.limitExceeded, "inflated data is larger than the \(limit)-byte limit")
                }
                output.append(contentsOf: repeatElement(0, count: min(output.count, limit + 1 - output.count)))
            }
            let status: Int32 = output.withUnsafeMutableBufferPointer { outBuf in
                stream.next_out = outBuf.baseAddress! + produced
                stream.avail_out = uInt(outBuf.count - produced)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                produced = outBuf.count - Int(stream.avail_out)
                return status
            }
            switch status {
            case Z_STREAM_END:
                guard produced <= limit else {
                    throw BanyanError(.limitExceeded, "inflated data is larger than the \(limit)-byte limit")
                }
                output.removeSubrange(produced...)
                return (output, Int(stream.total_in))
            case Z_OK:
                continue
            case Z_BUF_ERROR where stream.avail_in == 0:
                throw BanyanError(.decompression, "zlib stream is truncated")
            case Z_BUF_ERROR:
                continue
            default:
                let reason = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                throw BanyanError(.decompression, "zlib stream is corrupt: \(reason)")
            }
        }
    }

    /// The CRC-32 of `bytes` (zlib's), continuing from `crc` (pass the previous result to chain).
    public static func crc32(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress else { return crc }
        return UInt32(CZlib.crc32(uLong(crc), base.assumingMemoryBound(to: Bytef.self), uInt(bytes.count)))
    }
}
