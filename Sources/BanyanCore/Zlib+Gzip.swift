import CZlib

extension Zlib {
    /// Inflates a gzip (or zlib) stream, as HTTP bodies with
    /// `Content-Encoding: gzip` carry.
    ///
    /// Throws `decompression` for malformed or truncated data and
    /// `limitExceeded` when the output would pass `limit` bytes.
    public static func gunzip(_ input: [UInt8], limit: Int = defaultInflateLimit) throws -> [UInt8] {
        var stream = z_stream()
        // 15 + 32: the largest window, with zlib detecting a gzip or zlib header.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw BanyanError(.decompression, "zlib could not start a gzip stream")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        return try input.withUnsafeBytes { raw in
            stream.next_in = UnsafeMutablePointer(mutating: raw.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(raw.count)
            while true {
                let (status, produced): (Int32, Int) = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return (status, buffer.count - Int(stream.avail_out))
                }
                output.append(contentsOf: chunk[..<produced])
                guard output.count <= limit else {
                    throw BanyanError(.limitExceeded, "gzip body inflates past the \(limit)-byte limit")
                }
                switch status {
                case Z_STREAM_END: return output
                case Z_OK: continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw BanyanError(.decompression, "gzip stream is truncated")
                case Z_BUF_ERROR: continue
                default: throw BanyanError(.decompression, "gzip stream is corrupt (status \(status))")
                }
            }
        }
    }
}
