import Contracts
import Messaging
import Persistence
import ServiceKit

/// What `analytics` answers and records, wired to one database: `main.swift` serves it over the
/// bus (with the dead-letter operations beside it), and the service tests call it directly on a
/// schema of their own, handing it messages as the queue would.
struct AnalyticsService: Sendable {
    let audit: AuditTrail
    let events: EventStore
    let traffic: TrafficStore
    let reports: Reports

    init(database: Database) {
        audit = AuditTrail(database: database)
        events = EventStore(database: database, audit: audit)
        traffic = TrafficStore(database: database)
        reports = Reports(database: database)
    }

    /// The audit log and the reports.
    func register(on rpc: inout RPCHandlers) {
        audit.register(on: &rpc)
        ReportOperations(reports: reports, traffic: traffic).register(on: &rpc)
    }

    /// What becomes of a message off `analytics.events`: the gateways' traffic figures go to their
    /// own table, everything else is an event for the store; one neither can read is dead-lettered.
    func consume(_ body: [UInt8], properties: MessageProperties, routingKey: String) async throws -> QueueConsumer.Outcome {
        if properties.type == TrafficReport.type {
            guard let report = try? JSON.decode(TrafficReport.self, from: body), let id = properties.messageID else {
                return .deadLetter
            }
            try await traffic.record(report, messageID: id)
            return .ack
        }
        return switch try await events.record(body, properties: properties, routingKey: routingKey) {
        case .stored, .duplicate: .ack
        case .unreadable: .deadLetter
        }
    }
}
