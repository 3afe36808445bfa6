import Foundation
import Logging
import Persistence
import PostgresNIO
import Synchronization

/// The active webhooks' ids and event patterns, read at most once every `freshFor`. Every event of
/// the platform passes the webhook fan-out, and most match no subscription: answering that from
/// memory spares each of them a transaction. Creating or deleting a webhook forgets the copy of
/// the replica that did it; other replicas see the change within `freshFor`.
final class WebhookSubscriptions: Sendable {
    private struct Copy {
        var subscriptions: [(id: UUID, patterns: [String])] = []
        var readAt: ContinuousClock.Instant?
    }

    private let database: Database
    private let freshFor: Duration
    private let copy = Mutex(Copy())

    init(database: Database, freshFor: Duration = .seconds(1)) {
        self.database = database
        self.freshFor = freshFor
    }

    /// The webhooks with a pattern matching `routingKey`.
    func matching(_ routingKey: String) async throws -> [UUID] {
        try await current().filter { $0.patterns.contains { WebhookRules.matches($0, routingKey) } }.map(\.id)
    }

    func forget() {
        copy.withLock { $0.readAt = nil }
    }

    private func current() async throws -> [(id: UUID, patterns: [String])] {
        let now = ContinuousClock.now
        if let fresh = copy.withLock({ copy in copy.readAt.map { now - $0 < freshFor } == true ? copy.subscriptions : nil }) {
            return fresh
        }
        var subscriptions: [(id: UUID, patterns: [String])] = []
        for try await (id, patterns) in try await database.client.query(
            "SELECT id, events FROM notifications.webhooks WHERE active", logger: database.logger
        ).decode((UUID, [String]).self) {
            subscriptions.append((id, patterns))
        }
        copy.withLock { $0 = Copy(subscriptions: subscriptions, readAt: now) }
        return subscriptions
    }
}
