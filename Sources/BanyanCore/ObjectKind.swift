/// The four kinds of Git object.
public enum ObjectKind: String, Sendable, Hashable, CaseIterable {
    case commit, tree, blob, tag

    /// The type code used in pack files (1 commit, 2 tree, 3 blob, 4 tag).
    public var packCode: UInt8 {
        switch self {
        case .commit: 1
        case .tree: 2
        case .blob: 3
        case .tag: 4
        }
    }

    /// The kind for a pack type code, or nil for delta and reserved codes.
    public init?(packCode: UInt8) {
        switch packCode {
        case 1: self = .commit
        case 2: self = .tree
        case 3: self = .blob
        case 4: self = .tag
        default: return nil
        }
    }

    /// The loose-object header `"<kind> <size>\0"`.
    public static func header(kind: ObjectKind, size: Int) -> [UInt8] {
        var header = Array(kind.rawValue.utf8)
        header.append(UInt8(ascii: " "))
        header.append(contentsOf: String(size).utf8)
        header.append(0)
        return header
    }
}

/// An object as stored: its kind and its body bytes (without the header).
public struct RawObject: Sendable, Hashable {
    /// The object's kind.
    public var kind: ObjectKind
    /// The object's body, as Git hashes it after the header.
    public var body: [UInt8]

    /// Creates a raw object.
    public init(kind: ObjectKind, body: [UInt8]) {
        self.kind = kind
        self.body = body
    }

    /// The object's id under `algorithm`.
    public func id(_ algorithm: HashAlgorithm) -> ObjectID {
        ObjectID.hash(kind: kind, body: body, algorithm: algorithm)
    }

    /// The loose-object encoding before compression: header then body.
    public var encoded: [UInt8] {
        var bytes = ObjectKind.header(kind: kind, size: body.count)
        bytes.append(contentsOf: body)
        return bytes
    }

    /// Parses the uncompressed loose-object form `"<kind> <size>\0<body>"`.
    ///
    /// Throws `corruptObject` when the header is malformed or the size lies.
    public init(looseEncoding bytes: [UInt8]) throws {
        guard let space = bytes.prefix(16).firstIndex(of: UInt8(ascii: " ")),
              let kind = ObjectKind(rawValue: String(decoding: bytes[..<space], as: UTF8.self))
        else { throw BanyanError(.corruptObject, "object header does not start with a known type") }
        guard let nul = bytes[space...].prefix(24).firstIndex(of: 0) else {
            throw BanyanError(.corruptObject, "object header has no NUL terminator")
        }
        let sizeText = bytes[(space + 1)..<nul]
        guard !sizeText.isEmpty, sizeText.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              sizeText.count == 1 || sizeText.first != UInt8(ascii: "0"),
              let size = Int(String(decoding: sizeText, as: UTF8.self))
        else { throw BanyanError(.corruptObject, "object header has a malformed size") }
        guard size == bytes.count - nul - 1 else {
            throw BanyanError(.corruptObject, "object header says \(size) bytes but the body has \(bytes.count - nul - 1)")
        }
        self.kind = kind
        self.body = Array(bytes[(nul + 1)...])
    }
}
