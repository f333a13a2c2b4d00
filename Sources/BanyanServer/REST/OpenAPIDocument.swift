import Foundation

/// The OpenAPI 3 description of the REST API, served at `/api/v1/openapi.json`:
/// the server's resource `openapi.json`, written by `scripts/openapi.py`
/// (`docs/openapi.json` links to it).
enum OpenAPIDocument {
    /// The document's bytes; nil when the resource is missing from the build.
    static let json: [UInt8]? = Bundle.module.url(forResource: "openapi", withExtension: "json")
        .flatMap { try? Data(contentsOf: $0) }
        .map { Array($0) }
}
