import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO
import ServiceLifecycle

/// Marks instalments that passed their due date unpaid, and says so once per instalment (for
/// notifications and the portfolio). Safe with several replicas: each sweep runs in a transaction
/// holding a transaction-level advisory lock that only one replica gets; the others skip that tick.
struct OverdueSweeper: Service {
    let database: Database
    let interval: Duration
    let logger: Logger
    private static let lockKey = "loans:overdue-sweep"

    func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                let marked = try await sweep()
                if marked > 0 { logger.info("instalments marked overdue", metadata: ["count": "\(marked)"]) }
            } catch {
                logger.warning("overdue sweep failed, will retry", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// One sweep; returns how many instalments it marked (0 when another replica holds the lock).
    func sweep(today: CalendarDate = .today) async throws -> Int {
        try await database.transaction { connection in
            var locked = false
            for try await got in try await connection.query(
                "SELECT pg_try_advisory_xact_lock(hashtext(\(Self.lockKey)))", logger: logger
            ).decode(Bool.self) { locked = got }
            guard locked else { return 0 }
            let rows = try await connection.query(
                """
                UPDATE loans.instalments i SET overdue_since = i.due_date
                FROM loans.loans l
                WHERE l.id = i.loan_id AND l.status = 'active' AND i.overdue_since IS NULL
                  AND i.due_date < \(today.description)::date AND i.paid_principal + i.paid_interest < i.payment
                RETURNING i.loan_id, l.customer_id, i.number, i.due_date::text, i.payment - i.paid_principal - i.paid_interest
                """, logger: logger)
            var marked = 0
            for try await (loan, customer, number, due, amount) in rows.decode((UUID, UUID, Int, String, Decimal).self) {
                try await database.outbox.publish(
                    LoansEvents.InstalmentOverdue(
                        loanID: loan, customerID: customer, number: number, dueDate: CalendarDate(due) ?? today,
                        amountDue: Money(amount), occurredAt: Date()), on: connection)
                marked += 1
            }
            return marked
        }
    }
}
