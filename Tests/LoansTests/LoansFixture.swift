import Contracts
import Foundation
import Logging
import Persistence
import ServiceKit
import Synchronization
import TestSupport

@testable import Loans

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
            try await body(
                LoansFixture(database: database, service: service, operations: OperationsUnderTest(rpc: rpc, events: events), cache: cache))
        }
    }

    /// An active personal-loan product: 1,000 to 50,000 over 6 to 60 months at 12 %, a 1 %
    /// processing fee and a 2 % pre-payment fee.
    func product(requiring documents: [DocumentType] = []) async throws -> Product {
        try await operations.ok(ProductsRPC.Create.self, Self.productFields(documents: documents), as: admin)
    }

    /// Every field of a product, as an admin fills them in; the defaults are `product()`'s.
    static func productFields(
        name: String = "Personal \(UUID().uuidString.prefix(6))", type: ProductType = .personal,
        amounts: (minimum: String, maximum: String) = ("1000.00", "50000.00"), months: (minimum: Int, maximum: Int) = (6, 60),
        rate: String = "12.00", processingFee: String = "1.00", prepaymentFee: String = "2.00", documents: [DocumentType] = []
    ) -> ProductsRPC.Fields {
        var fields = ProductsRPC.Fields()
        fields.name = name
        fields.type = type
        fields.minAmount = Money(amounts.minimum)
        fields.maxAmount = Money(amounts.maximum)
        fields.minTermMonths = months.minimum
        fields.maxTermMonths = months.maximum
        fields.annualRate = Percent(rate)
        fields.processingFeePercent = Percent(processingFee)
        fields.prepaymentFeePercent = Percent(prepaymentFee)
        fields.requiredDocuments = documents
        fields.active = true
        return fields
    }

    /// A client whose profile and finances are on file, so they may apply.
    func client() async throws -> Principal {
        let client = Principal.signedIn(as: .client)
        _ = try await put(Self.profile(), as: client)
        _ = try await put(Self.finances(), as: client)
        return client
    }

    /// A valid profile: an adult with an E.164 phone and a one-line address.
    static func profile(_ name: String = "Ada Lovelace", phone: String = "+14155550123") -> PersonalDetails {
        PersonalDetails(fullName: name, phone: phone, dateOfBirth: CalendarDate("1990-04-23")!, address: "1 Main St")
    }

    /// Finances that afford the fixture's loans: 6,000 a month in, 1,500 out, no other debt.
    static func finances(income: String = "6000.00") -> FinancialDetails {
        FinancialDetails(monthlyIncome: Money(income)!, monthlyExpenses: Money("1500.00")!, existingMonthlyDebt: Money("0.00")!)
    }

    /// A client saves one section of their own file (`PUT /me/...`).
    func put<Section: CustomerSection>(
        _ section: Section, expectedVersion: Int? = nil, as client: Principal
    ) async throws -> VersionedSection<Section> {
        try await operations.ok(
            CustomersRPC.PutSection<Section>.self, .init(section: section, expectedVersion: expectedVersion), as: client)
    }

    /// A document the client keeps in their library (the gateway stored its bytes under `blobKey`).
    func libraryDocument(_ type: DocumentType = .govtID, for client: Principal, blobKey: String = "blob-\(UUID())") async throws -> Document
    {
        try await operations.ok(
            LibraryRPC.Record.self,
            .init(
                documentType: type, filename: "\(type.rawValue).pdf", contentType: "application/pdf", size: 1024,
                sha256: String(repeating: "ab", count: 32), blobKey: blobKey), as: client)
    }

    /// A document the client uploads to one of their applications.
    func upload(
        _ type: DocumentType, filename: String = "scan.pdf", to application: Application, as client: Principal,
        blobKey: String = "blob-\(UUID())"
    ) async throws -> RPCResult {
        try await operations.call(
            DocumentsRPC.Record.self,
            .init(
                applicationID: application.id, documentType: type, filename: filename, contentType: "application/pdf", size: 2048,
                sha256: String(repeating: "cd", count: 32), blobKey: blobKey), as: client)
    }

    /// Brings a submitted application to `documents_requested` the way `approvals` does.
    func requestDocuments(_ documents: [DocumentType], for application: Application) async throws {
        let id = application.id
        try await operations.deliver(ApprovalsEvents.AnalysisStarted(applicationID: id, occurredAt: Date(), sequence: 1))
        try await operations.deliver(ApprovalsEvents.AwaitingDecision(applicationID: id, occurredAt: Date(), sequence: 2))
        try await operations.deliver(
            ApprovalsEvents.DocumentsRequested(
                applicationID: id, documents: documents, requestedBy: admin.userID, occurredAt: Date(), sequence: 3))
    }

    /// The events of one type in the outbox, oldest first, as the relay will publish them.
    func published<Event: DomainEvent>(_ event: Event.Type) async throws -> [Event] {
        var events: [Event] = []
        for try await body in try await database.client.query(
            "SELECT body FROM outbox WHERE type = \(Event.type) ORDER BY id", logger: database.logger
        ).decode(String.self) {
            events.append(try JSON.decode(Event.self, from: Array(body.utf8)))
        }
        return events
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
    func outbox() async throws -> [String] { try await database.outboxTypes() }
}

extension Problem {
    /// The resource as it now is, sent with a `412`, read as `type`.
    func current<Value: Decodable>(as type: Value.Type) throws -> Value? {
        try current.map { try JSON.decode(Value.self, from: try JSON.encode($0)) }
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
