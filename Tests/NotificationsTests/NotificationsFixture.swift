import Contracts
import Foundation
import Messaging
import Persistence
import ServiceKit
import TestSupport

@testable import Notifications

/// `notifications` on a schema of its own (its inbox, recipients and notifier; not mail, texts
/// or webhooks): what the service tests call and deliver events to.
struct NotificationsFixture {
    let database: Database
    let service: NotificationsService
    let operations: OperationsUnderTest

    static func run(_ body: (NotificationsFixture) async throws -> Void) async throws {
        try await withTestDatabase(migrations: NotificationsMigrations.all) { database in
            let service = NotificationsService(database: database, templates: try Templates())
            var rpc = RPCHandlers()
            service.register(on: &rpc)
            var events = MessageHandlers()
            service.register(on: &events)
            try await body(
                NotificationsFixture(database: database, service: service, operations: OperationsUnderTest(rpc: rpc, events: events)))
        }
    }

    /// A user `auth` announced: a client who registered, or staff an administrator created.
    func user(_ role: Role = .client, email: String? = nil) async throws -> Principal {
        let user = Principal.signedIn(as: role)
        let address = email ?? "\(role.rawValue)-\(user.userID.uuidString.prefix(8).lowercased())@example.com"
        if role == .client {
            try await operations.deliver(AuthEvents.UserRegistered(userID: user.userID, email: address, role: role, occurredAt: Date()))
        } else {
            try await operations.deliver(
                AuthEvents.UserCreated(
                    userID: user.userID, email: address, fullName: nil, role: role, actorID: UUID(), actorRole: .admin, occurredAt: Date()))
        }
        return user
    }

    /// `loans` moved one of `client`'s applications.
    @discardableResult
    func statusChanged(
        _ application: UUID = UUID(), of client: Principal, from: ApplicationStatus?, to: ApplicationStatus,
        messageID: String = UUID().uuidString.lowercased()
    ) async throws -> QueueConsumer.Outcome {
        try await operations.deliver(
            LoansEvents.ApplicationStatusChanged(
                applicationID: application, customerID: client.userID, from: from, to: to, actorID: nil, occurredAt: Date()),
            messageID: messageID)
    }

    /// The first page of `user`'s inbox, as they list it.
    func inbox(
        of user: Principal, unread: Bool? = nil, type: String? = nil, page: PageRequest = PageRequest()
    ) async throws
        -> Page<InboxNotification>
    {
        try await operations.ok(NotificationsRPC.List.self, .init(page: page, unread: unread, type: type), as: user)
    }

    /// When a notification was marked read, to the microsecond, as stored.
    func readAt(_ id: UUID) async throws -> Date? {
        for try await readAt in try await database.client.query("SELECT read_at FROM inbox WHERE id = \(id)", logger: database.logger)
            .decode(Date?.self)
        {
            return readAt
        }
        return nil
    }

    /// The pushes waiting in the outbox for `user`'s WebSockets, oldest first.
    func pushes(to user: Principal) async throws -> [PushMessage] {
        try await outbox(PushMessage.self, routingKey: PushMessage.routingKey(for: user.userID))
    }

    /// The emails waiting in the outbox for the mail sender, oldest first.
    func emails() async throws -> [NotificationCommands.SendEmail] {
        try await outbox(NotificationCommands.SendEmail.self, routingKey: ServiceName.notifications.commandsQueue)
    }

    private func outbox<Message: BusMessage>(_ type: Message.Type, routingKey: String) async throws -> [Message] {
        var messages: [Message] = []
        for try await body in try await database.client.query(
            "SELECT body FROM outbox WHERE type = \(Message.type) AND routing_key = \(routingKey) ORDER BY id", logger: database.logger
        ).decode(String.self) {
            messages.append(try JSON.decode(Message.self, from: Array(body.utf8)))
        }
        return messages
    }
}
