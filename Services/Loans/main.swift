import Contracts
import ServiceKit

let host = try ServiceHost(
    .loans, topology: PlatformTopology.durableQueue(ServiceName.loans.eventsQueue, eventRoutingKeys: ApprovalReactions.routingKeys))
let database = try host.useDatabase(migrations: LoansMigrations.all)
let cache = GenerationCache(redis: try host.useRedis(), logger: host.logger)
let catalogue = ProductCatalogue(store: ProductStore(database: database), cache: cache)
let lists = ClientLists(cache: cache)
ProductOperations(catalogue: catalogue).register(on: &host.rpc)
CalculatorOperations(products: catalogue).register(on: &host.rpc)
let customers = CustomerStore(database: database)
CustomerOperations(database: database, store: customers).register(on: &host.rpc)
let applications = ApplicationStore(database: database)
let intake = IntakeGate(
    limit: host.configuration.reader.int(forKey: "loans.intake.backlog.limit", default: 2000),
    retryAfter: host.configuration.reader.int(forKey: "loans.intake.retry.after.seconds", default: 5))
ApplicationOperations(
    database: database, store: applications, customers: customers, products: catalogue, lists: lists, intake: intake
).register(on: &host.rpc)
let library = LibraryStore(database: database)
DocumentOperations(database: database, store: applications, library: library, lists: lists).register(on: &host.rpc)
let loanStore = LoanStore(database: database)
LoanOperations(database: database, applications: applications, loans: loanStore, lists: lists).register(on: &host.rpc)
host.serveChanges(SyncRPC.LoansChanges.self, from: database, scope: { caller in
    // Staff see every file, as their lists do; a client sees their own.
    ChangeFeed.Scope(owner: caller.role.isStaff ? nil : caller.userID)
}) { entity, id in
    switch entity {
    case .application: try ChangeFeed.current(try await applications.application(id))
    case .loan: try ChangeFeed.current(try await loanStore.loan(id))
    case .payment: try ChangeFeed.current(try await loanStore.payment(id))
    case .profile: try ChangeFeed.current(try await customers.customer(id))
    case .document: try ChangeFeed.current(try await library.document(id)?.document)
    default: nil
    }
}
let reactions = ApprovalReactions(database: database, store: applications, lists: lists)
reactions.register(on: &host.rpc)
var events = MessageHandlers()
reactions.register(on: &events)
host.consume(ServiceName.loans.eventsQueue, handlers: events)
host.addWork(OverdueSweeper(database: database, logger: host.logger).periodically(
    every: .seconds(host.configuration.reader.int(forKey: "loans.overdue.sweep.seconds", default: 3600))))
try await host.run()
