import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO

/// The SQL of `loans.loans` and their instalments.
struct LoanStore: Sendable {
    let database: Database
    private var logger: Logger { database.logger }

    /// Creates the loan and its whole schedule; false when the application already has a loan.
    func insert(
        id: UUID, applicationID: UUID, customerID: UUID, schedule: Amortization, disbursedOn: CalendarDate, fees: Money,
        on connection: PostgresConnection
    ) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(id)
        binds.append(applicationID)
        binds.append(customerID)
        try binds.append(schedule.principal.decimal)
        try binds.append(schedule.annualRate.decimal)
        binds.append(schedule.termMonths)
        try binds.append(schedule.emi.decimal)
        binds.append(disbursedOn.description)
        try binds.append(fees.decimal)
        let rows = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO loans.loans (id, application_id, customer_id, principal, annual_rate, term_months, emi, disbursed_on, fees_outstanding)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8::date, $9) ON CONFLICT (application_id) DO NOTHING RETURNING id
                    """, binds: binds), logger: logger)
        var inserted = false
        for try await _ in rows { inserted = true }
        guard inserted else { return false }
        for instalment in schedule.instalments {
            var binds = PostgresBindings()
            binds.append(id)
            binds.append(instalment.number)
            binds.append(disbursedOn.adding(months: instalment.number).description)
            try binds.append(instalment.payment.decimal)
            try binds.append(instalment.principal.decimal)
            try binds.append(instalment.interest.decimal)
            try binds.append(instalment.balance.decimal)
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO loans.instalments (loan_id, number, due_date, payment, principal, interest, balance)
                        VALUES ($1, $2, $3::date, $4, $5, $6, $7)
                        """, binds: binds), logger: logger)
        }
        return true
    }

    /// The loan's status and unpaid fees, locked until the transaction ends.
    func lock(_ id: UUID, on connection: PostgresConnection) async throws -> (customerID: UUID, status: String, fees: Money, applicationID: UUID)? {
        for try await (customer, status, fees, application) in try await connection.query(
            "SELECT customer_id, status, fees_outstanding, application_id FROM loans.loans WHERE id = \(id) FOR UPDATE", logger: logger
        ).decode((UUID, String, Decimal, UUID).self) {
            return (customer, status, Money(fees), application)
        }
        return nil
    }

    /// What is still owed, instalment by instalment.
    func owed(_ id: UUID, on connection: PostgresConnection) async throws -> [PaymentAllocation.Owed] {
        var owed: [PaymentAllocation.Owed] = []
        for try await (number, interest, principal) in try await connection.query(
            """
            SELECT number, interest - paid_interest, principal - paid_principal FROM loans.instalments
            WHERE loan_id = \(id) AND paid_interest + paid_principal < payment ORDER BY number
            """, logger: logger
        ).decode((Int, Decimal, Decimal).self) {
            owed.append(.init(number: number, interest: Money(interest), principal: Money(principal)))
        }
        return owed
    }

    /// Records a payment and applies its allocation; closes the loan when nothing is owed any more.
    /// Returns the principal still owed.
    func apply(
        _ payment: Payment, allocation: PaymentAllocation.Result, receivedBy: UUID, on connection: PostgresConnection
    ) async throws -> Money {
        var binds = PostgresBindings()
        binds.append(payment.id)
        binds.append(payment.loanID)
        try binds.append(payment.amount.decimal)
        binds.append(payment.reference)
        try binds.append(allocation.fees.decimal)
        try binds.append(allocation.interest.decimal)
        try binds.append(allocation.principal.decimal)
        binds.append(receivedBy)
        binds.append(payment.createdAt)
        try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO loans.payments (id, loan_id, amount, reference, fees, interest, principal, received_by, created_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                    """, binds: binds), logger: logger)
        try await connection.query(
            "UPDATE loans.loans SET fees_outstanding = fees_outstanding - \(allocation.fees.decimal), version = version + 1 WHERE id = \(payment.loanID)",
            logger: logger)
        for (number, parts) in allocation.settled {
            try await connection.query(
                """
                UPDATE loans.instalments SET paid_interest = paid_interest + \(parts.interest.decimal),
                    paid_principal = paid_principal + \(parts.principal.decimal)
                WHERE loan_id = \(payment.loanID) AND number = \(number)
                """, logger: logger)
        }
        for try await outstanding in try await connection.query(
            """
            SELECT l.principal - coalesce((SELECT sum(paid_principal) FROM loans.instalments WHERE loan_id = l.id), 0)
            FROM loans.loans l WHERE l.id = \(payment.loanID)
            """, logger: logger
        ).decode(Decimal.self) {
            return Money(outstanding)
        }
        return .zero
    }

    /// What pre-closure needs: unpaid parts of every instalment, the loan's dates, rate and fees.
    func preClosureTerms(_ id: UUID, on connection: PostgresConnection? = nil) async throws
        -> (instalments: [PreClosure.Instalment], disbursedOn: CalendarDate, rate: Percent, prepaymentFee: Percent, unpaidFees: Money)?
    {
        let query: PostgresQuery = """
            SELECT l.disbursed_on::text, l.annual_rate, p.prepayment_fee_percent, l.fees_outstanding
            FROM loans.loans l JOIN loans.applications a ON a.id = l.application_id JOIN loans.products p ON p.id = a.product_id
            WHERE l.id = \(id)
            """
        let rows = try await database.query(query, on: connection)
        var terms: (CalendarDate, Percent, Percent, Money)?
        for try await (disbursed, rate, fee, fees) in rows.decode((String, Decimal, Decimal, Decimal).self) {
            terms = (CalendarDate(disbursed) ?? .today, Percent(rate), Percent(fee), Money(fees))
        }
        guard let terms else { return nil }
        let instalmentQuery: PostgresQuery = """
            SELECT due_date::text, interest - paid_interest, principal - paid_principal FROM loans.instalments
            WHERE loan_id = \(id) ORDER BY number
            """
        let instalmentRows = try await database.query(instalmentQuery, on: connection)
        var instalments: [PreClosure.Instalment] = []
        for try await (due, interest, principal) in instalmentRows.decode((String, Decimal, Decimal).self) {
            instalments.append(.init(dueDate: CalendarDate(due) ?? .today, unpaidInterest: Money(interest), unpaidPrincipal: Money(principal)))
        }
        return (instalments, terms.0, terms.1, terms.2, terms.3)
    }

    /// Settles a loan early: the payment is recorded and every instalment's principal is paid.
    func preClose(_ payment: Payment, receivedBy: UUID, on connection: PostgresConnection) async throws {
        var binds = PostgresBindings()
        binds.append(payment.id)
        binds.append(payment.loanID)
        try binds.append(payment.amount.decimal)
        binds.append(payment.reference)
        try binds.append(payment.allocation.fees.decimal)
        try binds.append(payment.allocation.interest.decimal)
        try binds.append(payment.allocation.principal.decimal)
        binds.append(receivedBy)
        try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO loans.payments (id, loan_id, amount, reference, fees, interest, principal, received_by)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                    """, binds: binds), logger: logger)
        try await connection.query(
            "UPDATE loans.instalments SET paid_principal = principal WHERE loan_id = \(payment.loanID)", logger: logger)
        try await connection.query(
            "UPDATE loans.loans SET fees_outstanding = 0, status = 'closed', version = version + 1 WHERE id = \(payment.loanID)",
            logger: logger)
    }

    func close(_ id: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("UPDATE loans.loans SET status = 'closed', version = version + 1 WHERE id = \(id)", logger: logger)
    }

    /// Payments matching the ledger's filters, newest first.
    func payments(_ filter: LoanAccountsRPC.Ledger.Request) async throws -> Page<Payment> {
        var binds = PostgresBindings()
        binds.append(filter.loanID)
        binds.append(filter.customerID)
        binds.append(filter.from?.startOfDay)
        binds.append(filter.to?.adding(days: 1).startOfDay)
        return try await payments(
            where: """
                ($1::uuid IS NULL OR p.loan_id = $1) AND ($2::uuid IS NULL OR l.customer_id = $2)
                AND ($3::timestamptz IS NULL OR p.created_at >= $3) AND ($4::timestamptz IS NULL OR p.created_at < $4)
                """, binds: binds, page: filter.page)
    }

    func payment(_ id: UUID) async throws -> Payment? {
        try await payments(where: "p.id = $1", binds: Self.binds(id), page: PageRequest(page: 1, pageSize: 1)).items.first
    }

    private func payments(where condition: String, binds: PostgresBindings, page: PageRequest) async throws -> Page<Payment> {
        var items: [Payment] = []
        let (total, rows) = try await database.listing(
            select: """
                p.id, p.loan_id, l.customer_id, p.amount, p.reference, p.fees, p.interest, p.principal, p.created_at,
                l.principal - (SELECT coalesce(sum(q.principal), 0) FROM loans.payments q
                               WHERE q.loan_id = p.loan_id AND (q.created_at, q.id) <= (p.created_at, p.id))
                """,
            "FROM loans.payments p JOIN loans.loans l ON l.id = p.loan_id WHERE \(condition)", binds: binds,
            orderBy: "p.created_at DESC, p.id DESC", limit: page.pageSize, offset: page.offset)
        for try await (id, loanID, customerID, amount, reference, fees, interest, principal, created, outstanding) in rows.decode(
            (UUID, UUID, UUID, Decimal, String, Decimal, Decimal, Decimal, Date, Decimal).self)
        {
            items.append(Payment(
                id: id, loanID: loanID, customerID: customerID, amount: Money(amount), reference: reference,
                allocation: .init(fees: Money(fees), interest: Money(interest), principal: Money(principal)),
                outstandingPrincipal: Money(outstanding), createdAt: created))
        }
        return Page(items: items, request: page, total: total)
    }

    func loan(_ id: UUID) async throws -> Loan? {
        try await loans(where: "l.id = $1", binds: Self.binds(id), page: PageRequest(page: 1, pageSize: 1)).items.first
    }

    func list(customerID: UUID?, page: PageRequest) async throws -> Page<Loan> {
        var binds = PostgresBindings()
        binds.append(customerID)
        return try await loans(where: "($1::uuid IS NULL OR l.customer_id = $1)", binds: binds, page: page)
    }

    /// The schedule in instalment order, each with its status as of `today`.
    func schedule(of loanID: UUID, page: PageRequest, today: CalendarDate = .today) async throws -> Page<ScheduledInstalment> {
        // A loan closed early owes nothing more: its remaining instalments are settled.
        let closed = try await loan(loanID)?.status == .closed
        var items: [ScheduledInstalment] = []
        let (total, rows) = try await database.listing(
            select: "number, due_date::text, payment, principal, interest, balance, paid_principal + paid_interest",
            "FROM loans.instalments WHERE loan_id = $1", binds: Self.binds(loanID), orderBy: "number",
            limit: page.pageSize, offset: page.offset)
        for try await (number, due, payment, principal, interest, balance, paid) in rows.decode(
            (Int, String, Decimal, Decimal, Decimal, Decimal, Decimal).self)
        {
            let dueDate = CalendarDate(due) ?? today
            let status: ScheduledInstalment.Status =
                paid >= payment || closed ? .paid : paid > 0 ? .partiallyPaid : dueDate < today ? .overdue : .due
            items.append(ScheduledInstalment(
                number: number, dueDate: dueDate, payment: Money(payment), principal: Money(principal), interest: Money(interest),
                balance: Money(balance), status: status))
        }
        return Page(items: items, request: page, total: total)
    }

    private func loans(where condition: String, binds: PostgresBindings, page: PageRequest) async throws -> Page<Loan> {
        let (total, rows) = try await database.listing(
            select: """
                l.id, l.application_id, l.customer_id, l.principal, l.annual_rate, l.term_months, l.emi,
                l.disbursed_on::text, l.status, l.fees_outstanding,
                l.principal - coalesce((SELECT sum(paid_principal) FROM loans.instalments i WHERE i.loan_id = l.id), 0),
                n.number, n.due_date::text, n.payment - n.paid_principal - n.paid_interest
                """,
            """
            FROM loans.loans l
            LEFT JOIN LATERAL (
                SELECT number, due_date, payment, paid_principal, paid_interest FROM loans.instalments i
                WHERE i.loan_id = l.id AND i.paid_principal + i.paid_interest < i.payment ORDER BY number LIMIT 1) n ON true
            WHERE \(condition)
            """, binds: binds, orderBy: "l.created_at DESC, l.id", limit: page.pageSize, offset: page.offset)
        var items: [Loan] = []
        for try await row in rows {
            let (id, application, customer, principal, rate, term, emi, disbursed, statusText, fees, outstanding, number, due, amount) = try row.decode(
                (UUID, UUID, UUID, Decimal, Decimal, Int, Decimal, String, String, Decimal, Decimal, Int?, String?, Decimal?).self)
            let status = Loan.Status(rawValue: statusText) ?? .active
            // A closed loan owes nothing, however its last instalment's interest was settled (a
            // pre-closure pays accrued interest, not the schedule's). What falls due next includes
            // the unpaid fees, because a payment settles fees first.
            let nextDue: Loan.NextDue? =
                if status == .active, let number, let due = due.flatMap(CalendarDate.init), let amount {
                    .init(number: number, dueDate: due, amount: Money(amount + fees))
                } else { nil }
            items.append(Loan(
                id: id, applicationID: application, customerID: customer, principal: Money(principal), annualRate: Percent(rate),
                termMonths: term, emi: Money(emi), disbursedOn: CalendarDate(disbursed) ?? .today, status: status,
                outstandingPrincipal: status == .closed ? .zero : Money(outstanding), outstandingFees: Money(fees), nextDue: nextDue))
        }
        return Page(items: items, request: page, total: total)
    }

    private static func binds(_ id: UUID) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(id)
        return binds
    }
}
