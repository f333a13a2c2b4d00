import Banyan
import Foundation
import Hummingbird

/// The branch and key segments of an API path, percent-decoded one
/// `/`-separated segment at a time from the raw request target (so `%2F`
/// stays inside its segment: a branch `feature%2Fx` is `feature/x`).
struct PathSegments {
    var branch: String
    var rest: [String]

    init(_ request: Request, after prefix: [String]) throws {
        let target = request.head.path ?? "/"
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        var segments = try path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(Self.decode)
        guard segments.starts(with: prefix), segments.count > prefix.count, !segments[prefix.count].isEmpty else {
            throw APIError(.notFound, "notFound", "no branch in \(path)")
        }
        branch = segments[prefix.count]
        segments.removeFirst(prefix.count + 1)
        if segments.last == "" { segments.removeLast() }   // a trailing slash names the same directory
        rest = segments
    }

    /// One segment with its `%XX` escapes decoded; 400 for a `%` not followed
    /// by two hex digits or bytes that are not UTF-8 (Foundation's decoder
    /// is not strict about either on every platform).
    static func decode(_ raw: Substring) throws -> String {
        var bytes: [UInt8] = []
        var input = Array(raw.utf8)[...]
        while let byte = input.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard input.count >= 2, let high = hexValue(input.removeFirst()), let low = hexValue(input.removeFirst()) else {
                throw APIError(.badRequest, "invalidKey", "'\(raw)' is not valid percent-encoding: '%' must be followed by two hex digits")
            }
            bytes.append(high << 4 | low)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw APIError(.badRequest, "invalidKey", "'\(raw)' does not decode to UTF-8 text")
        }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The key the remaining segments name; 400 when they name none or an invalid one.
    func key() throws -> Key {
        guard !rest.isEmpty else { throw APIError(.badRequest, "invalidKey", "the URL names no key after the branch") }
        return try Key(segments: rest)
    }
}
