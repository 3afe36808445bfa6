import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO
import ServiceKit

/// Turns domain events into notices and delivers them: a row in each recipient's inbox, a push to
/// their WebSockets, and an email when the notice is worth one and they have not turned email off.
/// All of it is written in one transaction with the inbox entry (push and email through the
/// outbox), once per event.
struct Notifier: Sendable {
    let database: Database
    let recipients: Recipients
    let templates: Templates

    static let routingKeys = [
        LoansEvents.ApplicationStatusChanged.routingKey, ApprovalsEvents.StageAssigned.routingKey, ApprovalsEvents.SLABreached.routingKey,
        TicketEvents.Updated.routingKey, TicketEvents.SLABreached.routingKey, LoansEvents.InstalmentOverdue.routingKey,
        LoansEvents.LoanDisbursed.routingKey, AuthEvents.SecurityEvent.routingKey,
    ]

    func register(on handlers: inout MessageHandlers) {
        on(LoansEvents.ApplicationStatusChanged.self, &handlers, Notice.about)
        on(ApprovalsEvents.StageAssigned.self, &handlers, Notice.about)
        on(ApprovalsEvents.SLABreached.self, &handlers, Notice.about)
        on(TicketEvents.Updated.self, &handlers, Notice.about)
        on(TicketEvents.SLABreached.self, &handlers, Notice.about)
        on(LoansEvents.InstalmentOverdue.self, &handlers, Notice.about)
        on(LoansEvents.LoanDisbursed.self, &handlers, Notice.about)
        on(AuthEvents.SecurityEvent.self, &handlers, Notice.about)
    }

    private func on<Event: DomainEvent>(
        _ type: Event.Type, _ handlers: inout MessageHandlers, _ notices: @escaping @Sendable (Event) -> [Notice]
    ) {
        handlers.on(type) { event, context in
            try await database.processOnce(messageID: context.messageID) { connection in
                for notice in notices(event) { try await deliver(notice, on: connection) }
            }
        }
    }

    private func deliver(_ notice: Notice, on connection: PostgresConnection) async throws {
        let title = templates.render(notice, .title)
        let body = templates.render(notice, .inbox)
        let data = String(decoding: try JSON.encode(notice.data), as: UTF8.self)
        let now = Date()
        for recipient in try await recipients.resolve(notice.audience, on: connection) {
            try await connection.query(
                """
                INSERT INTO inbox (id, user_id, type, title, body, data, created_at)
                VALUES (\(UUID()), \(recipient.id), \(notice.type), \(title), \(body), \(data)::jsonb, \(now))
                """, logger: database.logger)
            if recipient.preferences.websocket {
                try await database.outbox.push(PushMessage(type: notice.type, data: notice.data, at: now), to: recipient.id, on: connection)
            }
            if notice.emails, recipient.preferences.email {
                try await database.outbox.send(
                    NotificationCommands.SendEmail(to: recipient.email, subject: title, text: templates.render(notice, .email)),
                    to: .notifications, on: connection)
            }
        }
    }
}
