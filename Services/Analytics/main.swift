import Contracts
import Messaging
import ServiceKit

let queue = ServiceName.analytics.eventsQueue
let host = try ServiceHost(.analytics, topology: PlatformTopology.durableQueue(queue, eventRoutingKeys: ["#"]))
let database = try host.useDatabase(migrations: AnalyticsMigrations.all)
let service = AnalyticsService(database: database)
service.register(on: &host.rpc)
DeadLetters(connection: host.publisher).register(on: &host.rpc)
let logger = host.logger
host.addWork(
    QueueConsumer(connection: host.consumer, queue: queue, prefetch: 64, logger: logger) { delivery in
        do {
            return try await service.consume(delivery.body, properties: delivery.properties, routingKey: delivery.routingKey)
        } catch {
            logger.warning("cannot record event, will retry", metadata: ["error": "\(String(reflecting: error))"])
            return .retry
        }
    })
try await host.run()
