import Foundation

/// A `Codable` value type that knows how to merge two concurrent changes of
/// itself: a typed merge for keys that hold such values as JSON.
///
/// Register the type under a strategy name and point keys at it from
/// `.gitattributes`:
///
/// ```swift
/// struct Contact: Mergeable { ... }
/// var strategies = MergeStrategies()
/// strategies.register(Contact.self, as: "contact")
/// // .gitattributes:  contacts/* merge=contact
/// ```
///
/// To report a conflict, throw `BanyanError(.mergeConflict, reason)`; any
/// other error aborts the whole merge. The merge must be deterministic, and
/// should be symmetric in `ours` and `theirs` so every node agrees.
public protocol Mergeable: Codable {
    /// Merges `ours` and `theirs`, both derived from `base` (nil when both sides added the value).
    static func merge(base: Self?, ours: Self, theirs: Self) throws -> Self
}

/// The strategy that merges JSON values of a ``Mergeable`` type: decode the
/// three versions, call `Value.merge`, encode the result with sorted keys
/// (the encoding ``Branch/set(_:encoding:message:author:committer:)`` uses).
///
/// A version that does not decode as `Value` is a conflict, as is a
/// `mergeConflict` error from `Value.merge`. A missing or empty base is nil.
public struct MergeableStrategy<Value: Mergeable>: MergeStrategy {
    /// The name `.gitattributes` uses for it.
    public let name: String

    /// Creates the strategy for `type` under `name`.
    public init(_ type: Value.Type, name: String) {
        self.name = name
    }

    /// Decodes, merges and encodes.
    public func merge(base: [UInt8]?, ours: [UInt8], theirs: [UInt8], context: MergeContext) throws -> ValueMergeResult {
        let baseValue: Value?, oursValue: Value, theirsValue: Value
        do {
            baseValue = try base.flatMap { $0.isEmpty ? nil : try decode($0, "base") }
            oursValue = try decode(ours, "ours")
            theirsValue = try decode(theirs, "theirs")
        } catch let conflict as DecodingConflict {
            return .conflict(ValueConflict(reason: conflict.reason))
        }
        do {
            let merged = try Value.merge(base: baseValue, ours: oursValue, theirs: theirsValue)
            return .merged(Array(try Transaction.encode(merged, at: context.key)))
        } catch let error as BanyanError where error.code == .mergeConflict {
            return .conflict(ValueConflict(reason: error.message))
        }
    }

    private struct DecodingConflict: Error {
        var reason: String
    }

    private func decode(_ bytes: [UInt8], _ label: String) throws -> Value {
        do {
            return try JSONDecoder().decode(Value.self, from: Data(bytes))
        } catch {
            throw DecodingConflict(reason: "the \(label) value does not decode as \(Value.self): \(error)")
        }
    }
}
