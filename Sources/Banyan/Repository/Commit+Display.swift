#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Commit {
    /// The message as UTF-8 for display, converted from the commit's
    /// `encoding` header as `git log` converts it (its default
    /// `i18n.logOutputEncoding` is UTF-8); the stored bytes when there is no
    /// header, it names UTF-8, or the conversion fails, as git prints them then.
    public var displayMessage: [UInt8] {
        encoding.flatMap { TextConversion.utf8(message, from: $0) } ?? message
    }

    /// The author's name as UTF-8 for display, converted as `displayMessage` is.
    public var displayAuthorName: [UInt8] { displayName(author) }

    /// The committer's name as UTF-8 for display, converted as `displayMessage` is.
    public var displayCommitterName: [UInt8] { displayName(committer) }

    private func displayName(_ signature: Signature) -> [UInt8] {
        // A name in another encoding is kept only in the stored line: `NAME <EMAIL> TIME ZONE`.
        guard let line = signature.storedLine, let open = line.firstIndex(of: UInt8(ascii: "<")) else {
            return Array(signature.name.utf8)
        }
        var name = Array(line[..<open])
        if name.last == UInt8(ascii: " ") { name.removeLast() }
        return encoding.flatMap { TextConversion.utf8(name, from: $0) } ?? name
    }
}

/// Converting text between encodings with the C library's `iconv`, as git does.
enum TextConversion {
    /// `bytes` in `encoding` (a name iconv knows, such as `ISO-8859-1`) as
    /// UTF-8; nil when the encoding is unknown or the bytes are not valid in
    /// it, and `bytes` unchanged for UTF-8 itself.
    static func utf8(_ bytes: [UInt8], from encoding: String) -> [UInt8]? {
        let name = encoding.trimmingCharacters(in: .whitespaces)
        if ["utf-8", "utf8"].contains(name.lowercased()) { return bytes }
        guard let converter = iconv_open("UTF-8", name), converter != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var input = bytes.map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: bytes.count * 4 + 16)
        let written: Int? = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                var inPointer = inBuffer.baseAddress
                var inLeft = inBuffer.count
                var outPointer = outBuffer.baseAddress
                var outLeft = outBuffer.count
                guard iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) != -1, inLeft == 0 else { return nil }
                return outBuffer.count - outLeft
            }
        }
        return written.map { output[..<$0].map { UInt8(bitPattern: $0) } }
    }
}
