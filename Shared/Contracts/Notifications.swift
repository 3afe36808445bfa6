import Foundation

/// A command to `notifications`, sent to its durable `notifications.commands` queue (not to the
/// events exchange: an email may carry a one-time code that no event store should keep).
public protocol NotificationCommand: BusMessage {}

public enum NotificationCommands {
    public struct SendEmail: NotificationCommand, Equatable {
        public static let type = "notifications.email.send.v1"
        public var to: String
        public var subject: String
        public var text: String

        public init(to: String, subject: String, text: String) {
            self.to = to
            self.subject = subject
            self.text = text
        }
    }
}

/// One notice in a user's in-app inbox.
public struct InboxNotification: Codable, Sendable, Equatable {
    public var id: UUID
    public var type: String
    public var title: String
    public var body: String
    /// Names the entity it is about (`application_id`, `stage_id`, `ticket_id`, `loan_id`, …).
    public var data: [String: String]
    public var createdAt: Date
    public var readAt: Date?

    public init(id: UUID, type: String, title: String, body: String, data: [String: String], createdAt: Date, readAt: Date?) {
        self.id = id
        self.type = type
        self.title = title
        self.body = body
        self.data = data
        self.createdAt = createdAt
        self.readAt = readAt
    }
}

/// Which channels a user hears on besides the inbox, which always keeps everything.
public struct NotificationPreferences: Codable, Sendable, Equatable {
    public var email: Bool
    public var websocket: Bool

    public init(email: Bool = true, websocket: Bool = true) {
        self.email = email
        self.websocket = websocket
    }
}

/// What the gateways push to a user's open WebSockets: `notifications` publishes it on the push
/// exchange with the routing key `PushMessage.routingKey(for:)`, every gateway replica receives
/// it, and the one holding the user's socket delivers it.
public struct PushMessage: Codable, Sendable, Equatable {
    public var type: String
    public var data: [String: String]
    public var at: Date

    public init(type: String, data: [String: String], at: Date) {
        self.type = type
        self.data = data
        self.at = at
    }

    public static let type = "notifications.push.v1"

    public static func routingKey(for user: UUID) -> String { "user.\(user.uuidString.lowercased())" }
}

public enum NotificationsRPC {
    public enum List: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var page: PageRequest
            public var unread: Bool?
            public var type: String?

            public init(page: PageRequest, unread: Bool?, type: String?) {
                self.page = page
                self.unread = unread
                self.type = type
            }
        }

        public typealias Response = Page<InboxNotification>
        public static let service = ServiceName.notifications
        public static let name = "notifications.list.v1"
    }

    /// Marks one notice read (`id`), or all of the caller's (`id` nil).
    public enum MarkRead: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var id: UUID?

            public init(id: UUID?) {
                self.id = id
            }
        }

        public typealias Response = Empty
        public static let service = ServiceName.notifications
        public static let name = "notifications.read.v1"
    }

    public enum GetPreferences: ServiceOperation {
        public typealias Request = Empty
        public typealias Response = NotificationPreferences
        public static let service = ServiceName.notifications
        public static let name = "notifications.preferences.get.v1"
    }

    public enum PutPreferences: ServiceOperation {
        public typealias Request = NotificationPreferences
        public typealias Response = NotificationPreferences
        public static let service = ServiceName.notifications
        public static let name = "notifications.preferences.put.v1"
    }
}
