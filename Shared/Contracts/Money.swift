import Foundation

/// An exact amount with two decimal places, written as a JSON string (`"25000.00"`), never a
/// binary floating-point number. Stored as PostgreSQL `numeric(18,2)`.
public struct Money: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let decimal: Decimal

    /// Rounds to the cent, half away from zero.
    public init(_ decimal: Decimal) {
        self.decimal = decimal.rounded(scale: 2)
    }

    /// Parses `"1234"`, `"1234.5"` or `"1234.56"`; nil for anything else (more places, signs, spaces, exponents).
    public init?(_ text: String) {
        guard let value = Self.parse(text, places: 2) else { return nil }
        self.decimal = value
    }

    public static let zero = Money(Decimal(0))

    public var description: String { Self.format(decimal, places: 2) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let money = Money(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "must be an amount with at most two decimals, such as \"25000.00\"")
        }
        self = money
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.decimal < rhs.decimal }
    public static func + (lhs: Money, rhs: Money) -> Money { Money(lhs.decimal + rhs.decimal) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(lhs.decimal - rhs.decimal) }

    static func parse(_ text: String, places: Int) -> Decimal? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty, whole.count <= 16,
            whole.allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        if parts.count == 2 {
            let fraction = parts[1]
            guard (1...places).contains(fraction.count), fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// - Returns: `value` rounded to `places` decimals (half away from zero) and written with exactly
    ///   that many: `format(25000, places: 2)` is `"25000.00"`.
    public static func format(_ value: Decimal, places: Int) -> String {
        let rounded = value.rounded(scale: places)
        var text = NSDecimalNumber(decimal: rounded).stringValue
        if !text.contains(".") { text += "." }
        let decimals = text.split(separator: ".", omittingEmptySubsequences: false)[1].count
        return text + String(repeating: "0", count: places - decimals)
    }
}

/// An annual rate in percent with up to two decimals, written as a string (`"11.50"`).
public struct Percent: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let decimal: Decimal

    public init(_ decimal: Decimal) {
        self.decimal = decimal.rounded(scale: 2)
    }

    /// nil unless `text` is a rate from 0 to 100 with at most two decimals, such as `"11.5"`.
    public init?(_ text: String) {
        guard let value = Money.parse(text, places: 2), value <= 100 else { return nil }
        self.decimal = value
    }

    public var description: String { Money.format(decimal, places: 2) }

    /// The rate as a fraction per month: 12 % a year is 0.01 a month.
    public var monthlyFraction: Decimal { decimal / 1200 }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let percent = Percent(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "must be a percentage from 0 to 100 with at most two decimals, such as \"11.50\"")
        }
        self = percent
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static func < (lhs: Percent, rhs: Percent) -> Bool { lhs.decimal < rhs.decimal }
}

extension Decimal {
    /// Rounded to `scale` places, half away from zero (the cent rounding of loan statements).
    public func rounded(scale: Int) -> Decimal {
        var value = self
        var result = Decimal()
        NSDecimalRound(&result, &value, scale, .plain)
        return result
    }
}
