import Banyan
import Foundation

/// What an encrypted remote holds, sealed as its `manifest`: the refs (full
/// names and commit ids), the bundles in the order they apply, and a
/// sequence number that grows by one with every push.
///
/// Every device remembers the highest sequence it has seen (and that
/// manifest's digest): a remote that offers an older manifest was rolled
/// back, one that offers another manifest with the same number was forked,
/// and both are refused.
struct EncryptedManifest: Codable, Equatable {
    var version = 1
    var sequence: UInt64
    /// The device that wrote this version (a random id kept in its config).
    var writer: String
    /// Full ref name → commit id (hex).
    var refs: [String: String]
    /// The branch `HEAD` names, for clones.
    var head: String?
    /// Bundle ids (32 hex digits), oldest first.
    var bundles: [String]

    /// The first manifest of a remote.
    static func empty(writer: String) -> EncryptedManifest {
        EncryptedManifest(sequence: 0, writer: writer, refs: [:], head: nil, bundles: [])
    }

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Array(try encoder.encode(self))
    }

    /// Decodes and checks a manifest: version, ref names, ids of
    /// `algorithm`, bundle ids. Throws `corruptObject` naming what is wrong.
    static func decode(_ bytes: [UInt8], algorithm: HashAlgorithm) throws -> EncryptedManifest {
        let manifest: EncryptedManifest
        do {
            manifest = try JSONDecoder().decode(EncryptedManifest.self, from: Data(bytes))
        } catch {
            throw BanyanError(.corruptObject, "the encrypted remote's manifest does not decode: \(error)")
        }
        guard manifest.version == 1 else {
            throw BanyanError(.unsupported, "the encrypted remote's manifest is version \(manifest.version); this Banyan reads version 1")
        }
        for (name, hex) in manifest.refs {
            guard RefName.isValid(name), let id = ObjectID(hex: hex), id.algorithm == algorithm else {
                throw BanyanError(.corruptObject, "the encrypted remote's manifest has a bad ref \(name.debugDescription)")
            }
        }
        for id in manifest.bundles where !Self.isBundleID(id) {
            throw BanyanError(.corruptObject, "the encrypted remote's manifest names a bad bundle \(id.debugDescription)")
        }
        return manifest
    }

    /// The refs as ids.
    var ids: [String: ObjectID] { refs.compactMapValues { ObjectID(hex: $0) } }

    static func isBundleID(_ id: String) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }
}
