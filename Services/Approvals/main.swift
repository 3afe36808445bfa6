import Contracts
import ServiceKit

// The staff-work service: the approval workflow of every credit request (analysis, the chain of
// approvers, SLAs) and support tickets, with a read model of staff fed by `auth`'s events.
let host = try ServiceHost(
    .approvals,
    topology: PlatformTopology.durableQueue(
        ServiceName.approvals.eventsQueue, eventRoutingKeys: CreditPipeline.routingKeys + StaffDirectory.routingKeys))
let database = try host.useDatabase(migrations: ApprovalsMigrations.all)
let workflows = WorkflowStore(database: database)
let policies = PolicyStore(database: database)
let staff = StaffDirectory(database: database)
let assignment = StageAssignment(database: database, workflows: workflows, staff: staff)
let services = host.useServiceCaller()
DecisionOperations(
    database: database, workflows: workflows, policies: policies, assignment: assignment, services: services
).register(on: &host.rpc)
TaskOperations(database: database, workflows: workflows, policies: policies, staff: staff, assignment: assignment).register(on: &host.rpc)
PolicyOperations(policies: policies).register(on: &host.rpc)
let ticketStore = TicketStore(database: database)
let tickets = TicketOperations(database: database, tickets: ticketStore, staff: staff, services: services)
tickets.register(on: &host.rpc)
host.serveChanges(SyncRPC.ApprovalsChanges.self, from: database, scope: TicketRules.syncScope) { _, id in
    try ChangeFeed.current(try await ticketStore.ticket(id))
}
var events = MessageHandlers()
CreditPipeline(database: database, workflows: workflows, policies: policies, assignment: assignment).register(on: &events)
staff.register(on: &events)
host.consume(ServiceName.approvals.eventsQueue, handlers: events)
let sweeper = SLASweeper(
    database: database, workflows: workflows, policies: policies, assignment: assignment, tickets: tickets, logger: host.logger)
host.addWork(sweeper.periodically(every: .seconds(host.configuration.reader.int(forKey: "approvals.sla.sweep.seconds", default: 60))))
try await host.run()
