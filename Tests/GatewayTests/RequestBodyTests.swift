import Contracts
import Foundation
import Testing

@testable import Gateway

@Suite struct RequestBodyTests {
    private struct Sample: Decodable {
        var email: String
        var fullName: String
        var amounts: [Int]?
        var nested: Nested?
    }

    private struct Nested: Decodable {
        var postCode: String
    }

    private func problem(_ json: String) -> Problem? {
        do {
            _ = try JSON.decoder.decode(Sample.self, from: Data(json.utf8))
            return nil
        } catch let error as DecodingError {
            return RequestBody.problem(for: error)
        } catch {
            return nil
        }
    }

    @Test func malformedJSONIsABadRequest() {
        #expect(problem("{\"email\":")?.status == 400)
        #expect(problem("not json")?.status == 400)
    }

    /// Well-formed JSON of the wrong shape is an invalid value, not a malformed request.
    @Test func aBodyThatIsNotAnObjectIsUnprocessable() {
        for body in ["[1, 2]", "\"text\"", "3"] {
            let refused = problem(body)
            #expect(refused?.status == 422, "\(body)")
            #expect(refused?.errors?.map(\.field) == ["body"], "\(body)")
        }
    }

    @Test func aMissingFieldIsNamedAsTheClientSpellsIt() {
        let missing = problem(#"{"email": "a@b.co"}"#)
        #expect(missing?.status == 422)
        #expect(missing?.errors == [.init(field: "full_name", message: "is required")])
    }

    @Test func wrongTypesAndNullsAreNamedWithTheirPath() {
        #expect(problem(#"{"email": 5, "full_name": "A"}"#)?.errors?.first == .init(field: "email", message: "must be a string"))
        #expect(problem(#"{"email": null, "full_name": "A"}"#)?.errors?.first?.field == "email")
        #expect(problem(#"{"email": "e", "full_name": "A", "amounts": [1, "x"]}"#)?.errors?.first?.field == "amounts[1]")
        #expect(problem(#"{"email": "e", "full_name": "A", "nested": {"post_code": 1}}"#)?.errors?.first?.field == "nested.post_code")
    }
}
