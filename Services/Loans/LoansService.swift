import Foundation
import Logging
import Persistence
import ServiceKit

/// What `loans` answers and reacts to, wired to one database and one read cache: `main.swift`
/// serves it over the bus, and the service tests call it directly on a schema of their own.
struct LoansService: Sendable {
    let customers: CustomerStore
    let applications: ApplicationStore
    let loans: LoanStore
    let library: LibraryStore
    let catalogue: ProductCatalogue
    private let lists: ClientLists
    private let database: Database
    private let intake: IntakeGate

    init(database: Database, cache: any ReadThroughCache, intake: IntakeGate, logger: Logger) {
        self.database = database
        self.intake = intake
        customers = CustomerStore(database: database)
        applications = ApplicationStore(database: database)
        loans = LoanStore(database: database)
        library = LibraryStore(database: database)
        catalogue = ProductCatalogue(store: ProductStore(database: database), cache: cache)
        lists = ClientLists(cache: cache, logger: logger)
    }

    private var reactions: ApprovalReactions { ApprovalReactions(database: database, store: applications, lists: lists) }

    func register(on handlers: inout RPCHandlers) {
        ProductOperations(catalogue: catalogue).register(on: &handlers)
        CalculatorOperations(products: catalogue).register(on: &handlers)
        CustomerOperations(database: database, store: customers).register(on: &handlers)
        ApplicationOperations(
            database: database, store: applications, customers: customers, products: catalogue, lists: lists, intake: intake
        ).register(on: &handlers)
        DocumentOperations(database: database, store: applications, library: library, lists: lists).register(on: &handlers)
        LoanOperations(database: database, applications: applications, loans: loans, lists: lists).register(on: &handlers)
        reactions.register(on: &handlers)
    }

    /// The approval workflow's events about applications.
    func register(on handlers: inout MessageHandlers) {
        reactions.register(on: &handlers)
    }
}
