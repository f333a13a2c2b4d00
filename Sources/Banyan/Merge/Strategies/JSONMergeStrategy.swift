/// `json`: a recursive three-way merge of JSON documents.
///
/// Objects merge name by name, so two sides that changed different members
/// merge cleanly. Arrays of the same length on every side that has them
/// merge element by element; other arrays and scalars follow the three-way
/// rule (the side that changed wins; both changing differently conflicts).
/// A member removed on one side and changed on the other conflicts. Every
/// conflict is reported at its JSON path (`$.a.b[2]`, `$["odd name"]`).
///
/// The merged document is compact with names sorted by UTF-8 bytes, so it
/// is the same on every node and symmetric in ours and theirs. A missing or
/// empty base counts as absent; a version that is not JSON is a conflict.
public struct JSONMergeStrategy: MergeStrategy {
    /// `json`.
    public let name = "json"

    /// Creates the strategy.
    public init() {}

    /// Merges recursively; cost linear in the size of the documents.
    public func merge(base: [UInt8]?, ours: [UInt8], theirs: [UInt8], context: MergeContext) throws -> ValueMergeResult {
        var parsed: [JSONValue?] = []
        for (label, bytes) in [("base", base ?? []), ("ours", ours), ("theirs", theirs)] {
            if label == "base" && bytes.allSatisfy({ [0x20, 0x09, 0x0a, 0x0d].contains($0) }) {
                parsed.append(nil)
                continue
            }
            do {
                parsed.append(try JSONValue(parsing: bytes))
            } catch let error as BanyanError {
                return .conflict(ValueConflict(reason: "the \(label) value is \(error.message)"))
            }
        }
        var merger = JSONMerger()
        let merged = merger.merge(parsed[0], parsed[1], parsed[2], path: "$")
        guard merger.conflicts.isEmpty else {
            let count = merger.conflicts.count
            return .conflict(ValueConflict(
                reason: "both sides changed \(count == 1 ? "a JSON value" : "\(count) JSON values") differently",
                locations: merger.conflicts))
        }
        return .merged(merged?.serialized ?? [])
    }
}

/// The recursive merge, collecting the paths of every conflict.
struct JSONMerger {
    private(set) var conflicts: [String] = []

    /// The merge of one value (nil: absent); on a conflict, records `path` and returns ours.
    mutating func merge(_ base: JSONValue?, _ ours: JSONValue?, _ theirs: JSONValue?, path: String) -> JSONValue? {
        if ours == theirs { return ours }
        if base == ours { return theirs }
        if base == theirs { return ours }
        switch (ours, theirs) {
        case let (.object(o)?, .object(t)?):
            let b: [String: JSONValue]
            if case .object(let members)? = base { b = members } else { b = [:] }
            var merged: [String: JSONValue] = [:]
            for name in Set(o.keys).union(t.keys).union(b.keys).sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                if let value = merge(b[name], o[name], t[name], path: path + Self.member(name)) {
                    merged[name] = value
                }
            }
            return .object(merged)
        case let (.array(o)?, .array(t)?) where o.count == t.count && Self.count(of: base, matches: o.count):
            var b: [JSONValue?] = Array(repeating: nil, count: o.count)
            if case .array(let elements)? = base { b = elements }
            return .array(o.indices.map { index in
                merge(b[index], o[index], t[index], path: path + "[\(index)]") ?? .null
            })
        default:
            conflicts.append(path)
            return ours
        }
    }

    /// True when `base` is not an array, or an array of `count` elements.
    private static func count(of base: JSONValue?, matches count: Int) -> Bool {
        if case .array(let elements)? = base { return elements.count == count }
        return true
    }

    /// `.name` for identifier-like names, `["name"]` otherwise.
    static func member(_ name: String) -> String {
        let identifier = name.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
            && name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
        if identifier { return "." + name }
        return "[" + String(decoding: JSONValue.string(name).serialized, as: UTF8.self) + "]"
    }
}
