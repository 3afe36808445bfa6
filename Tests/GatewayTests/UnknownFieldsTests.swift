import Contracts
import Testing

@testable import Gateway

@Suite struct UnknownFieldsTests {
    private func first(_ sent: String, _ understood: String) throws -> String? {
        UnknownFields.first(sent: try JSONValue(parsing: Array(sent.utf8)), understood: try JSONValue(parsing: Array(understood.utf8)))
    }

    @Test func namesTheFirstFieldTheEndpointDoesNotRead() throws {
        #expect(try first(#"{"a": 1, "b": 2}"#, #"{"a": 1}"#) == "b")
        #expect(try first(#"{"p": {"x": 1, "y": 2}}"#, #"{"p": {"x": 1}}"#) == "p.y")
        #expect(try first(#"{"items": [{"x": 1}, {"x": 1, "z": 0}]}"#, #"{"items": [{"x": 1}, {"x": 1}]}"#) == "items[1].z")
    }

    @Test func anOptionalFieldSentAsNullIsKnown() throws {
        #expect(try first(#"{"a": 1, "phone": null}"#, #"{"a": 1}"#) == nil)
        #expect(try first(#"{"a": "1.0"}"#, #"{"a": "1.00"}"#) == nil)
    }
}
