import Testing

@testable import Gateway

@Suite struct JSONShapeTests {
    private func check(_ text: String) -> JSONShape.Violation? { JSONShape.violation(in: Array(text.utf8)) }

    @Test func ordinaryBodiesPass() {
        #expect(check(#"{"a": 1, "b": [1, 2, {"a": "x,y:{}"}], "c": {"a": true, "b": -1.5e10}}"#) == nil)
        #expect(check(#"{"quote \" in key": 1, "other": "\\"}"#) == nil)
    }

    @Test func aKeyTwiceInOneObjectIsRefused() {
        #expect(check(#"{"amount": "1.00", "term": 2, "amount": "9.00"}"#) == .duplicateKey("amount"))
        // The same key in two different objects is fine.
        #expect(check(#"{"a": {"x": 1}, "b": {"x": 2}}"#) == nil)
        #expect(check(#"[{"x": 1}, {"x": 2}]"#) == nil)
    }

    @Test func deepNestingIsRefused() {
        #expect(check(String(repeating: "[", count: 33) + String(repeating: "]", count: 33)) == .tooDeep)
        #expect(check(String(repeating: "[", count: 32) + String(repeating: "]", count: 32)) == nil)
    }

    @Test func nulCharactersAreRefusedButAnEscapedBackslashIsNot() {
        #expect(check(#"{"full_name": "Ada\u0000"}"#) == .nulCharacter)
        #expect(check(#"{"full_name": "C:\\u0000"}"#) == nil)
    }

    @Test func hugeNumbersAndInvalidUTF8AreRefused() {
        #expect(check(#"{"term_months": 1\#(String(repeating: "0", count: 400))}"#) == .numberTooLong)
        #expect(JSONShape.violation(in: Array(#"{"a": ""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)) == .notUTF8)
    }
}
