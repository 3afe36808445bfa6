import Contracts
import Messaging
import ServiceKit

let queue = ServiceName.analytics.eventsQueue
let host = try ServiceHost(.analytics, topology: PlatformTopology.durableQueue(queue, eventRoutingKeys: ["#"]))
let database = try host.useDatabase(migrations: AnalyticsMigrations.all)
let audit = AuditTrail(database: database)
audit.register(on: &host.rpc)
let events = EventStore(database: database, audit: audit)
let traffic = TrafficStore(database: database)
ReportOperations(reports: Reports(database: database), traffic: traffic).register(on: &host.rpc)
DeadLetters(connection: host.publisher).register(on: &host.rpc)
let logger = host.logger
host.addWork(QueueConsumer(connection: host.consumer, queue: queue, prefetch: 64, logger: logger) { delivery in
    do {
        // The gateways' traffic figures go to their own table; everything else is an event.
        if delivery.properties.type == TrafficReport.type {
            guard let report = try? JSON.decode(TrafficReport.self, from: delivery.body), let id = delivery.properties.messageID else {
                return .deadLetter
            }
            try await traffic.record(report, messageID: id)
            return .ack
        }
        return switch try await events.record(delivery) {
        case .stored, .duplicate: .ack
        case .unreadable: .deadLetter
        }
    } catch {
        logger.warning("cannot record event, will retry", metadata: ["error": "\(String(reflecting: error))"])
        return .retry
    }
})
try await host.run()
