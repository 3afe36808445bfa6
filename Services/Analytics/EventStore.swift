import Contracts
import Foundation
import Messaging
import Persistence
import PostgresNIO
import Synchronization

/// The append-only record of every domain event, the raw material of reports and the audit log.
/// Keyed by message id, so a redelivered event is stored once. It keeps any well-formed event,
/// also of a type the reports do not read (it is the platform's archive); only unreadable ones
/// are poison.
///
/// Every event of the platform comes through here, so events are written together: the events
/// that arrive while a transaction is being written wait for it to commit and then go in the next
/// one, in a single statement (group commit). Each caller still returns only once its own event is
/// committed, so the consumer acknowledges after the commit, as everywhere.
final class EventStore: Sendable {
    enum Outcome: Sendable {
        case stored
        case duplicate
        /// Not a JSON object, larger than `BusMessages.maximumBodyBytes`, or without a message id
        /// or type: kept out of the store, the consumer dead-letters it.
        case unreadable
    }

    private struct Event: Sendable {
        let messageID: String
        let type: String
        let routingKey: String
        let source: String?
        let occurredAt: Date
        let payload: String
        let audit: AuditRules.Draft?
    }

    private struct Waiting: Sendable {
        let event: Event
        let caller: CheckedContinuation<Outcome, any Error>
    }

    private struct Queue {
        var waiting: [Waiting] = []
        var writing = false
    }

    private let database: Database
    private let audit: AuditTrail
    private let queue = Mutex(Queue())
    /// The most events one statement takes (six parameters each).
    private let batchLimit = 256

    init(database: Database, audit: AuditTrail) {
        self.database = database
        self.audit = audit
    }

    /// Records a message as it came off the queue: its body, its AMQP properties (message id,
    /// type, timestamp, sending service) and the routing key it was published with.
    func record(_ body: [UInt8], properties: MessageProperties, routingKey: String) async throws -> Outcome {
        guard body.count <= BusMessages.maximumBodyBytes,
            let messageID = properties.messageID, let type = properties.type,
            let json = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        else { return .unreadable }
        let event = Event(
            messageID: messageID, type: type, routingKey: routingKey, source: properties.appID,
            occurredAt: properties.timestamp ?? Date(), payload: String(decoding: body, as: UTF8.self),
            // Staff actions and security events also go into the audit log, in the same transaction.
            audit: AuditRules.draft(type: type, payload: json))
        return try await withCheckedThrowingContinuation { caller in
            let startWriting = queue.withLock { queue in
                queue.waiting.append(Waiting(event: event, caller: caller))
                defer { queue.writing = true }
                return !queue.writing
            }
            if startWriting { Task { await writeWhileWaiting() } }
        }
    }

    /// Writes what is waiting, one transaction at a time, until nothing is. A transaction that
    /// hangs (a connection lost across a database restart) is given up after 15 s: its callers
    /// get the error and their consumer retries the events.
    private func writeWhileWaiting() async {
        while true {
            let batch = queue.withLock { queue -> [Waiting] in
                let batch = Array(queue.waiting.prefix(batchLimit))
                queue.waiting.removeFirst(batch.count)
                queue.writing = !batch.isEmpty
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                let stored = try await withDeadline(.seconds(15)) { try await self.write(batch.map(\.event)) }
                var first = Set<String>()
                for waiting in batch {
                    let isFirst = stored.contains(waiting.event.messageID) && first.insert(waiting.event.messageID).inserted
                    waiting.caller.resume(returning: isFirst ? .stored : .duplicate)
                }
            } catch {
                for waiting in batch { waiting.caller.resume(throwing: error) }
            }
        }
    }

    /// Inserts the events in one statement and appends the audit entries of the new ones; returns
    /// the message ids stored now (the others were stored before).
    private func write(_ events: [Event]) async throws -> Set<String> {
        try await database.transaction { connection in
            var stored = Set<String>()
            for try await messageID in try await connection.query(Self.insert(events), logger: database.logger).decode(String.self) {
                stored.insert(messageID)
            }
            var appended = Set<String>()
            for event in events where stored.contains(event.messageID) && appended.insert(event.messageID).inserted {
                if let draft = event.audit { try await audit.append(draft, messageID: event.messageID, at: Date(), on: connection) }
            }
            return stored
        }
    }

    /// One statement for the whole batch, whatever its size: a column of binds each, zipped by
    /// `unnest`. An array bind cannot hold NULL, so a missing `source` travels as `''`.
    private static func insert(_ events: [Event]) -> PostgresQuery {
        """
        INSERT INTO events (message_id, type, routing_key, source, occurred_at, payload)
        SELECT id, type, key, nullif(source, ''), at, payload::jsonb
        FROM unnest(\(events.map(\.messageID))::text[], \(events.map(\.type))::text[], \(events.map(\.routingKey))::text[],
                    \(events.map { $0.source ?? "" })::text[], \(events.map(\.occurredAt))::timestamptz[], \(events.map(\.payload))::text[])
             AS batch (id, type, key, source, at, payload)
        ON CONFLICT (message_id) DO NOTHING RETURNING message_id
        """
    }
}
