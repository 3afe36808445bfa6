import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO

/// The portfolio, approval and ticket figures, read from the event store: every figure is a
/// query over what the services announced, so a report can be added or changed without a
/// migration of its own.
struct Reports: Sendable {
    let database: Database
    private var logger: Logger { database.logger }

    /// The latest event of `type` per entity (`key` names the entity in the payload). Events carry
    /// their time to the second, so `tieBreak` orders those of one second (arrival order, `seq`,
    /// is not the order they happened in when consumers run concurrently).
    private static func latest(_ type: String, by key: String, tieBreak: String? = nil) -> String {
        """
        SELECT DISTINCT ON (payload->>'\(key)') payload->>'\(key)' AS id, payload, occurred_at
        FROM events WHERE type = '\(type)'
        ORDER BY payload->>'\(key)', payload->>'occurred_at' DESC, \(tieBreak.map { "\($0) DESC, " } ?? "")seq DESC
        """
    }

    /// How far along its lifecycle an application status is, to order moves made in one second.
    private static let statusProgress = """
        CASE payload->>'to' WHEN 'submitted' THEN 0 WHEN 'under_analysis' THEN 1 WHEN 'pending_approval' THEN 2
            WHEN 'documents_requested' THEN 2 WHEN 'approved' THEN 3 WHEN 'disbursed' THEN 4 ELSE 5 END
        """

    /// The window as instants: from the start of its first day to the end of its last (unbounded
    /// where it has no date).
    private static func period(_ window: AnalyticsRPC.Window) -> (from: Date, to: Date) {
        (window.from?.startOfDay ?? Date.distantPast, window.to?.adding(days: 1).startOfDay ?? Date.distantFuture)
    }

    /// `WITH apps AS (…), ` then `rest`: `apps` are the applications submitted within the window (of
    /// one product, and one client's, if asked). The window's binds are all in `apps`; `rest` is
    /// SQL of this file.
    private static func overApplications(in window: AnalyticsRPC.Window, _ rest: String) -> PostgresQuery {
        let (from, to) = period(window)
        let product = window.productID?.uuidString
        let customer = window.customerID?.uuidString
        return """
            WITH apps AS (
                SELECT payload->>'application_id' AS id, (payload->>'amount')::numeric AS amount, occurred_at AS submitted_at
                FROM events
                WHERE type = 'loans.application.submitted.v1' AND occurred_at >= \(from) AND occurred_at < \(to)
                  AND (\(product)::text IS NULL OR lower(payload->>'product_id') = lower(\(product)))
                  AND (\(customer)::text IS NULL OR lower(payload->>'customer_id') = lower(\(customer)))),
            \(unescaped: rest)
            """
    }

    func portfolio(_ window: AnalyticsRPC.Window) async throws -> AnalyticsRPC.Portfolio.Response {
        let query = Self.overApplications(
            in: window,
            """
            status AS (\(Self.latest("loans.application.status_changed.v1", by: "application_id", tieBreak: Self.statusProgress))),
            risk AS (\(Self.latest("analysis.completed.v1", by: "application_id"))),
            loans AS (SELECT payload->>'loan_id' AS loan, payload->>'application_id' AS app, (payload->>'principal')::numeric AS principal
                      FROM events WHERE type = 'loans.loan.disbursed.v1'),
            paid AS (\(Self.latest("loans.payment.received.v1", by: "loan_id")))
            SELECT coalesce(s.payload->>'to', 'submitted'), a.amount, (r.payload->>'risk_score')::numeric, l.principal,
                coalesce((p.payload->>'outstanding_principal')::numeric, l.principal)
            FROM apps a LEFT JOIN status s ON s.id = a.id LEFT JOIN risk r ON r.id = a.id LEFT JOIN loans l ON l.app = a.id
                LEFT JOIN paid p ON p.id = l.loan
            """)
        var total = 0
        var byStatus: [String: Int] = [:]
        var risks: [Decimal] = []
        var amount = Money.zero
        var disbursed = Money.zero
        var outstanding = Money.zero
        let rows = try await database.client.query(query, logger: logger)
        for try await (status, requested, risk, principal, left) in rows.decode((String, Money, Decimal?, Money?, Money?).self) {
            total += 1
            byStatus[status, default: 0] += 1
            amount = amount + requested
            if let risk { risks.append(risk) }
            disbursed = disbursed + (principal ?? .zero)
            outstanding = outstanding + (left ?? .zero)
        }
        let average = risks.isEmpty ? nil : risks.reduce(0, +) / Decimal(risks.count)
        return .init(
            total: total, byStatus: byStatus, avgRiskScore: average.map { Self.fixed($0, places: 4) }, sumAmount: amount,
            disbursedAmount: disbursed, outstandingPrincipal: outstanding)
    }

    func approvals(_ window: AnalyticsRPC.Window) async throws -> AnalyticsRPC.Approvals.Response {
        let outcomes = Self.overApplications(
            in: window,
            """
            ends AS (
                SELECT DISTINCT ON (payload->>'application_id') payload->>'application_id' AS id, type, payload, occurred_at
                FROM events WHERE type IN ('approvals.application.approved.v1', 'approvals.application.rejected.v1')
                ORDER BY payload->>'application_id', seq),
            status AS (\(Self.latest("loans.application.status_changed.v1", by: "application_id", tieBreak: Self.statusProgress)))
            SELECT e.type, e.payload->>'decided_by' IS NULL, extract(epoch FROM e.occurred_at - a.submitted_at)::float8 / 3600,
                coalesce(s.payload->>'to', 'submitted')
            FROM apps a LEFT JOIN ends e ON e.id = a.id LEFT JOIN status s ON s.id = a.id
            """)
        var response = AnalyticsRPC.Approvals.Response(
            submitted: 0, autoDeclined: 0, approved: 0, rejected: 0, inProgress: 0, avgHoursToDecision: nil, byStage: [])
        var hours: [Double] = []
        let rows = try await database.client.query(outcomes, logger: logger)
        for try await (end, automatic, elapsed, status) in rows.decode((String?, Bool?, Double?, String).self) {
            response.submitted += 1
            switch end {
            case "approvals.application.approved.v1"?: response.approved += 1
            case "approvals.application.rejected.v1"? where automatic == true: response.autoDeclined += 1
            case "approvals.application.rejected.v1"?: response.rejected += 1
            default: if status != ApplicationStatus.withdrawn.rawValue { response.inProgress += 1 }
            }
            if end != nil, let elapsed { hours.append(elapsed) }
        }
        response.avgHoursToDecision = hours.isEmpty ? nil : hours.reduce(0, +) / Double(hours.count)
        response.byStage = try await stages(window)
        return response
    }

    private func stages(_ window: AnalyticsRPC.Window) async throws -> [AnalyticsRPC.Approvals.Stage] {
        let query = Self.overApplications(
            in: window,
            """
            opened AS (
                SELECT DISTINCT ON (payload->>'stage_id') payload->>'stage_id' AS stage, occurred_at
                FROM events WHERE type = 'approvals.stage.assigned.v1' ORDER BY payload->>'stage_id', seq),
            decided AS (
                SELECT payload->>'stage_id' AS stage, payload->>'application_id' AS app, payload->>'role' AS role, occurred_at
                FROM events WHERE type = 'approvals.stage.decided.v1' AND payload->>'decision' <> 'request_documents'),
            breaches AS (
                SELECT payload->>'role' AS role, count(*)::int AS n FROM events b JOIN apps a ON a.id = b.payload->>'application_id'
                WHERE b.type = 'approvals.stage.sla_breached.v1' GROUP BY 1),
            per_role AS (
                SELECT d.role, count(*)::int AS decided, avg(extract(epoch FROM d.occurred_at - o.occurred_at))::float8 / 3600 AS hours
                FROM decided d JOIN apps a ON a.id = d.app LEFT JOIN opened o ON o.stage = d.stage GROUP BY d.role)
            SELECT coalesce(p.role, b.role), coalesce(p.decided, 0), p.hours, coalesce(b.n, 0)
            FROM per_role p FULL JOIN breaches b ON b.role = p.role
            """)
        var stages: [AnalyticsRPC.Approvals.Stage] = []
        let rows = try await database.client.query(query, logger: logger)
        for try await (role, decided, hours, breaches) in rows.decode((String, Int, Double?, Int).self) {
            stages.append(.init(role: role, decided: decided, avgHours: hours, slaBreaches: breaches))
        }
        let seniority = ["analyst", "manager", "director"]
        return stages.sorted { (seniority.firstIndex(of: $0.role) ?? 9) < (seniority.firstIndex(of: $1.role) ?? 9) }
    }

    func tickets(_ window: AnalyticsRPC.Window) async throws -> AnalyticsRPC.Tickets.Response {
        let (from, to) = Self.period(window)
        let customer = window.customerID?.uuidString
        let query: PostgresQuery = """
            WITH created AS (
                SELECT payload->>'ticket_id' AS id FROM events
                WHERE type = 'approvals.ticket.updated.v1' AND payload->>'change' = 'created' AND occurred_at >= \(from) AND occurred_at < \(to)
                  AND (\(customer)::text IS NULL OR lower(payload->>'customer_id') = lower(\(customer)))),
            latest AS (\(unescaped: Self.latest("approvals.ticket.updated.v1", by: "ticket_id"))),
            breached AS (SELECT DISTINCT payload->>'ticket_id' AS id FROM events WHERE type = 'approvals.ticket.sla_breached.v1')
            SELECT l.payload->>'status', l.payload->>'priority', l.payload->>'assignee_id', b.id IS NOT NULL
            FROM created c JOIN latest l ON l.id = c.id LEFT JOIN breached b ON b.id = c.id
            """
        var response = AnalyticsRPC.Tickets.Response(open: 0, inProgress: 0, resolved: 0, slaBreached: 0, byPriority: [:], byAssignee: [])
        var assignees: [UUID?: AnalyticsRPC.Tickets.Assignee] = [:]
        let rows = try await database.client.query(query, logger: logger)
        for try await (status, priority, assignee, breached) in rows.decode((String, String, String?, Bool).self) {
            let id = assignee.flatMap(UUID.init(uuidString:))
            var tally = assignees[id] ?? .init(assigneeID: id, open: 0, inProgress: 0, resolved: 0)
            switch Ticket.Status(rawValue: status) {
            case .open?: response.open += 1; tally.open += 1
            case .inProgress?: response.inProgress += 1; tally.inProgress += 1
            case .resolved?: response.resolved += 1; tally.resolved += 1
            case nil: continue
            }
            assignees[id] = tally
            response.byPriority[priority, default: 0] += 1
            if breached { response.slaBreached += 1 }
        }
        response.byAssignee = assignees.values.sorted { ($0.open + $0.inProgress) > ($1.open + $1.inProgress) }
        return response
    }

    func publicStats() async throws -> AnalyticsRPC.PublicStats.Response {
        let query: PostgresQuery = """
            WITH ends AS (
                SELECT DISTINCT ON (payload->>'application_id') payload->>'application_id' AS id, type, occurred_at
                FROM events WHERE type IN ('approvals.application.approved.v1', 'approvals.application.rejected.v1')
                ORDER BY payload->>'application_id', seq),
            apps AS (SELECT payload->>'application_id' AS id, occurred_at FROM events WHERE type = 'loans.application.submitted.v1')
            SELECT count(*)::int, (count(*) FILTER (WHERE e.type = 'approvals.application.approved.v1'))::int,
                (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM e.occurred_at - a.occurred_at)))::float8 / 3600
            FROM ends e JOIN apps a ON a.id = e.id
            """
        for try await (processed, approved, median) in try await database.client.query(query, logger: logger)
            .decode((Int, Int, Double?).self)
        {
            return .init(
                applicationsProcessed: processed, approvalRate: processed == 0 ? 0 : Double(approved) / Double(processed),
                medianHoursToDecision: median)
        }
        return .init(applicationsProcessed: 0, approvalRate: 0, medianHoursToDecision: nil)
    }

    static func fixed(_ value: Decimal, places: Int) -> String {
        var value = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, places, .plain)
        return String(format: "%.\(places)f", NSDecimalNumber(decimal: rounded).doubleValue)
    }
}
