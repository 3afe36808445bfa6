import Contracts
import Foundation
import OpenAPIKit
import Testing

/// The sample maker on small schemas: what it makes must be what the schema allows (the checker
/// agrees) and must reach the optional and nullable ends the body checks rely on.
@Suite struct SchemaSampleTests {
    static let object = #"""
        {"type": "object", "required": ["id", "note"], "properties": {
            "id": {"type": "string", "format": "uuid"},
            "note": {"type": ["string", "null"], "maxLength": 4},
            "amount": {"type": "string", "pattern": "^[0-9]+\\.[0-9]{2}$", "examples": ["25000.00"]},
            "kind": {"type": "string", "enum": ["first", "last"]},
            "count": {"type": "integer", "minimum": 3},
            "tags": {"type": "array", "items": {"type": "string", "format": "date"}},
            "counts": {"type": "object", "additionalProperties": {"type": "integer"}}}}
        """#

    @Test func requiredOnlyLeavesOutOptionalKeysAndIsNullWhereAllowed() throws {
        let sample = SchemaSample(fill: .requiredOnly).value(try InlineSchema.parse(Self.object))
        guard case .object(let members) = sample else { Issue.record("not an object: \(sample.text)"); return }
        #expect(Set(members.keys) == ["id", "note"])
        #expect(members["note"] == .null)
    }

    @Test func everyPropertyFillsEachKeyWithAValue() throws {
        let sample = SchemaSample(fill: .everyProperty).value(try InlineSchema.parse(Self.object))
        guard case .object(let members) = sample else { Issue.record("not an object: \(sample.text)"); return }
        #expect(Set(members.keys) == ["id", "note", "amount", "kind", "count", "tags", "counts"])
        #expect(members["amount"] == .string("25000.00"))
        #expect(members["kind"] == .string("last"))
        #expect(members["count"] == .integer(3))
        #expect(members["counts"] == .object(["sample": .integer(1)]))
    }

    @Test(arguments: SchemaSample.Fill.allCases)
    func samplesPassTheCheck(_ fill: SchemaSample.Fill) throws {
        let schema = try InlineSchema.parse(Self.object)
        #expect(SchemaCheck().mismatches(SchemaSample(fill: fill).value(schema), schema).isEmpty)
    }

    @Test func allOfMembersMergeIntoOneObject() throws {
        let schema = try InlineSchema.parse(
            #"{"allOf": [{"type": "object", "required": ["a"], "properties": {"a": {"type": "boolean"}}}, {"type": "object", "required": ["b"], "properties": {"b": {"type": "number"}}}]}"#
        )
        #expect(SchemaSample(fill: .requiredOnly).value(schema) == .object(["a": .bool(true), "b": .number(1)]))
    }
}
