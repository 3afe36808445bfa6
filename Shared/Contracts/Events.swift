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
    public static var routingKey: String { BusMessages.family(of: type) }
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

    /// A staff account created by an administrator.
    public struct UserCreated: DomainEvent, Equatable {
        public static let type = "auth.user.created.v1"
        public var userID: UUID
        public var email: String
        /// Absent in events published before it was added.
        public var fullName: String?
        public var role: Role
        public var actorID: UUID
        public var actorRole: Role
        public var occurredAt: Date

        public init(userID: UUID, email: String, fullName: String?, role: Role, actorID: UUID, actorRole: Role, occurredAt: Date) {
            self.userID = userID
            self.email = email
            self.fullName = fullName
            self.role = role
            self.actorID = actorID
            self.actorRole = actorRole
            self.occurredAt = occurredAt
        }
    }

    /// A role or status change made by an administrator.
    public struct UserUpdated: DomainEvent, Equatable {
        public static let type = "auth.user.updated.v1"
        public var userID: UUID
        public var role: Role?
        public var status: AuthRPC.AccountStatus?
        public var actorID: UUID
        public var actorRole: Role
        public var occurredAt: Date

        public init(
            userID: UUID, role: Role?, status: AuthRPC.AccountStatus?, actorID: UUID, actorRole: Role, occurredAt: Date
        ) {
            self.userID = userID
            self.role = role
            self.status = status
            self.actorID = actorID
            self.actorRole = actorRole
            self.occurredAt = occurredAt
        }
    }

    /// A security event about one account: failed or locked sign-ins, password and MFA changes,
    /// sessions ended. `actorID` is who caused it when that is not the account itself.
    public struct SecurityEvent: DomainEvent, Equatable {
        public enum Kind: String, Codable, Sendable {
            case loginFailed = "login_failed"
            case accountLocked = "account_locked"
            case passwordChanged = "password_changed"
            case mfaEnabled = "mfa_enabled"
            case sessionsRevoked = "sessions_revoked"
        }

        public static let type = "auth.security.v1"
        public var kind: Kind
        public var userID: UUID
        public var actorID: UUID?
        public var clientIP: String?
        public var occurredAt: Date

        public init(kind: Kind, userID: UUID, actorID: UUID? = nil, clientIP: String? = nil, occurredAt: Date = Date()) {
            self.kind = kind
            self.userID = userID
            self.actorID = actorID
            self.clientIP = clientIP
            self.occurredAt = occurredAt
        }
    }
}
