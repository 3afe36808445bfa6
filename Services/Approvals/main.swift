import Contracts
import ServiceKit

// The staff-work service: the approval workflow of every credit request (analysis, the chain of
// approvers, SLAs) and support tickets, with a read model of staff fed by `auth`'s events.
let host = try ServiceHost(
    .approvals,
    topology: PlatformTopology.durableQueue(
        ServiceName.approvals.eventsQueue, eventRoutingKeys: CreditPipeline.routingKeys + StaffDirectory.routingKeys))
let database = try host.useDatabase(migrations: ApprovalsMigrations.all)
let service = ApprovalsService(database: database, services: host.useServiceCaller())
service.register(on: &host.rpc)
host.serveChanges(SyncRPC.ApprovalsChanges.self, from: database, scope: TicketRules.syncScope) { _, id in
    try ChangeFeed.current(try await service.ticketStore.ticket(id))
}
var events = MessageHandlers()
service.register(on: &events)
host.consume(ServiceName.approvals.eventsQueue, handlers: events)
host.addWork(
    service.sweeper(logger: host.logger).periodically(
        every: .seconds(host.configuration.reader.int(forKey: "approvals.sla.sweep.seconds", default: 60))))
try await host.run()
