import Contracts
import Logging
import Messaging
import Persistence
import PostgresNIO

/// Routes to the webhook queue only the events some webhook wants: the queue's bindings on
/// `lending.events` are the active webhooks' patterns. Most events match none, and each one the
/// queue took would cost the broker a quorum-queue write and this service a delivery to drop.
///
/// Bindings outlive processes (the queue is durable), so a sync also removes the patterns of
/// webhooks deleted meanwhile, and `#`, which the queue was bound to before. It runs at start-up,
/// after every change, and every `interval` (a change made by another replica at the same moment,
/// or a sync that failed, is put right then).
struct WebhookRouting: Sendable {
    let database: Database
    /// Any connection of the service's; the sync's broker operations are synchronous.
    let broker: AMQPConnection
    let queue: String

    func sync() async throws {
        var active = Set<String>()
        var retired: Set<String> = ["#"]
        for try await (pattern, inUse) in try await database.client.query(
            "SELECT pattern, bool_or(active) FROM webhooks, unnest(events) AS pattern GROUP BY pattern",
            logger: database.logger
        ).decode((String, Bool).self) {
            if inUse { active.insert(pattern) } else { retired.insert(pattern) }
        }
        retired.subtract(active)
        let queue = queue
        let (bind, unbind) = (active, retired)
        try await broker.withSession { session in
            for pattern in bind { try session.bind(Binding(queue: queue, exchange: Exchanges.events, routingKey: pattern)) }
            for pattern in unbind { try session.unbind(Binding(queue: queue, exchange: Exchanges.events, routingKey: pattern)) }
        }
    }

    /// After a change: a failure is logged, and the next periodic sync retries.
    func syncAfterChange(_ logger: Logger) async {
        do {
            try await sync()
        } catch {
            logger.warning("webhook routing not updated, the periodic sync will", metadata: ["error": "\(error)"])
        }
    }
}
