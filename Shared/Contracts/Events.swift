import Foundation

/// A message sent one way over the bus (an event or a command). `type` is its AMQP `type`.
public protocol BusMessage: Codable, Sendable {
    static var type: String { get }
}

/// A domain event, published on `lending.events` through a service's outbox. The AMQP `type` is
/// `type`; the routing key is the type without its version, so consumers bind to `auth.#` or
/// `auth.user.registered` and a `.v2` can be introduced beside a `.v1`.
public protocol DomainEvent: BusMessage {}

extension DomainEvent {
    public static var routingKey: String {
        let parts = type.split(separator: ".")
        guard let last = parts.last, last.hasPrefix("v"), Int(last.dropFirst()) != nil else { return type }
        return parts.dropLast().joined(separator: ".")
    }
}

public enum AuthEvents {
    public struct UserRegistered: DomainEvent, Equatable {
        public static let type = "auth.user.registered.v1"
        public var userID: UUID
        public var email: String
        public var role: Role
        public var occurredAt: Date

        public init(userID: UUID, email: String, role: Role, occurredAt: Date) {
            self.userID = userID
            self.email = email
            self.role = role
            self.occurredAt = occurredAt
        }
    }

    public struct UserVerified: DomainEvent, Equatable {
        public static let type = "auth.user.verified.v1"
        public var userID: UUID
        public var occurredAt: Date

        public init(userID: UUID, occurredAt: Date) {
            self.userID = userID
            self.occurredAt = occurredAt
        }
    }
}
