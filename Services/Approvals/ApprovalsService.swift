import Logging
import Persistence
import ServiceKit

/// What `approvals` answers and reacts to, wired to one database and to the services it asks
/// (`loans`, about applications): `main.swift` serves it over the bus, and the service tests
/// call it directly on a schema of their own, with `loans` answered in memory.
struct ApprovalsService: Sendable {
    let workflows: WorkflowStore
    let policies: PolicyStore
    let staff: StaffDirectory
    let assignment: StageAssignment
    let tickets: TicketOperations
    let ticketStore: TicketStore
    private let database: Database
    private let services: any ServiceCalling

    init(database: Database, services: any ServiceCalling) {
        self.database = database
        self.services = services
        workflows = WorkflowStore(database: database)
        policies = PolicyStore(database: database)
        staff = StaffDirectory(database: database)
        assignment = StageAssignment(database: database, workflows: workflows, staff: staff)
        ticketStore = TicketStore(database: database)
        tickets = TicketOperations(database: database, tickets: ticketStore, staff: staff, services: services)
    }

    func register(on handlers: inout RPCHandlers) {
        DecisionOperations(
            database: database, workflows: workflows, policies: policies, assignment: assignment, services: services
        ).register(on: &handlers)
        TaskOperations(database: database, workflows: workflows, policies: policies, staff: staff, assignment: assignment)
            .register(on: &handlers)
        PolicyOperations(policies: policies).register(on: &handlers)
        tickets.register(on: &handlers)
    }

    /// The credit pipeline's events (`loans`, the analysis workers) and `auth`'s events about staff.
    func register(on handlers: inout MessageHandlers) {
        CreditPipeline(database: database, workflows: workflows, policies: policies, assignment: assignment).register(on: &handlers)
        staff.register(on: &handlers)
    }

    /// Escalates stages and tickets past their SLA.
    func sweeper(logger: Logger) -> SLASweeper {
        SLASweeper(
            database: database, workflows: workflows, policies: policies, assignment: assignment, tickets: tickets, logger: logger)
    }
}
