import Banyan
import Crypto
import Foundation
import _CryptoExtras

/// The secret of an encrypted remote: 32 random bytes, or derived from a
/// passphrase with scrypt. It never leaves the device in clear except when
/// a person exports it (`banyan key export`) to add another device.
///
/// Two subkeys are derived from it with HKDF-SHA256, one for the manifest
/// and one for the bundles, and a short check value tells a wrong key from
/// a tampered remote.
public struct RemoteKey: Sendable, Equatable {
    /// The key's 32 bytes.
    public let bytes: [UInt8]

    /// A key from its bytes; throws `invalidArgument` unless there are 32.
    public init(bytes: [UInt8]) throws {
        guard bytes.count == 32 else {
            throw BanyanError(.invalidArgument, "an encryption key is 32 bytes, not \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// A new random key.
    public static func generate() -> RemoteKey {
        // 32 bytes from the system's secure random generator.
        try! RemoteKey(bytes: SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
    }

    /// The key `passphrase` gives with `salt`: scrypt with N = 2^15, r = 8,
    /// p = 1 (32 MiB of memory, a fraction of a second here). Throws
    /// `invalidArgument` for an empty passphrase.
    public static func derive(passphrase: String, salt: [UInt8]) throws -> RemoteKey {
        guard !passphrase.isEmpty else { throw BanyanError(.invalidArgument, "the passphrase is empty") }
        let key = try KDF.Scrypt.deriveKey(from: Array(passphrase.utf8), salt: salt, outputByteCount: 32,
                                           rounds: 1 << 15, blockSize: 8, parallelism: 1)
        return try RemoteKey(bytes: key.withUnsafeBytes { Array($0) })
    }

    /// The key as 64 lowercase hex digits, as `banyan key export` prints it.
    public var hex: String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// Parses 64 hex digits (surrounding whitespace allowed); throws `invalidArgument` otherwise.
    public init(hex text: String) throws {
        let digits = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard digits.utf8.count == 64 else {
            throw BanyanError(.invalidArgument, "an encryption key is 64 hex digits, not \(digits.utf8.count) characters")
        }
        guard let bytes = Self.decodeHex(digits) else {
            throw BanyanError(.invalidArgument, "an encryption key is hex digits only")
        }
        try self.init(bytes: bytes)
    }

    /// The bytes of an even number of hex digits, or nil.
    static func decodeHex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    /// The subkey for one purpose (`manifest`, `bundle`).
    func subkey(_ purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: bytes), salt: Array("banyan-encrypted-remote-v1".utf8),
                               info: Array(purpose.utf8), outputByteCount: 32)
    }

    /// A value that shows whether a remote was written with this key, without revealing it.
    var check: String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("banyan key check".utf8), using: subkey("check"))
        return Data(mac).prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
