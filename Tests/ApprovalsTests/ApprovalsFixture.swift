import Contracts
import Foundation
import Logging
import Persistence
import ServiceKit
import Synchronization
import TestSupport
import Testing

@testable import Approvals

/// `approvals` on a schema of its own, with `loans` answered in memory: what the service tests
/// call. Staff exist once `auth`'s events about them are delivered (`staff(_:)`); a credit request
/// starts from `loans`' submission event and the analysis result (`submit`, `analyse`).
struct ApprovalsFixture {
    let database: Database
    let service: ApprovalsService
    let operations: OperationsUnderTest
    /// `loans`, as `approvals` calls it: by default it answers `ApplicationsRPC.Get` from `held`
    /// and records every `ApplicationsRPC.RecordDecision`; a test may answer otherwise.
    let loans: InMemoryServices
    let held: LoansInMemory
    /// An administrator the staff directory does not know (so no ticket or stage goes to them).
    let admin = Principal.signedIn(as: .admin)

    static func run(_ body: (ApprovalsFixture) async throws -> Void) async throws {
        try await withTestDatabase(migrations: ApprovalsMigrations.all) { database in
            let loans = InMemoryServices()
            let held = LoansInMemory()
            loans.answer(ApplicationsRPC.Get.self) { request, principal in
                held.asked(by: principal)
                return held.application(request.id)
            }
            loans.answer(ApplicationsRPC.RecordDecision.self) { request, _ in
                held.record(request)
                return Empty()
            }
            let service = ApprovalsService(database: database, services: loans)
            var rpc = RPCHandlers()
            service.register(on: &rpc)
            var events = MessageHandlers()
            service.register(on: &events)
            try await body(
                ApprovalsFixture(
                    database: database, service: service, operations: OperationsUnderTest(rpc: rpc, events: events), loans: loans,
                    held: held))
        }
    }

    // MARK: Staff, as `auth` announces them

    /// A staff member an administrator created in `auth`, now in the directory.
    func staff(_ role: Role, named name: String? = nil) async throws -> Principal {
        let member = Principal.signedIn(as: role)
        let created = AuthEvents.UserCreated(
            userID: member.userID, email: "\(member.userID)@bank.test", fullName: name, role: role, actorID: admin.userID,
            actorRole: .admin, occurredAt: Date())
        #expect(try await operations.deliver(created) == .ack)
        return member
    }

    /// `auth` disabled the account.
    func disable(_ member: Principal) async throws {
        try await operations.deliver(
            AuthEvents.UserUpdated(
                userID: member.userID, role: nil, status: .disabled, actorID: admin.userID, actorRole: .admin, occurredAt: Date()))
    }

    /// `auth` gave the member another role; the principal they sign in with from now on.
    func promote(_ member: Principal, to role: Role) async throws -> Principal {
        try await operations.deliver(
            AuthEvents.UserUpdated(
                userID: member.userID, role: role, status: nil, actorID: admin.userID, actorRole: .admin, occurredAt: Date()))
        return Principal.signedIn(as: role, id: member.userID)
    }

    // MARK: The credit pipeline

    /// `loans` announced a submission of `amount` by `client`: the workflow opens and analysis starts.
    func submit(_ amount: String = "10000.00", by client: Principal = .signedIn(as: .client)) async throws -> UUID {
        let id = UUID()
        held.hold(id, of: client.userID, amount: Money(amount)!)
        let submitted = LoansEvents.ApplicationSubmitted(
            applicationID: id, customerID: client.userID, productID: UUID(), amount: Money(amount)!, termMonths: 24,
            annualRate: Percent("12.00")!, instalment: Money("470.73")!, purpose: "A new kitchen",
            snapshot: ApplicantSnapshot(
                dateOfBirth: CalendarDate("1990-04-23")!,
                financial: FinancialDetails(
                    monthlyIncome: Money("6000.00")!, monthlyExpenses: Money("1500.00")!, existingMonthlyDebt: Money("0.00")!),
                employment: nil, repaymentHistory: .init(previousLoans: 0, closedLoans: 0)),
            occurredAt: Date())
        #expect(try await operations.deliver(submitted) == .ack)
        return id
    }

    /// The analysis workers' result for `id`.
    func analyse(_ id: UUID, risk: String = "0.2000", reasons: [String] = []) async throws {
        let completed = AnalysisEvents.Completed(
            applicationID: id, score: 710, riskScore: risk, dti: "0.0785", reasonCodes: reasons, recommendation: .review,
            scorecardVersion: "test-1", bureauUsed: false, completedAt: Date())
        #expect(try await operations.deliver(completed) == .ack)
    }

    /// A submitted and analysed request of `amount`: its first stage waits for its approver.
    func awaitingDecision(
        _ amount: String = "10000.00", risk: String = "0.2000", by client: Principal = .signedIn(as: .client)
    )
        async throws -> UUID
    {
        let id = try await submit(amount, by: client)
        try await analyse(id, risk: risk)
        return id
    }

    /// The chain of `id`, first level first, as staff read it.
    func stages(of id: UUID) async throws -> [ApprovalStage] {
        try await operations.ok(ApprovalsRPC.GetWorkflow.self, .init(id: id), as: admin).stages
    }

    /// The open stage of `id`.
    func openStage(of id: UUID, sourceLocation: SourceLocation = #_sourceLocation) async throws -> ApprovalStage {
        try #require(try await stages(of: id).first { $0.status == .open }, sourceLocation: sourceLocation)
    }

    func decide(
        _ id: UUID, _ decision: ApprovalDecision, by caller: Principal, comment: String? = "Checked.", documents: [DocumentType]? = nil
    ) async throws -> RPCResult {
        try await operations.call(
            ApprovalsRPC.Decide.self, .init(applicationID: id, decision: decision, comment: comment, documents: documents), as: caller)
    }

    // MARK: What is stored and published

    /// The types of the messages in the outbox, oldest first: what the relay will publish.
    func outbox() async throws -> [String] { try await database.outboxTypes() }

    /// The events of one type in the outbox, oldest first, with the message id each is published under.
    func published<Event: DomainEvent>(_ type: Event.Type) async throws -> [(messageID: String, event: Event)] {
        var events: [(String, Event)] = []
        let rows = try await database.client.query(
            "SELECT message_id, body FROM outbox WHERE type = \(Event.type) ORDER BY id", logger: database.logger)
        for try await (id, body) in rows.decode((UUID, String).self) {
            events.append((id.uuidString.lowercased(), try JSON.decode(Event.self, from: Array(body.utf8))))
        }
        return events
    }
}

/// What `loans` holds for these tests: each application's client and amount, the required
/// documents it misses, who asked about it, and the decisions `approvals` had it record.
final class LoansInMemory: Sendable {
    private struct State {
        var applications: [UUID: (customer: UUID, amount: Money)] = [:]
        var missing: [UUID: [DocumentType]] = [:]
        var askers: [Principal?] = []
        var recorded: [ApplicationsRPC.RecordDecision.Request] = []
    }
    private let state = Mutex(State())

    func hold(_ id: UUID, of customer: UUID, amount: Money) {
        state.withLock { $0.applications[id] = (customer, amount) }
    }

    /// The product requires documents the client neither uploaded nor had waived.
    func miss(_ documents: [DocumentType], on id: UUID) {
        state.withLock { $0.missing[id] = documents }
    }

    func asked(by principal: Principal?) {
        state.withLock { $0.askers.append(principal) }
    }

    func record(_ request: ApplicationsRPC.RecordDecision.Request) {
        state.withLock { $0.recorded.append(request) }
    }

    /// Who asked `loans` about an application, in order.
    var askers: [Principal?] { state.withLock { $0.askers } }
    /// The moves `approvals` had `loans` record, in order.
    var recorded: [ApplicationsRPC.RecordDecision.Request] { state.withLock { $0.recorded } }

    func application(_ id: UUID) -> Application {
        state.withLock { state in
            let held = state.applications[id]
            return Application(
                id: id, customerID: held?.customer ?? UUID(), productID: UUID(), amount: held?.amount ?? Money("1000.00")!,
                termMonths: 24, purpose: "A new kitchen", status: .pendingApproval, version: 3, createdAt: Date(), updatedAt: Date(),
                requestedDocuments: [], missingDocuments: state.missing[id] ?? [], documents: [], timeline: [])
        }
    }
}
