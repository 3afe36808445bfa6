import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO
import ServiceKit

/// Marks instalments that passed their due date unpaid, and says so once per instalment (for
/// notifications and the portfolio). Safe with several replicas: one sweeps at a time (`transactionAlone`).
struct OverdueSweeper: Sendable {
    let database: Database
    let logger: Logger

    /// Sweeps every `interval`, for the life of the service.
    func periodically(every interval: Duration) -> PeriodicTask {
        PeriodicTask("overdue sweep", every: interval, logger: logger) {
            let marked = try await sweep()
            if marked > 0 { logger.info("instalments marked overdue", metadata: ["count": "\(marked)"]) }
        }
    }

    /// One sweep; returns how many instalments it marked (0 when another replica holds the lock).
    func sweep(today: CalendarDate = .today) async throws -> Int {
        try await database.transactionAlone(lock: "loans:overdue-sweep") { connection in
            let rows = try await connection.query(
                """
                UPDATE instalments i SET overdue_since = i.due_date
                FROM loans l
                WHERE l.id = i.loan_id AND l.status = 'active' AND i.overdue_since IS NULL
                  AND i.due_date < \(today) AND i.paid_principal + i.paid_interest < i.payment
                RETURNING i.loan_id, l.customer_id, i.number, i.due_date, i.payment - i.paid_principal - i.paid_interest
                """, logger: logger)
            var marked = 0
            for try await (loan, customer, number, due, amount) in rows.decode((UUID, UUID, Int, CalendarDate, Money).self) {
                try await database.outbox.publish(
                    LoansEvents.InstalmentOverdue(
                        loanID: loan, customerID: customer, number: number, dueDate: due, amountDue: amount, occurredAt: Date()),
                    on: connection)
                marked += 1
            }
            return marked
        } ?? 0
    }
}
