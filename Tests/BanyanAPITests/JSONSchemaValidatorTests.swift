import Foundation
import Testing

private func json(_ text: String) -> JSONValue {
    (try? JSONValue.parse(Data(text.utf8))) ?? .null
}

/// The validator behind ``OpenAPICheck`` catches what it claims to, so a
/// reply that breaks the document fails the endpoint tests.
@Suite("JSON Schema subset validator")
struct JSONSchemaValidatorTests {
    let validator = JSONSchemaValidator(schemas: [
        "Item": json(#"{"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string", "enum": ["a", "b"]}, "n": {"type": "integer", "minimum": 1}}}"#),
        "List": json(##"{"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}, "next": {"type": "string", "nullable": true}}, "additionalProperties": false}"##),
    ])
    let list = json(##"{"$ref": "#/components/schemas/List"}"##)

    @Test func aConformingValuePasses() {
        #expect(validator.errors(json(#"{"items": [{"kind": "a", "n": 3}, {"kind": "b"}], "next": null}"#), list).isEmpty)
    }

    @Test(arguments: [
        (#"{"next": "x"}"#, "$: required property 'items' is missing"),
        (#"{"items": [{"kind": "c"}]}"#, "$.items[0].kind: "),
        (#"{"items": [{"kind": "a", "n": 1.5}]}"#, "$.items[0].n: expected an integer"),
        (#"{"items": [{"kind": "a", "n": 0}]}"#, "$.items[0].n: 0.0 is below 1.0"),
        (#"{"items": [{"kind": true}]}"#, "$.items[0].kind: expected a string"),
        (#"{"items": {"kind": "a"}}"#, "$.items: expected an array"),
        (#"{"items": [], "extra": 1}"#, "$: property 'extra' is not in the schema"),
        (#"{"items": [null]}"#, "$.items[0]: null where the schema allows none"),
        (#"[1]"#, "$: expected an object"),
    ])
    func aBrokenValueIsReported(value: String, expected: String) {
        let errors = validator.errors(json(value), list)
        #expect(errors.contains { $0.hasPrefix(expected) }, "\(errors)")
    }

    @Test func booleansAreNotNumbersAndUnknownKeywordsAndRefsAreReported() {
        #expect(!validator.errors(json("true"), json(#"{"type": "integer"}"#)).isEmpty)
        #expect(!validator.errors(json("1"), json(#"{"type": "boolean"}"#)).isEmpty)
        #expect(validator.errors(json("1"), json(#"{"type": "number"}"#)).isEmpty)
        #expect(validator.errors(json(#""x""#), json(#"{"type": "string", "pattern": "y"}"#)) == ["$: unsupported schema keyword 'pattern'"])
        #expect(validator.errors(json("{}"), json(##"{"$ref": "#/components/schemas/Nope"}"##)) == ["$: unresolvable $ref #/components/schemas/Nope"])
    }
}
