import CZlib

/// A zlib inflate stream reused across pack entries (`inflateReset` instead
/// of a fresh `inflateInit` per entry). Not thread-safe: one per task.
final class PackInflater {
    static let maxExpansion = 1032
    // Heap-allocated so the stream never moves: zlib keeps a back pointer to it.
    private let stream: UnsafeMutablePointer<z_stream>

    init() throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard inflateInit_(stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deallocate()
            throw BanyanError(.decompression, "zlib could not start an inflate stream")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Inflates the zlib stream at the start of `input`, which must produce
    /// exactly `size` bytes. Returns the output and the input bytes used.
    ///
    /// Throws `corruptObject` when the stream is longer or shorter than
    /// `size`, `decompression` when it is malformed or truncated.
    func inflate(_ input: UnsafeRawBufferPointer, exactSize size: Int) throws -> (output: [UInt8], consumed: Int) {
        // Deflate expands at most about 1032:1, so a larger claim is a lie; checking
        // first keeps a tiny hostile entry from making us allocate its claimed size.
        guard size / Self.maxExpansion <= input.count else {
            throw BanyanError(.corruptObject, "entry claims \(size) bytes but only \(input.count) compressed bytes follow")
        }
        var consumed = 0
        let output = try [UInt8](exactCount: size) { buffer in
            consumed = try run(input, into: UnsafeMutableRawBufferPointer(buffer), size: size)
        }
        return (output, consumed)
    }

    /// The first `count` bytes the zlib stream at the start of `input`
    /// inflates to (fewer when the stream is shorter), without inflating
    /// the rest: a delta's header, say.
    ///
    /// Throws `decompression` when those bytes cannot be read (a malformed
    /// or truncated stream).
    func inflatePrefix(_ input: UnsafeRawBufferPointer, count: Int) throws -> [UInt8] {
        guard inflateReset(stream) == Z_OK else {
            throw BanyanError(.decompression, "zlib could not reset an inflate stream")
        }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(min(input.count, Int(UInt32.max)))
        var output = [UInt8](repeating: 0, count: count)
        var produced = 0
        while produced < count {
            let status: Int32 = output.withUnsafeMutableBytes { buffer in
                stream.pointee.next_out = buffer.baseAddress!.advanced(by: produced).assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(count - produced)
                let status = CZlib.inflate(stream, Z_NO_FLUSH)
                produced = count - Int(stream.pointee.avail_out)
                return status
            }
            switch status {
            case Z_STREAM_END:
                output.removeSubrange(produced...)
                return output
            case Z_OK:
                continue
            case Z_BUF_ERROR where stream.pointee.avail_in == 0:
                throw BanyanError(.decompression, "zlib stream is truncated")
            default:
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
                throw BanyanError(.decompression, "zlib stream is corrupt: \(reason)")
            }
        }
        return output
    }

    /// Inflates into `buffer`, which holds exactly `size` bytes; returns the input used.
    private func run(_ input: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer, size: Int) throws -> Int {
        guard inflateReset(stream) == Z_OK else {
            throw BanyanError(.decompression, "zlib could not reset an inflate stream")
        }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(min(input.count, Int(UInt32.max)))
        var pending = size
        var written = 0
        // One spare byte past the expected end detects streams that run long.
        var spare: UInt8 = 0
        return try withUnsafeMutablePointer(to: &spare) { sparePointer in
            while true {
                let usingSpare = pending == 0
                let chunk = min(pending, Int(UInt32.max))
                if usingSpare {
                    stream.pointee.next_out = sparePointer
                    stream.pointee.avail_out = 1
                } else {
                    stream.pointee.next_out = buffer.baseAddress!.advanced(by: written).assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_out = uInt(chunk)
                }
                let status = CZlib.inflate(stream, Z_NO_FLUSH)
                if usingSpare {
                    if stream.pointee.avail_out == 0 {
                        throw BanyanError(.corruptObject, "zlib data inflates to more than the \(size) bytes the header says")
                    }
                } else {
                    let produced = chunk - Int(stream.pointee.avail_out)
                    written += produced
                    pending -= produced
                }
                switch status {
                case Z_STREAM_END:
                    guard pending == 0 else {
                        throw BanyanError(.corruptObject, "zlib data inflates to \(written) bytes but the header says \(size)")
                    }
                    return Int(stream.pointee.total_in)
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.pointee.avail_in == 0:
                    throw BanyanError(.decompression, "zlib stream is truncated")
                case Z_BUF_ERROR:
                    continue
                default:
                    let reason = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
                    throw BanyanError(.decompression, "zlib stream is corrupt: \(reason)")
                }
            }
        }
    }
}

/// A zlib deflate stream reused across pack entries (`deflateReset` instead
/// of a fresh `deflateInit`, which allocates about 256 KiB). Not thread-safe.
///
/// At level 1 (the append pack's), small inputs (most entries: blobs of a
/// few hundred bytes, deltas, commits) go through `SmallDeflate` instead:
/// zlib's per-stream set-up costs more than compressing them.
final class PackDeflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private var small: SmallDeflate?

    /// A deflater at `level` (0–9, -1 for zlib's default, 6).
    init(level: Int32) throws {
        guard (-1...9).contains(level) else {
            throw BanyanError(.invalidArgument, "zlib compression level \(level) is not in -1...9")
        }
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard deflateInit_(stream, level, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deallocate()
            throw BanyanError(.io, "zlib could not start a deflate stream")
        }
        // Only at the fastest level: others ask for zlib's better matching.
        small = level == 1 ? SmallDeflate() : nil
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Compresses `input` as one complete zlib stream appended to `output`; returns its length.
    @discardableResult
    func deflate(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) throws -> Int {
        guard input.count < Int(UInt32.max) else {
            throw BanyanError(.limitExceeded, "an object of \(input.count) bytes is too large to compress in one piece")
        }
        if input.count <= SmallDeflate.maxInput, small != nil {
            let start = output.count
            small!.compress(input, appendingTo: &output)
            return output.count - start
        }
        guard deflateReset(stream) == Z_OK else { throw BanyanError(.io, "zlib could not reset a deflate stream") }
        let bound = Int(deflateBound(stream, uLong(input.count)))
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: bound))
        let produced: Int = try output.withUnsafeMutableBytes { out in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(input.count)
            stream.pointee.next_out = out.baseAddress!.advanced(by: start).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(bound)
            let status = CZlib.deflate(stream, Z_FINISH)
            guard status == Z_STREAM_END else {
                throw BanyanError(.io, "zlib deflate did not finish within deflateBound (status \(status))")
            }
            return bound - Int(stream.pointee.avail_out)
        }
        output.removeLast(bound - produced)
        return produced
    }
}
