import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO

/// The SQL of `loans` and their instalments.
struct LoanStore: Sendable {
    let database: Database
    private var logger: Logger { database.logger }

    /// Creates the loan and its whole schedule; false when the application already has a loan.
    func insert(
        id: UUID, applicationID: UUID, customerID: UUID, schedule: Amortization, disbursedOn: CalendarDate, fees: Money,
        on connection: PostgresConnection
    ) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO loans (id, application_id, customer_id, principal, annual_rate, term_months, emi, disbursed_on, fees_outstanding)
            VALUES (\(id), \(applicationID), \(customerID), \(schedule.principal), \(schedule.annualRate), \(schedule.termMonths),
                    \(schedule.emi), \(disbursedOn), \(fees))
            ON CONFLICT (application_id) DO NOTHING RETURNING id
            """, logger: logger)
        var inserted = false
        for try await _ in rows { inserted = true }
        guard inserted else { return false }
        for instalment in schedule.instalments {
            try await connection.query(
                """
                INSERT INTO instalments (loan_id, number, due_date, payment, principal, interest, balance)
                VALUES (\(id), \(instalment.number), \(disbursedOn.adding(months: instalment.number)), \(instalment.payment),
                        \(instalment.principal), \(instalment.interest), \(instalment.balance))
                """, logger: logger)
        }
        return true
    }

    /// The loan's status and unpaid fees, locked until the transaction ends.
    func lock(
        _ id: UUID, on connection: PostgresConnection
    ) async throws -> (customerID: UUID, status: Loan.Status, fees: Money, applicationID: UUID)? {
        for try await (customer, status, fees, application) in try await connection.query(
            "SELECT customer_id, status, fees_outstanding, application_id FROM loans WHERE id = \(id) FOR UPDATE", logger: logger
        ).decode((UUID, Loan.Status, Money, UUID).self) {
            return (customer, status, fees, application)
        }
        return nil
    }

    /// What is still owed, instalment by instalment.
    func owed(_ id: UUID, on connection: PostgresConnection) async throws -> [PaymentAllocation.Owed] {
        var owed: [PaymentAllocation.Owed] = []
        for try await (number, interest, principal) in try await connection.query(
            """
            SELECT number, interest - paid_interest, principal - paid_principal FROM instalments
            WHERE loan_id = \(id) AND paid_interest + paid_principal < payment ORDER BY number
            """, logger: logger
        ).decode((Int, Money, Money).self) {
            owed.append(.init(number: number, interest: interest, principal: principal))
        }
        return owed
    }

    /// Records a payment and applies its allocation; closes the loan when nothing is owed any more.
    /// Returns the principal still owed.
    func apply(
        _ payment: Payment, allocation: PaymentAllocation.Result, receivedBy: UUID, on connection: PostgresConnection
    ) async throws -> Money {
        try await connection.query(
            """
            INSERT INTO payments (id, loan_id, amount, reference, fees, interest, principal, received_by, created_at)
            VALUES (\(payment.id), \(payment.loanID), \(payment.amount), \(payment.reference), \(allocation.fees),
                    \(allocation.interest), \(allocation.principal), \(receivedBy), \(payment.createdAt))
            """, logger: logger)
        try await connection.query(
            "UPDATE loans SET fees_outstanding = fees_outstanding - \(allocation.fees), version = version + 1 WHERE id = \(payment.loanID)",
            logger: logger)
        for (number, parts) in allocation.settled {
            try await connection.query(
                """
                UPDATE instalments SET paid_interest = paid_interest + \(parts.interest),
                    paid_principal = paid_principal + \(parts.principal)
                WHERE loan_id = \(payment.loanID) AND number = \(number)
                """, logger: logger)
        }
        for try await outstanding in try await connection.query(
            """
            SELECT l.principal - coalesce((SELECT sum(paid_principal) FROM instalments WHERE loan_id = l.id), 0)
            FROM loans l WHERE l.id = \(payment.loanID)
            """, logger: logger
        ).decode(Money.self) {
            return outstanding
        }
        return .zero
    }

    /// What pre-closure needs: unpaid parts of every instalment, the loan's dates, rate and fees.
    func preClosureTerms(
        _ id: UUID, on connection: PostgresConnection? = nil
    ) async throws
        -> (instalments: [PreClosure.Instalment], disbursedOn: CalendarDate, rate: Percent, prepaymentFee: Percent, unpaidFees: Money)?
    {
        let query: PostgresQuery = """
            SELECT l.disbursed_on, l.annual_rate, p.prepayment_fee_percent, l.fees_outstanding
            FROM loans l JOIN applications a ON a.id = l.application_id JOIN products p ON p.id = a.product_id
            WHERE l.id = \(id)
            """
        let rows = try await database.query(query, on: connection)
        var terms: (CalendarDate, Percent, Percent, Money)?
        for try await row in rows.decode((CalendarDate, Percent, Percent, Money).self) {
            terms = row
        }
        guard let terms else { return nil }
        let instalmentQuery: PostgresQuery = """
            SELECT due_date, interest - paid_interest, principal - paid_principal FROM instalments
            WHERE loan_id = \(id) ORDER BY number
            """
        let instalmentRows = try await database.query(instalmentQuery, on: connection)
        var instalments: [PreClosure.Instalment] = []
        for try await (due, interest, principal) in instalmentRows.decode((CalendarDate, Money, Money).self) {
            instalments.append(.init(dueDate: due, unpaidInterest: interest, unpaidPrincipal: principal))
        }
        return (instalments, terms.0, terms.1, terms.2, terms.3)
    }

    /// Settles a loan early: the payment is recorded and every instalment's principal is paid.
    func preClose(_ payment: Payment, receivedBy: UUID, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO payments (id, loan_id, amount, reference, fees, interest, principal, received_by)
            VALUES (\(payment.id), \(payment.loanID), \(payment.amount), \(payment.reference), \(payment.allocation.fees),
                    \(payment.allocation.interest), \(payment.allocation.principal), \(receivedBy))
            """, logger: logger)
        try await connection.query(
            "UPDATE instalments SET paid_principal = principal WHERE loan_id = \(payment.loanID)", logger: logger)
        try await connection.query(
            "UPDATE loans SET fees_outstanding = 0, status = 'closed', version = version + 1 WHERE id = \(payment.loanID)",
            logger: logger)
    }

    func close(_ id: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE loans SET status = 'closed', version = version + 1 WHERE id = \(id)", logger: logger)
    }

    /// Payments matching the ledger's filters, newest first.
    func payments(_ filter: LoanAccountsRPC.Ledger.Request) async throws -> Page<Payment> {
        let from = filter.from?.startOfDay
        let to = filter.to?.adding(days: 1).startOfDay
        return try await payments(
            """
            \(unescaped: Self.paymentSource)
            WHERE (\(filter.loanID)::uuid IS NULL OR p.loan_id = \(filter.loanID))
              AND (\(filter.customerID)::uuid IS NULL OR l.customer_id = \(filter.customerID))
              AND (\(from)::timestamptz IS NULL OR p.created_at >= \(from)) AND (\(to)::timestamptz IS NULL OR p.created_at < \(to))
            """, page: filter.page)
    }

    func payment(_ id: UUID) async throws -> Payment? {
        try await payments("\(unescaped: Self.paymentSource) WHERE p.id = \(id)", page: PageRequest(page: 1, pageSize: 1)).items.first
    }

    /// Payments with the loan they pay (`p` and `l`), for a filter to narrow.
    private static let paymentSource = "FROM payments p JOIN loans l ON l.id = p.loan_id"

    /// `filter`: `paymentSource` and a `WHERE`.
    private func payments(_ filter: PostgresQuery, page: PageRequest) async throws -> Page<Payment> {
        var items: [Payment] = []
        let (total, rows) = try await database.listing(
            select: """
                p.id, p.loan_id, l.customer_id, p.amount, p.reference, p.fees, p.interest, p.principal, p.created_at,
                l.principal - (SELECT coalesce(sum(q.principal), 0) FROM payments q
                               WHERE q.loan_id = p.loan_id AND (q.created_at, q.id) <= (p.created_at, p.id))
                """,
            filter, orderBy: "p.created_at DESC, p.id DESC", limit: page.pageSize, offset: page.offset)
        for try await (id, loanID, customerID, amount, reference, fees, interest, principal, created, outstanding) in rows.decode(
            (UUID, UUID, UUID, Money, String, Money, Money, Money, Date, Money).self)
        {
            items.append(
                Payment(
                    id: id, loanID: loanID, customerID: customerID, amount: amount, reference: reference,
                    allocation: .init(fees: fees, interest: interest, principal: principal),
                    outstandingPrincipal: outstanding, createdAt: created))
        }
        return Page(items: items, request: page, total: total)
    }

    func loan(_ id: UUID) async throws -> Loan? {
        try await loans("\(unescaped: Self.loanSource) WHERE l.id = \(id)", page: PageRequest(page: 1, pageSize: 1)).items.first
    }

    func list(customerID: UUID?, page: PageRequest) async throws -> Page<Loan> {
        try await loans(
            "\(unescaped: Self.loanSource) WHERE (\(customerID)::uuid IS NULL OR l.customer_id = \(customerID))", page: page)
    }

    /// The schedule in instalment order, each with its status as of `today`.
    func schedule(of loanID: UUID, page: PageRequest, today: CalendarDate = .today) async throws -> Page<ScheduledInstalment> {
        // A loan closed early owes nothing more: its remaining instalments are settled.
        let closed = try await loan(loanID)?.status == .closed
        var items: [ScheduledInstalment] = []
        let (total, rows) = try await database.listing(
            select: "number, due_date, payment, principal, interest, balance, paid_principal + paid_interest",
            "FROM instalments WHERE loan_id = \(loanID)", orderBy: "number", limit: page.pageSize, offset: page.offset)
        for try await (number, dueDate, payment, principal, interest, balance, paid) in rows.decode(
            (Int, CalendarDate, Money, Money, Money, Money, Money).self)
        {
            let status: ScheduledInstalment.Status =
                paid >= payment || closed ? .paid : paid > .zero ? .partiallyPaid : dueDate < today ? .overdue : .due
            items.append(
                ScheduledInstalment(
                    number: number, dueDate: dueDate, payment: payment, principal: principal, interest: interest, balance: balance,
                    status: status))
        }
        return Page(items: items, request: page, total: total)
    }

    /// Each loan (`l`) with its first instalment not fully paid (`n`), for a filter to narrow.
    private static let loanSource = """
        FROM loans l
        LEFT JOIN LATERAL (
            SELECT number, due_date, payment, paid_principal, paid_interest FROM instalments i
            WHERE i.loan_id = l.id AND i.paid_principal + i.paid_interest < i.payment ORDER BY number LIMIT 1) n ON true
        """

    /// `filter`: `loanSource` and a `WHERE`.
    private func loans(_ filter: PostgresQuery, page: PageRequest) async throws -> Page<Loan> {
        let (total, rows) = try await database.listing(
            select: """
                l.id, l.application_id, l.customer_id, l.principal, l.annual_rate, l.term_months, l.emi,
                l.disbursed_on, l.status, l.fees_outstanding,
                l.principal - coalesce((SELECT sum(paid_principal) FROM instalments i WHERE i.loan_id = l.id), 0),
                n.number, n.due_date, n.payment - n.paid_principal - n.paid_interest
                """,
            filter, orderBy: "l.created_at DESC, l.id", limit: page.pageSize, offset: page.offset)
        var items: [Loan] = []
        for try await row in rows {
            let (id, application, customer, principal, rate, term, emi, disbursed, status, fees, outstanding, number, due, amount) =
                try row.decode(
                    (UUID, UUID, UUID, Money, Percent, Int, Money, CalendarDate, Loan.Status, Money, Money, Int?, CalendarDate?, Money?)
                        .self)
            // A closed loan owes nothing, however its last instalment's interest was settled (a
            // pre-closure pays accrued interest, not the schedule's). What falls due next includes
            // the unpaid fees, because a payment settles fees first.
            let nextDue: Loan.NextDue? =
                if status == .active, let number, let due, let amount {
                    .init(number: number, dueDate: due, amount: amount + fees)
                } else { nil }
            items.append(
                Loan(
                    id: id, applicationID: application, customerID: customer, principal: principal, annualRate: rate,
                    termMonths: term, emi: emi, disbursedOn: disbursed, status: status,
                    outstandingPrincipal: status == .closed ? .zero : outstanding, outstandingFees: fees, nextDue: nextDue))
        }
        return Page(items: items, request: page, total: total)
    }
}
