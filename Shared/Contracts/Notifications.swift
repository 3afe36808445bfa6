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

    /// A text message to a phone (E.164), e.g. a verification code.
    public struct SendSMS: NotificationCommand, Equatable {
        public static let type = "notifications.sms.send.v1"
        public var to: String
        public var text: String

        public init(to: String, text: String) {
            self.to = to
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
    @ExplicitNull public var readAt: Date?

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
public struct PushMessage: BusMessage, Equatable {
    public var type: String
    public var data: [String: String]
    public var at: Date

    public init(type: String, data: [String: String], at: Date) {
        self.type = type
        self.data = data
        self.at = at
    }

    public static let type = "notifications.push.v1"

    /// The routing key of pushes to `user`'s sockets, `user.<id>`: every gateway receives them
    /// (it binds `user.*`), and the one holding a socket of the user delivers.
    public static func routingKey(for user: UUID) -> String { "user.\(user.uuidString.lowercased())" }

    /// Pushes to every open WebSocket, on every gateway (`system_maintenance`).
    public static let everyoneRoutingKey = "everyone"

    /// Tells a syncing client to pull `/sync/changes` now. Its `cursor` marks the change that
    /// prompted it (the time of the notice); a client pulls from its own cursor.
    public static func syncStatus(after notice: PushMessage) -> PushMessage {
        var data = ["cursor": notice.at.formatted(.iso8601), "reason": notice.type]
        data["application_id"] = notice.data["application_id"]
        data["ticket_id"] = notice.data["ticket_id"]
        data["loan_id"] = notice.data["loan_id"]
        return PushMessage(type: "sync_status", data: data, at: notice.at)
    }
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

/// An administrator's subscription of an outside system to events: each matching event is POSTed
/// to `url`, signed `X-Signature: sha256=<hex HMAC-SHA256 of the body with the secret>`.
public struct Webhook: Codable, Sendable, Equatable {
    public var id: UUID
    public var url: String
    /// Event routing keys (`loans.application.status_changed`), `*` matching one word and `#` any.
    public var events: [String]
    public var createdAt: Date

    public init(id: UUID, url: String, events: [String], createdAt: Date) {
        self.id = id
        self.url = url
        self.events = events
        self.createdAt = createdAt
    }
}

/// One attempt-tracked delivery of one event to one webhook.
public struct WebhookDelivery: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case pending, delivered, failed
    }

    public var id: UUID
    public var eventType: String
    public var status: Status
    public var attempts: Int
    @ExplicitNull public var lastStatusCode: Int?
    @ExplicitNull public var lastError: String?
    public var createdAt: Date
    @ExplicitNull public var deliveredAt: Date?

    public init(
        id: UUID, eventType: String, status: Status, attempts: Int, lastStatusCode: Int?, lastError: String?, createdAt: Date,
        deliveredAt: Date?
    ) {
        self.id = id
        self.eventType = eventType
        self.status = status
        self.attempts = attempts
        self.lastStatusCode = lastStatusCode
        self.lastError = lastError
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
    }
}

public enum WebhooksRPC {
    public enum Create: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var url: String
            public var events: [String]
            public var secret: String

            public init(url: String, events: [String], secret: String) {
                self.url = url
                self.events = events
                self.secret = secret
            }
        }

        public typealias Response = Webhook
        public static let service = ServiceName.notifications
        public static let name = "webhooks.create.v1"
    }

    public enum List: ServiceOperation {
        public typealias Request = PageRequest
        public typealias Response = Page<Webhook>
        public static let service = ServiceName.notifications
        public static let name = "webhooks.list.v1"
    }

    public enum Delete: ServiceOperation {
        public typealias Request = ApplicationsRPC.ByID
        public typealias Response = Empty
        public static let service = ServiceName.notifications
        public static let name = "webhooks.delete.v1"
    }

    /// The delivery log of one webhook, newest first.
    public enum Deliveries: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var id: UUID
            public var page: PageRequest

            public init(id: UUID, page: PageRequest) {
                self.id = id
                self.page = page
            }
        }

        public typealias Response = Page<WebhookDelivery>
        public static let service = ServiceName.notifications
        public static let name = "webhooks.deliveries.v1"
    }
}
