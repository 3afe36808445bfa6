import Contracts
import Foundation
import Logging
import Messaging
import Metrics
import NIOPosix
import Persistence
import PostgresNIO
import ServiceKit

/// Webhooks: administrators' subscriptions (RPC), the fan-out of events into deliveries (once per
/// event, in one transaction with the inbox), and the sender that POSTs them, signed, retrying
/// with backoff and logging every attempt.
struct Webhooks: Sendable {
    let database: Database
    let routing: WebhookRouting
    let targets: WebhookTargetSettings
    let retryBase: Duration
    private var logger: Logger { database.logger }
    static let administrators: Set<Role> = [.admin, .superAdmin]
    private static let deliveries = MetricHandles(counters: "webhook_deliveries_total", dimensions: ["outcome"])

    func register(on rpc: inout RPCHandlers) {
        rpc.on(WebhooksRPC.Create.self) { request, context in
            let admin = try context.requireRole(Self.administrators)
            var problems = WebhookRules.problems(request)
            if case .failure(let refusal) = await WebhookTarget.check(request.url, settings: targets) {
                problems.insert(.init(field: "url", message: refusal.description), at: 0)
            }
            guard problems.isEmpty else { throw Problem.validation(problems) }
            let webhook = Webhook(id: UUID(), url: request.url, events: request.events, createdAt: Date())
            try await database.client.query(
                """
                INSERT INTO webhooks (id, url, events, secret, created_by, created_at)
                VALUES (\(webhook.id), \(webhook.url), \(webhook.events), \(request.secret), \(admin.userID), \(webhook.createdAt))
                """, logger: logger)
            await routing.syncAfterChange(context.logger)
            return .created(webhook)
        }
        rpc.on(WebhooksRPC.List.self) { page, context in
            _ = try context.requireRole(Self.administrators)
            if !page.problems.isEmpty { throw Problem.validation(page.problems) }
            let (total, rows) = try await database.listing(
                select: "id, url, events, created_at", "FROM webhooks WHERE active", orderBy: "created_at DESC, id",
                limit: page.pageSize, offset: page.offset)
            var items: [Webhook] = []
            for try await (id, url, events, created) in rows.decode((UUID, String, [String], Date).self) {
                items.append(Webhook(id: id, url: url, events: events, createdAt: created))
            }
            return .ok(Page(items: items, request: page, total: total))
        }
        rpc.on(WebhooksRPC.Delete.self) { request, context in
            _ = try context.requireRole(Self.administrators)
            var found = false
            for try await _ in try await database.client.query(
                "UPDATE webhooks SET active = false WHERE id = \(request.id) AND active RETURNING id", logger: logger)
            {
                found = true
            }
            guard found else { throw Problem.notFound("No such webhook.") }
            await routing.syncAfterChange(context.logger)
            return RPCReply(status: 204, body: Empty())
        }
        rpc.on(WebhooksRPC.Deliveries.self) { request, context in
            _ = try context.requireRole(Self.administrators)
            if !request.page.problems.isEmpty { throw Problem.validation(request.page.problems) }
            let (total, rows) = try await database.listing(
                select: "id, event_type, status, attempts, last_status_code, last_error, created_at, delivered_at",
                "FROM webhook_deliveries WHERE webhook_id = \(request.id)", orderBy: "created_at DESC, id",
                limit: request.page.pageSize, offset: request.page.offset)
            var items: [WebhookDelivery] = []
            for try await (id, type, status, attempts, code, error, created, delivered)
                in rows.decode((UUID, String, WebhookDelivery.Status, Int, Int?, String?, Date, Date?).self)
            {
                items.append(
                    WebhookDelivery(
                        id: id, eventType: type, status: status, attempts: attempts,
                        lastStatusCode: code, lastError: error, createdAt: created, deliveredAt: delivered))
            }
            return .ok(Page(items: items, request: request.page, total: total))
        }
    }

    /// Queues one delivery per active webhook whose events match the event, once per event. Only
    /// events some webhook subscribed to reach this queue (see `WebhookRouting`).
    func fanOut(_ delivery: Delivery) async throws -> QueueConsumer.Outcome {
        guard let messageID = delivery.properties.messageID, let type = delivery.properties.type,
            let payload = try? JSONSerialization.jsonObject(with: Data(delivery.body)) as? [String: Any]
        else { return .deadLetter }
        let body = try JSONSerialization.data(
            withJSONObject: ["id": messageID, "type": type, "data": payload], options: [.sortedKeys, .withoutEscapingSlashes])
        try await database.processOnce(messageID: "webhook:\(messageID)") { connection in
            var targets: [UUID] = []
            for try await (id, patterns) in try await connection.query(
                "SELECT id, events FROM webhooks WHERE active", logger: logger
            ).decode((UUID, [String]).self) where patterns.contains(where: { WebhookRules.matches($0, delivery.routingKey) }) {
                targets.append(id)
            }
            for webhook in targets {
                try await connection.query(
                    """
                    INSERT INTO webhook_deliveries (id, webhook_id, message_id, event_type, body, status)
                    VALUES (\(UUID()), \(webhook), \(messageID), \(type), \(String(decoding: body, as: UTF8.self)), 'pending')
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
        }
        return .ack
    }

    /// Sends the deliveries that are due. Each is claimed first (its next attempt pushed past the
    /// request's timeout), so replicas never send one twice at once and a sender that dies
    /// leaves it to be tried again.
    func sendDue(limit: Int = 32) async throws -> Int {
        let claimed = try await database.transaction { connection -> [(UUID, String, String, String, Int)] in
            var due: [(UUID, String, String, String, Int)] = []
            for try await row in try await connection.query(
                """
                UPDATE webhook_deliveries d SET next_attempt_at = now() + interval '1 minute'
                FROM webhooks w
                WHERE d.id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= now()
                               ORDER BY next_attempt_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                  AND w.id = d.webhook_id
                RETURNING d.id, w.url, w.secret, d.body, d.attempts
                """, logger: logger
            ).decode((UUID, String, String, String, Int).self) {
                due.append(row)
            }
            return due
        }
        await withTaskGroup(of: Void.self) { group in
            for (id, url, secret, body, attempts) in claimed {
                group.addTask { await send(id, to: url, secret: secret, body: body, attempt: attempts + 1) }
            }
        }
        return claimed.count
    }

    /// One attempt: the target is checked again (its name may resolve elsewhere now) and the
    /// POST pinned to the addresses checked; a target that became internal fails unsent.
    private func send(_ id: UUID, to url: String, secret: String, body: String, attempt: Int) async {
        let headers = [
            ("Content-Type", "application/json"),
            ("X-Signature", WebhookRules.signature(of: Array(body.utf8), secret: secret)),
            ("X-Delivery-Id", id.uuidString.lowercased()),
        ]
        var status: Int?
        var failure: String?
        switch await WebhookTarget.check(url, settings: targets) {
        case .failure(let refusal):
            failure = "not sent: the url \(refusal)"
        case .success(let target):
            do {
                let code = try await NIOThreadPool.singleton.runIfActive {
                    try HTTPPoster.post(
                        body, headers: headers, to: target.url, pin: target.isName ? target.pin : nil, timeout: .seconds(10))
                }
                status = code
                if !(200..<300).contains(code) { failure = "answered \(code)" }
            } catch {
                failure = String(describing: error)
            }
        }
        let outcome: WebhookDelivery.Status = failure == nil ? .delivered : attempt >= WebhookRules.maximumAttempts ? .failed : .pending
        Self.deliveries(outcome.rawValue).increment()
        let delay = WebhookRules.retryDelay(after: attempt, base: retryBase)
        let retryAt = Date().addingTimeInterval(Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
        do {
            try await database.client.query(
                """
                UPDATE webhook_deliveries SET status = \(outcome), attempts = \(attempt), last_status_code = \(status),
                    last_error = \(failure), next_attempt_at = \(retryAt), delivered_at = CASE WHEN \(outcome) = 'delivered' THEN now() END
                WHERE id = \(id)
                """, logger: logger)
        } catch {
            logger.warning("cannot record a webhook attempt", metadata: ["delivery": "\(id)", "error": "\(error)"])
        }
    }
}
