import Contracts
import Foundation
import OpenAPIKit
import Testing

/// The checker on schemas small enough to read: each rule must reject what breaks it, so a broken
/// checker cannot let the body checks pass.
@Suite struct SchemaCheckTests {
    func mismatches(_ json: String, _ schema: String) throws -> [SchemaMismatch] {
        SchemaCheck().mismatches(try JSONValue(parsing: Array(json.utf8)), try InlineSchema.parse(schema))
    }

    @Test func aMissingRequiredKeyIsNamed() throws {
        #expect(
            try mismatches("{}", #"{"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}}"#) == [
                SchemaMismatch(pointer: "", problem: #"the required key "a" is missing"#)
            ])
    }

    @Test func aKeyTheSchemaDoesNotDefineIsNamed() throws {
        let found = try mismatches(#"{"a": "x", "b": 1}"#, #"{"type": "object", "properties": {"a": {"type": "string"}}}"#)
        #expect(found == [SchemaMismatch(pointer: "/b", problem: "the key is not defined by the schema")])
    }

    @Test func aFreeFormObjectTakesAnyKey() throws {
        #expect(try mismatches(#"{"b": 1}"#, #"{"type": "object"}"#).isEmpty)
    }

    @Test func additionalPropertiesAreCheckedAgainstTheirSchema() throws {
        let schema = #"{"type": "object", "additionalProperties": {"type": "integer"}}"#
        #expect(try mismatches(#"{"a": 1}"#, schema).isEmpty)
        #expect(try mismatches(#"{"a": "1"}"#, schema).map(\.pointer) == ["/a"])
    }

    @Test func typesAreTheSchemas() throws {
        #expect(try mismatches("1", #"{"type": "string"}"#).count == 1)
        #expect(try mismatches(#""1""#, #"{"type": "integer"}"#).count == 1)
        #expect(try mismatches("1.5", #"{"type": "integer"}"#).count == 1)
        #expect(try mismatches("true", #"{"type": "number"}"#).count == 1)
        #expect(try mismatches("[]", #"{"type": "object"}"#).count == 1)
        #expect(try mismatches("{}", #"{"type": "array", "items": {"type": "string"}}"#).count == 1)
        #expect(try mismatches("2", #"{"type": "number"}"#).isEmpty)
    }

    @Test func nullOnlyWhereTheSchemaAllowsIt() throws {
        #expect(try mismatches("null", #"{"type": "string"}"#).count == 1)
        #expect(try mismatches("null", #"{"type": ["string", "null"]}"#).isEmpty)
    }

    @Test func enumsFormatsPatternsAndBounds() throws {
        #expect(try mismatches(#""c""#, #"{"type": "string", "enum": ["a", "b"]}"#).count == 1)
        #expect(try mismatches(#""a""#, #"{"type": "string", "enum": ["a", "b"]}"#).isEmpty)
        #expect(try mismatches(#""not-an-id""#, #"{"type": "string", "format": "uuid"}"#).count == 1)
        #expect(try mismatches(#""2026-02-30""#, #"{"type": "string", "format": "date"}"#).count == 1)
        #expect(try mismatches(#""2026-01-31""#, #"{"type": "string", "format": "date-time"}"#).count == 1)
        #expect(try mismatches(#""2026-01-31T09:30:00Z""#, #"{"type": "string", "format": "date-time"}"#).isEmpty)
        #expect(try mismatches(#""12.345""#, #"{"type": "string", "pattern": "^[0-9]+(\\.[0-9]{1,2})?$"}"#).count == 1)
        #expect(try mismatches(#""abc""#, #"{"type": "string", "maxLength": 2}"#).count == 1)
        #expect(try mismatches("0", #"{"type": "integer", "minimum": 1}"#).count == 1)
    }

    @Test func eachMismatchIsReportedAtItsOwnPointer() throws {
        let schema = #"""
            {"type": "object", "properties": {"items": {"type": "array", "items":
                {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "format": "uuid"}}}}}}
            """#
        let found = try mismatches(#"{"items": [{"id": "x"}, {}], "a/b": 1}"#, schema)
        #expect(found.map(\.pointer) == ["/a~1b", "/items/0/id", "/items/1"])
    }

    @Test func allOfMembersShareTheirKeys() throws {
        let schema = #"""
            {"allOf": [{"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}},
                       {"type": "object", "required": ["b"], "properties": {"b": {"type": "integer"}}}]}
            """#
        #expect(try mismatches(#"{"a": "x", "b": 1}"#, schema).isEmpty)
        #expect(try mismatches(#"{"a": "x"}"#, schema) == [SchemaMismatch(pointer: "", problem: #"the required key "b" is missing"#)])
        #expect(try mismatches(#"{"a": "x", "b": 1, "c": 2}"#, schema).map(\.pointer) == ["/c", "/c"])
    }

    @Test func oneOfNeedsExactlyOneAndAnyOfAtLeastOne() throws {
        #expect(try mismatches("1", #"{"oneOf": [{"type": "integer"}, {"type": "number"}]}"#).count == 1)
        #expect(try mismatches(#""a""#, #"{"oneOf": [{"type": "integer"}, {"type": "string"}]}"#).isEmpty)
        #expect(try mismatches("true", #"{"anyOf": [{"type": "integer"}, {"type": "string"}]}"#).count == 1)
    }
}

/// A schema written inline, parsed and dereferenced as the document's are.
enum InlineSchema {
    static func parse(_ json: String) throws -> DereferencedJSONSchema {
        try #require(try JSONDecoder().decode(JSONSchema.self, from: Data(json.utf8)).dereferenced())
    }
}
