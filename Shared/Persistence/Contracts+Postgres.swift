import Contracts
import Foundation
import NIOCore
import PostgresNIO

// The contract's value types as PostgreSQL values, so that stores bind and read them as they are:
// no `.decimal`, no dates through text, no statuses compared as strings. They live here rather
// than in Contracts, which client code uses without PostgreSQL.

/// An exact decimal stored as `numeric`: amounts (`numeric(18,2)`) and rates (`numeric(5,2)`).
public protocol StoredAsNumeric: PostgresNonThrowingEncodable, PostgresDecodable {
    var decimal: Decimal { get }
    init(_ decimal: Decimal)
}

extension StoredAsNumeric {
    public static var psqlType: PostgresDataType { Decimal.psqlType }
    public static var psqlFormat: PostgresFormat { Decimal.psqlFormat }

    public func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        decimal.encode(into: &buffer, context: context)
    }

    public init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        self.init(try Decimal(from: &buffer, type: type, format: format, context: context))
    }
}

extension Money: StoredAsNumeric {}
extension Percent: StoredAsNumeric {}

/// `date`: on the wire, days since 2000-01-01.
extension CalendarDate: PostgresNonThrowingEncodable, PostgresDecodable {
    public static var psqlType: PostgresDataType { .date }
    public static var psqlFormat: PostgresFormat { .binary }

    /// 2000-01-01 in days since 1970-01-01.
    private static let postgresEpochDay = 10_957
    private static let secondsPerDay = 86_400.0

    public func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        let days = Int((startOfDay.timeIntervalSince1970 / Self.secondsPerDay).rounded()) - Self.postgresEpochDay
        buffer.writeInteger(Int32(days))
    }

    public init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        switch (format, type) {
        case (.binary, .date):
            // `infinity` and `-infinity` are the extremes of the range; no platform date is either.
            guard buffer.readableBytes == 4, let days = buffer.readInteger(as: Int32.self), days != .max, days != .min else {
                throw PostgresDecodingError.Code.failure
            }
            self.init(Date(timeIntervalSince1970: Double(Int(days) + Self.postgresEpochDay) * Self.secondsPerDay))
        case (.text, .date), (_, .text), (_, .varchar):
            guard let text = buffer.readString(length: buffer.readableBytes), let date = CalendarDate(text) else {
                throw PostgresDecodingError.Code.failure
            }
            self = date
        default:
            throw PostgresDecodingError.Code.typeMismatch
        }
    }
}

/// An enum stored in a `text` column as its raw value: statuses and kinds. A value the enum does
/// not know fails to decode (an `UnreadableRow`), never becomes a default.
/// Arrays of them are `text[]` (a product's required documents).
public protocol StoredAsText: PostgresCodable, PostgresArrayEncodable, PostgresArrayDecodable, RawRepresentable
where RawValue == String {}

extension StoredAsText {
    public static var psqlArrayType: PostgresDataType { .textArray }
    public static var psqlType: PostgresDataType { String.psqlType }
    public static var psqlFormat: PostgresFormat { String.psqlFormat }

    public func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        rawValue.encode(into: &buffer, context: context)
    }

    public init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard let value = Self(rawValue: try String(from: &buffer, type: type, format: format, context: context)) else {
            throw PostgresDecodingError.Code.failure
        }
        self = value
    }
}

extension ApplicationStatus: StoredAsText {}
extension ProductType: StoredAsText {}
extension DocumentType: StoredAsText {}
extension EmploymentType: StoredAsText {}
extension Role: StoredAsText {}
extension AuthRPC.AccountStatus: StoredAsText {}
extension ApprovalDecision: StoredAsText {}
extension ApprovalStage.Status: StoredAsText {}
extension ApprovalsEvents.StageAssigned.Reason: StoredAsText {}
extension AnalysisEvents.Recommendation: StoredAsText {}
extension Ticket.Status: StoredAsText {}
extension Ticket.Priority: StoredAsText {}
extension Loan.Status: StoredAsText {}
extension ScheduledInstalment.Status: StoredAsText {}
extension WebhookDelivery.Status: StoredAsText {}
