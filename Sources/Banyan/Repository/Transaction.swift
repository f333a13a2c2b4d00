import Foundation

/// The changes of one commit under construction, with reads that see them.
///
/// Passed `inout` to the body of ``Branch/transaction(message:author:committer:maxAttempts:_:)``.
/// Reads return the transaction's own writes first, then the state of the
/// commit the transaction builds on.
public struct Transaction {
    /// The state this transaction builds on.
    public let base: Snapshot
    private(set) var changes: [(Key, TreeEditor.Change)] = []
    private var overlay: [Key: [UInt8]?] = [:]

    init(base: Snapshot) {
        self.base = base
    }

    /// Sets `key` to `value`.
    public mutating func set(_ key: Key, _ value: Data) {
        let bytes = [UInt8](value)
        changes.append((key, .set(bytes)))
        overlay[key] = .some(bytes)
    }

    /// Sets `key` to `value` encoded as JSON with sorted keys.
    public mutating func set<T: Encodable>(_ key: Key, encoding value: T) throws {
        set(key, try Self.encode(value, at: key))
    }

    /// Removes the value or directory at `key`.
    public mutating func remove(_ key: Key) {
        changes.append((key, .remove))
        overlay = overlay.filter { !$0.key.hasPrefix(key) }
        overlay[key] = .some(nil)
    }

    /// The value at `key` as this transaction would leave it, or nil.
    public func find(_ key: Key) throws -> Data? {
        if let written = overlay[key] { return written.map { Data($0) } }
        var ancestor = key.parent
        while let current = ancestor, !current.isRoot {
            if let written = overlay[current], written == nil { return nil }
            ancestor = current.parent
        }
        return try base.find(key)
    }

    /// The value at `key` as this transaction would leave it; throws `keyNotFound` when absent.
    public func get(_ key: Key) throws -> Data {
        guard let value = try find(key) else {
            throw BanyanError(.keyNotFound, "no value at '\(key)'")
        }
        return value
    }

    /// The value at `key` decoded from JSON, or nil when absent.
    public func find<T: Decodable>(_ key: Key, as type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws -> T? {
        try find(key).map { try Self.decode($0, as: type, at: key, decoder: decoder) }
    }

    /// True when the transaction changes nothing.
    public var isEmpty: Bool { changes.isEmpty }

    static func decode<T: Decodable>(_ data: Data, as type: T.Type, at key: Key, decoder: JSONDecoder) throws -> T {
        do {
            return try decoder.decode(T.self, from: data)
        } catch {
            throw BanyanError(.invalidArgument, "value at '\(key)' does not decode as \(T.self)", cause: error)
        }
    }

    static func encode<T: Encodable>(_ value: T, at key: Key) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return try encoder.encode(value)
        } catch {
            throw BanyanError(.invalidArgument, "value for '\(key)' does not encode as JSON", cause: error)
        }
    }
}
