import Logging
import Persistence
import ServiceKit

/// What `notifications` answers and reacts to from its database, wired to one database: the
/// recipients `auth` announces, the notifier that fills inboxes from domain events, and each
/// user's inbox. `main.swift` serves it over the bus (with mail, texts and webhooks beside it),
/// and the service tests call it directly on a schema of their own.
struct NotificationsService: Sendable {
    let recipients: Recipients
    let inbox: InboxOperations
    private let notifier: Notifier

    init(database: Database, templates: Templates) {
        recipients = Recipients(database: database)
        inbox = InboxOperations(database: database)
        notifier = Notifier(database: database, recipients: recipients, templates: templates)
    }

    /// The inbox and the channel preferences of the signed-in user.
    func register(on handlers: inout RPCHandlers) {
        inbox.register(on: &handlers)
    }

    /// `auth`'s events about users, and the domain events that become notices.
    func register(on handlers: inout MessageHandlers) {
        recipients.register(on: &handlers)
        notifier.register(on: &handlers)
    }
}
