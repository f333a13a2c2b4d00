import Foundation

/// A JSON value as decoded, keeping booleans apart from numbers and integers
/// apart from other numbers (which `JSONSerialization` does not).
enum JSONValue: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double, integer: Bool)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .number(Double(value), integer: true)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value, integer: value.rounded() == value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    static func parse(_ data: Data) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: data) }

    subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    var string: String? { if case .string(let text) = self { text } else { nil } }
    var object: [String: JSONValue]? { if case .object(let fields) = self { fields } else { nil } }
    var array: [JSONValue]? { if case .array(let items) = self { items } else { nil } }
}

/// The subset of JSON Schema (OpenAPI 3.0 flavour) that docs/openapi.json
/// uses: `$ref` into `#/components/schemas`, `type`, `nullable`,
/// `required`, `properties`, `additionalProperties`, `items`, `enum`,
/// `minimum`. A keyword outside the subset is reported as an error rather
/// than skipped, so the document cannot grow past what the tests check.
struct JSONSchemaValidator: Sendable {
    let schemas: [String: JSONValue]

    static let known: Set<String> = ["$ref", "type", "nullable", "required", "properties", "additionalProperties",
                                     "items", "enum", "minimum", "description", "format"]

    /// Every way `value` breaks `schema`, each naming where (`$.a.b[2]`).
    func errors(_ value: JSONValue, _ schema: JSONValue, at path: String = "$") -> [String] {
        guard let rules = schema.object else { return ["\(path): the schema is not an object"] }
        if let ref = rules["$ref"]?.string {
            let prefix = "#/components/schemas/"
            guard ref.hasPrefix(prefix), let target = schemas[String(ref.dropFirst(prefix.count))] else {
                return ["\(path): unresolvable $ref \(ref)"]
            }
            return errors(value, target, at: path)
        }
        var found = rules.keys.filter { !Self.known.contains($0) }.sorted().map { "\(path): unsupported schema keyword '\($0)'" }
        if value == .null {
            if rules["nullable"] != .bool(true), rules["type"] != nil { found.append("\(path): null where the schema allows none") }
            return found
        }
        if let allowed = rules["enum"]?.array, !allowed.contains(value) {
            found.append("\(path): \(value) is not one of \(allowed)")
        }
        switch rules["type"]?.string {
        case "object": found += objectErrors(value, rules, at: path)
        case "array":
            guard let items = value.array else { return found + ["\(path): expected an array, got \(value)"] }
            if let itemSchema = rules["items"] {
                for (index, item) in items.enumerated() { found += errors(item, itemSchema, at: "\(path)[\(index)]") }
            }
        case "string":
            if value.string == nil { found.append("\(path): expected a string, got \(value)") }
        case "boolean":
            if case .bool = value {} else { found.append("\(path): expected a boolean, got \(value)") }
        case "integer", "number":
            guard case .number(let number, let integer) = value else { return found + ["\(path): expected a number, got \(value)"] }
            if rules["type"]?.string == "integer", !integer { found.append("\(path): expected an integer, got \(number)") }
            if case .number(let minimum, _)? = rules["minimum"], number < minimum { found.append("\(path): \(number) is below \(minimum)") }
        case nil: break
        case let other?: found.append("\(path): unsupported type '\(other)'")
        }
        return found
    }

    private func objectErrors(_ value: JSONValue, _ rules: [String: JSONValue], at path: String) -> [String] {
        guard let fields = value.object else { return ["\(path): expected an object, got \(value)"] }
        var found: [String] = []
        for case .string(let name) in rules["required"]?.array ?? [] where fields[name] == nil {
            found.append("\(path): required property '\(name)' is missing")
        }
        let properties = rules["properties"]?.object ?? [:]
        for (name, field) in fields.sorted(by: { $0.key < $1.key }) {
            if let schema = properties[name] {
                found += errors(field, schema, at: "\(path).\(name)")
            } else if let extra = rules["additionalProperties"] {
                if extra == .bool(false) {
                    found.append("\(path): property '\(name)' is not in the schema")
                } else if extra.object != nil {
                    found += errors(field, extra, at: "\(path).\(name)")
                }
            }
        }
        return found
    }
}
