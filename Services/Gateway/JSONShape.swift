import Foundation

/// What a JSON parser accepts but an API should not take: text that is not UTF-8, nesting deep
/// enough to exhaust a decoder's stack, an object naming one key twice (which value counts would
/// depend on the parser), numbers too long to be any field's value, and NUL characters. Checked in one pass over
/// the bytes before decoding; anything else malformed is left to the decoder.
enum JSONShape {
    static let maximumDepth = 32
    static let maximumNumberLength = 40

    enum Violation: Equatable, Sendable {
        case notUTF8
        case tooDeep
        case duplicateKey(String)
        case numberTooLong
        /// `\u0000` in a string: no text field holds one, and PostgreSQL cannot store one.
        case nulCharacter
    }

    static func violation(in bytes: [UInt8]) -> Violation? {
        guard String(validating: bytes, as: UTF8.self) != nil else { return .notUTF8 }
        // Per open container: the keys seen (nil for an array) and whether a key comes next.
        var containers: [(keys: Set<[UInt8]>?, expectingKey: Bool)] = []
        var index = 0
        var numberLength = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte.isNumberCharacter {
                numberLength += 1
                if numberLength > maximumNumberLength { return .numberTooLong }
                index += 1
                continue
            }
            numberLength = 0
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                containers.append((byte == UInt8(ascii: "{") ? [] : nil, byte == UInt8(ascii: "{")))
                if containers.count > maximumDepth { return .tooDeep }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = containers.popLast()
            case UInt8(ascii: ","):
                if let last = containers.indices.last, containers[last].keys != nil { containers[last].expectingKey = true }
            case UInt8(ascii: "\""):
                let start = index + 1
                index = start
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") {
                        if bytes[index...].starts(with: Array(#"\u0000"#.utf8)) { return .nulCharacter }
                        index += 2
                    } else {
                        index += 1
                    }
                }
                if let last = containers.indices.last, containers[last].expectingKey {
                    let key = Array(bytes[start..<min(index, bytes.count)])
                    if containers[last].keys?.insert(key).inserted == false {
                        return .duplicateKey(String(decoding: key, as: UTF8.self))
                    }
                    containers[last].expectingKey = false
                }
            default:
                break
            }
            index += 1
        }
        return nil
    }
}

extension UInt8 {
    fileprivate var isNumberCharacter: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || self == UInt8(ascii: "-") || self == UInt8(ascii: "+")
            || self == UInt8(ascii: ".") || self == UInt8(ascii: "e") || self == UInt8(ascii: "E")
    }
}
