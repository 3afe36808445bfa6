import Foundation

/// A day without a time, written `YYYY-MM-DD` (dates of birth, due dates).
public struct CalendarDate: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// nil unless `text` is a real day in `YYYY-MM-DD` form.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            let date = Self.calendar.date(from: DateComponents(year: year, month: month, day: day)),
            Self.calendar.dateComponents([.year, .month, .day], from: date) == DateComponents(year: year, month: month, day: day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The UTC day of `date`.
    public init(_ date: Date) {
        let components = Self.calendar.dateComponents([.year, .month, .day], from: date)
        self.year = components.year!
        self.month = components.month!
        self.day = components.day!
    }

    public static var today: CalendarDate { CalendarDate(Date()) }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    /// Whole years from this day to `other` (an age, when this is a birthday).
    public func years(until other: CalendarDate) -> Int {
        let age = other.year - year
        return (other.month, other.day) < (month, day) ? age - 1 : age
    }

    /// The day's first instant, in UTC (the platform's days are UTC days).
    public var startOfDay: Date {
        Self.calendar.date(from: DateComponents(year: year, month: month, day: day))!
    }

    public func adding(days: Int) -> CalendarDate {
        CalendarDate(Self.calendar.date(byAdding: .day, value: days, to: startOfDay)!)
    }

    /// The same day `months` later (or earlier), or the last day of that month when it is
    /// shorter: January 31 plus one month is February 28 (29 in a leap year).
    public func adding(months: Int) -> CalendarDate {
        CalendarDate(Self.calendar.date(byAdding: .month, value: months, to: startOfDay)!)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let date = CalendarDate(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be a date such as 1990-04-23")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
