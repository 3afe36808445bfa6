import Contracts
import ServiceKit

let host = try ServiceHost(
    .loans, topology: PlatformTopology.durableQueue(ServiceName.loans.eventsQueue, eventRoutingKeys: ApprovalReactions.routingKeys))
let database = try host.useDatabase(migrations: LoansMigrations.all)
let intake = IntakeGate(
    limit: host.configuration.reader.int(forKey: "loans.intake.backlog.limit", default: 2000),
    retryAfter: host.configuration.reader.int(forKey: "loans.intake.retry.after.seconds", default: 5))
let service = LoansService(
    database: database, cache: GenerationCache(redis: try host.useRedis(), logger: host.logger), intake: intake, logger: host.logger)
service.register(on: &host.rpc)
host.serveChanges(
    SyncRPC.LoansChanges.self, from: database,
    scope: { caller in
        // Staff see every file, as their lists do; a client sees their own.
        ChangeFeed.Scope(owner: caller.role.isStaff ? nil : caller.userID)
    }
) { entity, id in
    switch entity {
    case .application: try ChangeFeed.current(try await service.applications.application(id))
    case .loan: try ChangeFeed.current(try await service.loans.loan(id))
    case .payment: try ChangeFeed.current(try await service.loans.payment(id))
    case .profile: try ChangeFeed.current(try await service.customers.customer(id))
    case .document: try ChangeFeed.current(try await service.library.document(id)?.document)
    default: nil
    }
}
var events = MessageHandlers()
service.register(on: &events)
host.consume(ServiceName.loans.eventsQueue, handlers: events)
host.addWork(
    OverdueSweeper(database: database, logger: host.logger).periodically(
        every: .seconds(host.configuration.reader.int(forKey: "loans.overdue.sweep.seconds", default: 3600))))
try await host.run()
