import Contracts
import Testing

@Suite struct DroppedKeysTests {
    @Test func aKeyWithAValueThatWasNotKeptIsNamed() {
        let sample = JSONValue.object(["a": .string("x"), "items": .array([.object(["b": .integer(1), "c": .bool(true)])])])
        let kept = JSONValue.object(["a": .string("x"), "items": .array([.object(["b": .integer(1)])])])
        #expect(DroppedKeys.pointers(in: sample, missingFrom: kept) == ["/items/0/c"])
    }

    @Test func aNullLeftOutIsNotDropped() {
        #expect(DroppedKeys.pointers(in: .object(["a": .null]), missingFrom: .object([:])).isEmpty)
    }
}
