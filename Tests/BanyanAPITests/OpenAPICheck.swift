import Foundation
import Testing

/// Checks replies against docs/openapi.json: the status is documented for the
/// operation, and a JSON body has the schema's required fields.
enum OpenAPICheck {
    static let documentURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/openapi.json")
    nonisolated(unsafe) static let document: [String: Any] = {
        let data = (try? Data(contentsOf: documentURL)) ?? Data("{}".utf8)
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }()

    static func check(_ method: String, _ template: String, _ reply: APIServer.Reply, sourceLocation: SourceLocation = #_sourceLocation) {
        let paths = document["paths"] as? [String: Any] ?? [:]
        guard let operation = (paths[template] as? [String: Any])?[method.lowercased()] as? [String: Any],
              let responses = operation["responses"] as? [String: Any]
        else {
            Issue.record("\(method) \(template) is not in the OpenAPI document", sourceLocation: sourceLocation)
            return
        }
        guard let response = responses[String(reply.status)] as? [String: Any] else {
            Issue.record("\(method) \(template) answered \(reply.status), which the document does not list", sourceLocation: sourceLocation)
            return
        }
        guard let content = response["content"] as? [String: Any], let json = content["application/json"] as? [String: Any],
              let schema = json["schema"] as? [String: Any] else { return }
        #expect(reply.headers["content-type"]?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
        let resolved = resolve(schema)
        let body = reply.json
        for field in resolved["required"] as? [String] ?? [] where body[field] == nil {
            Issue.record("\(method) \(template) \(reply.status): required field '\(field)' missing in \(reply.text)", sourceLocation: sourceLocation)
        }
    }

    static func resolve(_ schema: [String: Any]) -> [String: Any] {
        guard let ref = schema["$ref"] as? String else { return schema }
        let name = String(ref.split(separator: "/").last ?? "")
        return ((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?[name] as? [String: Any] ?? [:]
    }
}
