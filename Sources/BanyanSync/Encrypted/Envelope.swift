import Banyan
import Crypto
import Foundation

/// How an encrypted remote seals a blob: ChaCha20-Poly1305 over the
/// plaintext padded to a multiple of 4 KiB, bound to the blob's name.
///
/// Layout: `BNYE` `1` (5 bytes), then the AEAD's combined form (12-byte
/// nonce, ciphertext, 16-byte tag). The plaintext before sealing is its
/// length (8 bytes, big-endian), the bytes, and zeros up to the next 4 KiB.
/// The associated data is the blob's name (`manifest`, `bundles/ID`), so a
/// blob moved to another name does not open.
enum Envelope {
    static let magic: [UInt8] = Array("BNYE".utf8) + [1]
    static let padding = 4096

    static func seal(_ plaintext: [UInt8], name: String, key: SymmetricKey) throws -> [UInt8] {
        var framed = withUnsafeBytes(of: UInt64(plaintext.count).bigEndian) { Array($0) } + plaintext
        framed += [UInt8](repeating: 0, count: (padding - framed.count % padding) % padding)
        let box = try ChaChaPoly.seal(framed, using: key, authenticating: Array(name.utf8))
        return magic + Array(box.combined)
    }

    /// Opens a sealed blob; throws `corruptObject` naming `name` when it was
    /// not sealed under this name with this key, or was changed since.
    static func open(_ sealed: [UInt8], name: String, key: SymmetricKey) throws -> [UInt8] {
        guard sealed.count >= magic.count + 12 + 16 + 8, Array(sealed.prefix(magic.count)) == magic else {
            throw BanyanError(.corruptObject, "\(name) on the encrypted remote is not a Banyan envelope")
        }
        let framed: [UInt8]
        do {
            let box = try ChaChaPoly.SealedBox(combined: sealed.dropFirst(magic.count))
            framed = Array(try ChaChaPoly.open(box, using: key, authenticating: Array(name.utf8)))
        } catch {
            throw BanyanError(.corruptObject, "\(name) on the encrypted remote failed authentication: it was changed, or sealed with another key")
        }
        let length = framed.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard framed.count >= 8, length <= UInt64(framed.count - 8) else {
            throw BanyanError(.corruptObject, "\(name) on the encrypted remote has a bad length")
        }
        return Array(framed[8..<8 + Int(length)])
    }
}
