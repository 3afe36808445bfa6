import Contracts
import Foundation
@testable import Loans
import Logging
import Persistence
import ServiceKit
import Synchronization
import TestSupport

/// `loans` on a schema of its own, with its read cache in memory: what the service tests call.
struct LoansFixture {
    let database: Database
    let service: LoansService
    let operations: OperationsUnderTest
    let cache: InMemoryCache
    let admin = Principal.signedIn(as: .admin)

    /// Runs `body` on a freshly migrated schema; `intakeLimit` bounds the applications waiting for analysis.
    static func run(intakeLimit: Int = 2000, _ body: (LoansFixture) async throws -> Void) async throws {
        try await withTestDatabase(migrations: LoansMigrations.all) { database in
            let cache = InMemoryCache()
            let service = LoansService(
                database: database, cache: cache, intake: IntakeGate(limit: intakeLimit, retryAfter: 5), logger: database.logger)
            var rpc = RPCHandlers()
            service.register(on: &rpc)
            var events = MessageHandlers()
            service.register(on: &events)
            try await body(LoansFixture(database: database, service: service, operations: OperationsUnderTest(rpc: rpc, events: events), cache: cache))
        }
    }

    /// An active personal-loan product: 1,000 to 50,000 over 6 to 60 months at 12 %, a 1 %
    /// processing fee and a 2 % pre-payment fee.
    func product(requiring documents: [DocumentType] = []) async throws -> Product {
        var fields = ProductsRPC.Fields()
        fields.name = "Personal \(UUID().uuidString.prefix(6))"
        fields.type = .personal
        fields.minAmount = Money("1000.00")
        fields.maxAmount = Money("50000.00")
        fields.minTermMonths = 6
        fields.maxTermMonths = 60
        fields.annualRate = Percent("12.00")
        fields.processingFeePercent = Percent("1.00")
        fields.prepaymentFeePercent = Percent("2.00")
        fields.requiredDocuments = documents
        fields.active = true
        return try await operations.ok(ProductsRPC.Create.self, fields, as: admin)
    }

    /// A client whose profile and finances are on file, so they may apply.
    func client() async throws -> Principal {
        let client = Principal.signedIn(as: .client)
        _ = try await operations.ok(
            CustomersRPC.PutSection<PersonalDetails>.self,
            .init(
                section: PersonalDetails(
                    fullName: "Ada Lovelace", phone: "+14155550123", dateOfBirth: CalendarDate("1990-04-23")!, address: "1 Main St"),
                expectedVersion: nil), as: client)
        _ = try await operations.ok(
            CustomersRPC.PutSection<FinancialDetails>.self,
            .init(
                section: FinancialDetails(
                    monthlyIncome: Money("6000.00")!, monthlyExpenses: Money("1500.00")!, existingMonthlyDebt: Money("0.00")!),
                expectedVersion: nil), as: client)
        return client
    }

    func submit(_ amount: String = "12000.00", months: Int = 12, for client: Principal, product: Product) async throws -> Application {
        try await operations.ok(
            ApplicationsRPC.Submit.self,
            .init(productID: product.id, amount: Money(amount)!, termMonths: months, purpose: "A new kitchen"), as: client)
    }

    /// Brings a submitted application to `approved` the way `approvals` does: its three events, in order.
    func approve(_ application: Application) async throws {
        let id = application.id
        try await operations.deliver(ApprovalsEvents.AnalysisStarted(applicationID: id, occurredAt: Date(), sequence: 1))
        try await operations.deliver(ApprovalsEvents.AwaitingDecision(applicationID: id, occurredAt: Date(), sequence: 2))
        try await operations.deliver(ApprovalsEvents.Approved(applicationID: id, decidedBy: admin.userID, occurredAt: Date(), sequence: 3))
    }

    /// An approved and disbursed loan of `amount` over `months`.
    func loan(_ amount: String = "12000.00", months: Int = 12, for client: Principal) async throws -> Loan {
        let application = try await submit(amount, months: months, for: client, product: try await product())
        try await approve(application)
        return try await operations.ok(LoanAccountsRPC.Disburse.self, .init(applicationID: application.id), as: admin)
    }

    /// The types of the messages in the outbox, oldest first: what the relay will publish.
    func outbox() async throws -> [String] {
        var types: [String] = []
        for try await type in try await database.client.query("SELECT type FROM outbox ORDER BY id", logger: database.logger)
            .decode(String.self)
        {
            types.append(type)
        }
        return types
    }
}

/// The read cache in memory, with the semantics of `GenerationCache`: an invalidated namespace
/// never answers with what it held before. Counts hits, so tests can see the cache used.
final class InMemoryCache: ReadThroughCache {
    private struct State {
        var generations: [String: Int] = [:]
        var entries: [String: [UInt8]] = [:]
        var hits = 0
    }
    private let state = Mutex(State())

    var hits: Int { state.withLock { $0.hits } }

    func read<Value: Codable & Sendable>(_ namespace: String, _ key: String, load: () async throws -> Value) async throws -> Value {
        let (slot, cached) = state.withLock { state -> (String, [UInt8]?) in
            let slot = "\(namespace):\(state.generations[namespace, default: 0]):\(key)"
            if state.entries[slot] != nil { state.hits += 1 }
            return (slot, state.entries[slot])
        }
        if let cached { return try JSON.decode(Value.self, from: cached) }
        let value = try await load()
        let encoded = try JSON.encode(value)
        state.withLock { $0.entries[slot] = encoded }
        return value
    }

    func invalidate(_ namespace: String) async throws {
        state.withLock { $0.generations[namespace, default: 0] += 1 }
    }
}
