import PostgresNIO

/// Recognises the database being away (restarting, unreachable, shutting down): a passing
/// condition that callers should retry after, answered `503` rather than treated as a fault.
public enum DatabaseOutage {
    /// Whether `error` says the database is away rather than that the work was wrong.
    ///
    /// - Returns: true for a lost or refused connection, and for a server shutting down or
    ///   starting up (SQLSTATE class `08`, `57P0x`), also inside a failed transaction; false for
    ///   everything else, such as a constraint violation or an ``UnreadableRow``.
    public static func matches(_ error: any Error) -> Bool {
        if let transaction = error as? PostgresTransactionError {
            return [transaction.beginError, transaction.closureError, transaction.commitError, transaction.rollbackError]
                .contains { $0.map(matches) ?? false }
        }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            return true
        case .server:
            // Class 08: connection exceptions; 57P0x: the server shutting down or starting up.
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("08") || state.hasPrefix("57P")
        default:
            return false
        }
    }
}
