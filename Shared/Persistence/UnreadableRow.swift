import Contracts
import Logging
import Metrics
import PostgresNIO

/// A row that the schema allowed but the code cannot read: a column postgres-nio could not decode
/// (a status the enum does not know, an `infinity` date), or a row a store found inconsistent. It
/// is a bug or a hand edit, never bad input, so it is never read as a default value: the request
/// fails, and the fault is logged and counted in `store_unreadable_rows_total`.
public struct UnreadableRow: Error, CustomStringConvertible {
    public let description: String

    /// - Parameter what: which row and what is wrong with it, for the log, e.g.
    ///   `"no workflow for application \(id)"`.
    public init(_ what: String) {
        self.description = "unreadable row: \(what)"
    }

    /// `error` as an unreadable row, when it is one (or a transaction failed with one).
    public init?(_ error: any Error) {
        switch error {
        case let row as UnreadableRow:
            self = row
        case let decoding as PostgresDecodingError:
            self.init("column \(decoding.columnName) (\(decoding.postgresType)) is not a \(decoding.targetType)")
        case let transaction as PostgresTransactionError:
            guard let inner = transaction.closureError.flatMap(UnreadableRow.init) else { return nil }
            self = inner
        default:
            return nil
        }
    }

    private static let count = Counter(label: "store_unreadable_rows_total")

    /// Logs and counts `error` if it is an unreadable row; returns whether it was.
    public static func report(_ error: any Error, logger: Logger) -> Bool {
        guard let row = UnreadableRow(error) else { return false }
        logger.error("\(row)")
        count.increment()
        return true
    }
}

extension UnreadableRow {
    /// The JSON text of a column as `Value`, or an `UnreadableRow` naming the column: a stored
    /// document that does not decode is a fault like any other unreadable column.
    public static func json<Value: Decodable>(_ type: Value.Type, from text: String, column: String) throws -> Value {
        do {
            return try JSON.decode(type, from: Array(text.utf8))
        } catch {
            throw UnreadableRow("column \(column) is not a \(Value.self): \(error)")
        }
    }
}
