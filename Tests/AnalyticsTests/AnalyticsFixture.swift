import Contracts
import Foundation
import Messaging
import Persistence
import ServiceKit
import TestSupport

@testable import Analytics

/// `analytics` on a schema of its own: events handed to it as its queue would hand them, and its
/// reports called in process.
struct AnalyticsFixture {
    let database: Database
    let service: AnalyticsService
    let operations: OperationsUnderTest
    let admin = Principal.signedIn(as: .admin)

    static func run(_ body: (AnalyticsFixture) async throws -> Void) async throws {
        try await withTestDatabase(migrations: AnalyticsMigrations.all) { database in
            let service = AnalyticsService(database: database)
            var rpc = RPCHandlers()
            service.register(on: &rpc)
            try await body(AnalyticsFixture(database: database, service: service, operations: OperationsUnderTest(rpc: rpc)))
        }
    }

    /// 09:00 UTC `days` from today (negative: in the past), plus `hours`.
    static func time(days: Int, hours: Double = 0) -> Date {
        CalendarDate.today.adding(days: days).startOfDay.addingTimeInterval(9 * 3600 + hours * 3600)
    }

    /// Hands `message` to the service as the relay of `source` published it at `at`.
    @discardableResult
    func record<Message: BusMessage>(
        _ message: Message, at: Date, routingKey: String, messageID: String = UUID().uuidString.lowercased(), from source: ServiceName
    ) async throws -> QueueConsumer.Outcome {
        try await service.consume(
            try JSON.encode(message),
            properties: MessageProperties(messageID: messageID, type: Message.type, timestamp: at, appID: source.rawValue),
            routingKey: routingKey)
    }

    @discardableResult
    func record<Event: DomainEvent>(
        _ event: Event, at: Date, messageID: String = UUID().uuidString.lowercased(), from source: ServiceName
    ) async throws -> QueueConsumer.Outcome {
        try await record(event, at: at, routingKey: Event.routingKey, messageID: messageID, from: source)
    }

    /// A client applies for `amount` of `product` at `at`; the application's id.
    @discardableResult
    func submitted(
        _ amount: String, product: UUID = UUID(), customer: UUID = UUID(), at: Date, messageID: String = UUID().uuidString.lowercased()
    ) async throws -> UUID {
        let id = UUID()
        let snapshot = ApplicantSnapshot(
            dateOfBirth: CalendarDate("1990-04-23")!,
            financial: FinancialDetails(monthlyIncome: Money("6000.00")!, monthlyExpenses: Money("1500.00")!, existingMonthlyDebt: .zero),
            employment: nil, repaymentHistory: .init(previousLoans: 0, closedLoans: 0))
        try await record(
            LoansEvents.ApplicationSubmitted(
                applicationID: id, customerID: customer, productID: product, amount: Money(amount)!, termMonths: 12,
                annualRate: Percent("12.00")!, instalment: Money("100.00")!, purpose: "A car", snapshot: snapshot, occurredAt: at),
            at: at, messageID: messageID, from: .loans)
        return id
    }

    /// `loans` moved the application along `statuses`, one a minute from `at`.
    func moved(_ application: UUID, through statuses: [ApplicationStatus], from at: Date) async throws {
        var previous: ApplicationStatus? = .submitted
        for (minute, status) in statuses.enumerated() {
            let when = at.addingTimeInterval(Double(minute) * 60)
            try await record(
                LoansEvents.ApplicationStatusChanged(
                    applicationID: application, customerID: UUID(), from: previous, to: status, actorID: nil, occurredAt: when),
                at: when, from: .loans)
            previous = status
        }
    }

    /// The analysis worker scored the application.
    func analysed(_ application: UUID, risk: String, at: Date) async throws {
        try await record(
            AnalysisEvents.Completed(
                applicationID: application, score: 700, riskScore: risk, dti: "0.2000", reasonCodes: [], recommendation: .review,
                scorecardVersion: "test", bureauUsed: false, completedAt: at),
            at: at, from: .analysisWorker)
    }

    /// `loans` paid out `principal` for the application; the loan's id.
    func disbursed(_ application: UUID, principal: String, at: Date) async throws -> UUID {
        let loan = UUID()
        try await record(
            LoansEvents.LoanDisbursed(
                loanID: loan, applicationID: application, customerID: UUID(), principal: Money(principal)!, disbursedOn: CalendarDate(at),
                actorID: admin.userID, occurredAt: at),
            at: at, from: .loans)
        return loan
    }

    /// A repayment left `outstanding` of the loan's principal.
    func paid(_ loan: UUID, leaving outstanding: String, at: Date) async throws {
        try await record(
            LoansEvents.PaymentReceived(
                paymentID: UUID(), loanID: loan, customerID: UUID(), amount: Money("500.00")!, principal: Money("400.00")!,
                outstandingPrincipal: Money(outstanding)!, actorID: UUID(), occurredAt: at),
            at: at, from: .loans)
    }

    /// `approvals` decided the application: by `decider`, or by policy when nil.
    func decided(_ application: UUID, approved: Bool, by decider: UUID?, at: Date) async throws {
        if approved {
            try await record(
                ApprovalsEvents.Approved(applicationID: application, decidedBy: decider, occurredAt: at, sequence: 3), at: at,
                from: .approvals)
        } else {
            try await record(
                ApprovalsEvents.Rejected(applicationID: application, decidedBy: decider, reason: nil, occurredAt: at, sequence: 3),
                at: at, from: .approvals)
        }
    }
}
