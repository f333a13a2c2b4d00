import Foundation
import Testing

/// Checks replies against docs/openapi.json: the status is documented for the
/// operation, the content type is one the document gives for it, its
/// documented headers are there, and a JSON body conforms to the response
/// schema (``JSONSchemaValidator``).
enum OpenAPICheck {
    static let documentURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/openapi.json")
    static let document: JSONValue = {
        guard let data = try? Data(contentsOf: documentURL), let value = try? JSONValue.parse(data) else { return .object([:]) }
        return value
    }()
    static let validator = JSONSchemaValidator(schemas: document["components"]?["schemas"]?.object ?? [:])
    static let methods = ["get", "put", "post", "delete", "patch", "head", "options"]

    /// Every operation in the document, as (method, path template).
    static var operations: [(method: String, template: String)] {
        (document["paths"]?.object ?? [:]).sorted { $0.key < $1.key }.flatMap { template, item in
            methods.filter { item[$0] != nil }.map { (method: $0.uppercased(), template: template) }
        }
    }

    static func check(_ method: String, _ template: String, _ reply: APIServer.Reply, sourceLocation: SourceLocation = #_sourceLocation) {
        for problem in problems(method, template, reply) {
            Issue.record("\(method) \(template) → \(reply.status): \(problem)\nbody: \(reply.text.prefix(500))", sourceLocation: sourceLocation)
        }
    }

    /// An error reply from a path the document does not describe still has the error schema.
    static func checkError(_ reply: APIServer.Reply, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply.headers["content-type"]?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
        for problem in bodyProblems(reply.body, .object(["$ref": .string("#/components/schemas/Error")])) {
            Issue.record("\(reply.status): \(problem)\nbody: \(reply.text.prefix(500))", sourceLocation: sourceLocation)
        }
    }

    static func problems(_ method: String, _ template: String, _ reply: APIServer.Reply) -> [String] {
        guard let operation = document["paths"]?[template]?[method.lowercased()] else {
            return ["the operation is not in the OpenAPI document"]
        }
        guard let response = operation["responses"]?[String(reply.status)] else {
            return ["the status is not documented for this operation"]
        }
        var found: [String] = []
        for name in (response["headers"]?.object ?? [:]).keys where reply.headers[name.lowercased()] == nil {
            found.append("documented header \(name) is missing")
        }
        guard let content = response["content"]?.object else {
            if !reply.body.isEmpty { found.append("a body where the document gives none") }
            return found
        }
        let type = reply.headers["content-type"].map { String($0.split(separator: ";")[0]).trimmingCharacters(in: .whitespaces) } ?? ""
        guard let media = content[type] else {
            return found + ["content type '\(type)' is not one of \(content.keys.sorted())"]
        }
        if type == "application/json", let schema = media["schema"] {
            found += bodyProblems(reply.body, schema)
        }
        return found
    }

    static func bodyProblems(_ body: Data, _ schema: JSONValue) -> [String] {
        guard let value = try? JSONValue.parse(body) else { return ["the body is not JSON"] }
        return validator.errors(value, schema)
    }
}
