import Foundation

/// The operations `auth` answers. Requests mirror the public API's bodies.
public enum AuthRPC {
    public struct User: Codable, Sendable, Equatable {
        public var id: UUID
        public var email: String
        public var fullName: String
        @ExplicitNull public var phone: String?
        /// Whether the holder of `phone` proved it with the code sent by SMS.
        public var phoneVerified: Bool
        public var role: Role
        public var status: AccountStatus
        public var mfaEnabled: Bool
        public var createdAt: Date
        /// Bumped by every change; `PATCH /users/{id}` takes it as `If-Match`.
        public var version: Int

        public init(
            id: UUID, email: String, fullName: String, phone: String?, phoneVerified: Bool = false, role: Role, status: AccountStatus,
            mfaEnabled: Bool, createdAt: Date, version: Int
        ) {
            self.id = id
            self.email = email
            self.fullName = fullName
            self.phone = phone
            self.phoneVerified = phoneVerified
            self.role = role
            self.status = status
            self.mfaEnabled = mfaEnabled
            self.createdAt = createdAt
            self.version = version
        }
    }

    public enum AccountStatus: String, Codable, Sendable {
        case pendingVerification = "pending_verification"
        /// Opened by staff for a walk-in client, until the client sets a password.
        case invited
        case active
        case disabled
    }

    public struct TokenPair: Codable, Sendable, Equatable {
        public var accessToken: String
        public var refreshToken: String
        public var tokenType: String
        public var expiresIn: Int
        public var role: Role

        public init(accessToken: String, refreshToken: String, expiresIn: Int, role: Role) {
            self.accessToken = accessToken
            self.refreshToken = refreshToken
            self.tokenType = "bearer"
            self.expiresIn = expiresIn
            self.role = role
        }
    }

    public struct StatusReply: Codable, Sendable, Equatable {
        public var status: String

        public init(status: String) {
            self.status = status
        }
    }

    public enum Register: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var email: String
            public var password: String
            public var fullName: String
            public var phone: String?

            public init(email: String, password: String, fullName: String, phone: String? = nil) {
                self.email = email
                self.password = password
                self.fullName = fullName
                self.phone = phone
            }
        }
        public struct Response: Codable, Sendable {
            public var id: UUID
            public var email: String
            public var status: AccountStatus

            public init(id: UUID, email: String, status: AccountStatus) {
                self.id = id
                self.email = email
                self.status = status
            }
        }
        public static let service = ServiceName.auth
        public static let name = "auth.register.v1"
    }

    public enum VerifyOTP: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var email: String
            public var code: String

            public init(email: String, code: String) {
                self.email = email
                self.code = code
            }
        }
        public typealias Response = StatusReply
        public static let service = ServiceName.auth
        public static let name = "auth.verify-otp.v1"
    }

    /// A walk-in client sets the password of the account staff opened, with the emailed code.
    public enum AcceptInvite: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var email: String
            public var code: String
            public var password: String

            public init(email: String, code: String, password: String) {
                self.email = email
                self.code = code
                self.password = password
            }
        }
        public typealias Response = StatusReply
        public static let service = ServiceName.auth
        public static let name = "auth.accept-invite.v1"
    }

    public enum ResendOTP: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var email: String

            public init(email: String) {
                self.email = email
            }
        }
        public typealias Response = StatusReply
        public static let service = ServiceName.auth
        public static let name = "auth.resend-otp.v1"
    }

    public enum Login: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var email: String
            public var password: String
            public var totp: String?

            public init(email: String, password: String, totp: String? = nil) {
                self.email = email
                self.password = password
                self.totp = totp
            }
        }
        public typealias Response = TokenPair
        public static let service = ServiceName.auth
        public static let name = "auth.login.v1"
    }

    public enum Refresh: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var refreshToken: String

            public init(refreshToken: String) {
                self.refreshToken = refreshToken
            }
        }
        public typealias Response = TokenPair
        public static let service = ServiceName.auth
        public static let name = "auth.refresh.v1"
    }

    /// Ends the caller's session, and with it every access token of the session, the presented
    /// one included.
    public enum Logout: ServiceOperation {
        public typealias Request = Empty
        public typealias Response = Empty
        public static let service = ServiceName.auth
        public static let name = "auth.logout.v1"
    }

    /// Ends every session of the caller (all devices).
    public enum LogoutAll: ServiceOperation {
        public typealias Request = Empty
        public typealias Response = Empty
        public static let service = ServiceName.auth
        public static let name = "auth.logout-all.v1"
    }

    /// Asked by a gateway about a session Redis does not vouch for (its key is missing, or Redis
    /// may have lost writes since `auth` last synced it): answered from `auth`'s database, which
    /// holds every session of record. A live session's key is put back in Redis before the answer.
    public enum CheckSession: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var sessionID: String

            public init(sessionID: String) {
                self.sessionID = sessionID
            }
        }
        public struct Response: Codable, Sendable, Equatable {
            public var alive: Bool

            public init(alive: Bool) {
                self.alive = alive
            }
        }
        public static let service = ServiceName.auth
        public static let name = "auth.check-session.v1"
    }

    /// Changes the caller's password and ends their other sessions.
    public enum ChangePassword: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var currentPassword: String
            public var newPassword: String

            public init(currentPassword: String, newPassword: String) {
                self.currentPassword = currentPassword
                self.newPassword = newPassword
            }
        }
        public typealias Response = Empty
        public static let service = ServiceName.auth
        public static let name = "auth.change-password.v1"
    }

    /// Starts TOTP (RFC 6238) for a staff member: a new secret, active once confirmed. Needs the
    /// account's password, so a session left open cannot bind its own authenticator.
    public enum MFASetup: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var password: String

            public init(password: String) {
                self.password = password
            }
        }
        public struct Response: Codable, Sendable {
            /// Base32, as authenticator apps take it.
            public var secret: String
            public var otpauthURI: String

            public init(secret: String, otpauthURI: String) {
                self.secret = secret
                self.otpauthURI = otpauthURI
            }
        }
        public static let service = ServiceName.auth
        public static let name = "auth.mfa-setup.v1"
    }

    /// Turns MFA on with a first code from the authenticator.
    public enum MFAConfirm: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var code: String

            public init(code: String) {
                self.code = code
            }
        }
        public typealias Response = Empty
        public static let service = ServiceName.auth
        public static let name = "auth.mfa-confirm.v1"
    }

    /// The signed-in user proves their phone with the code sent to it by SMS.
    public enum VerifyPhone: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var code: String

            public init(code: String) {
                self.code = code
            }
        }
        public typealias Response = User
        public static let service = ServiceName.auth
        public static let name = "auth.verify-phone.v1"
    }

    /// A new SMS code for the signed-in user's phone, at most one a minute.
    public enum ResendPhoneCode: ServiceOperation {
        public typealias Request = Empty
        public typealias Response = StatusReply
        public static let service = ServiceName.auth
        public static let name = "auth.resend-phone-code.v1"
    }

    public enum Me: ServiceOperation {
        public typealias Request = Empty
        public typealias Response = User
        public static let service = ServiceName.auth
        public static let name = "auth.me.v1"
    }

    /// The public keys that verify access tokens, as a JWK Set (RFC 7517).
    public enum Keys: ServiceOperation {
        public typealias Request = Empty
        public struct Response: Codable, Sendable, Equatable {
            public var keys: [JWK]

            public init(keys: [JWK]) {
                self.keys = keys
            }
        }
        public static let service = ServiceName.auth
        public static let name = "auth.keys.v1"
    }

    public struct JWK: Codable, Sendable, Equatable {
        public var kty: String
        public var crv: String
        public var x: String
        public var y: String
        public var kid: String
        public var alg: String
        public var use: String

        public init(kty: String, crv: String, x: String, y: String, kid: String, alg: String, use: String) {
            self.kty = kty
            self.crv = crv
            self.x = x
            self.y = y
            self.kid = kid
            self.alg = alg
            self.use = use
        }
    }
}

/// The Redis keys by which gateways check, on every request, that an access token's session is
/// alive. `auth` writes them; its database holds the sessions of record, and Redis is their cache.
public enum SessionKeys {
    /// Present while the session is alive; every access token names its session (`sid`).
    public static func session(_ sessionID: String) -> String { "auth:session:\(sessionID)" }
    /// The run id of the Redis server to which `auth` last re-applied every session ended lately.
    /// When it is not this server's (a restart or a failover since, which may have lost writes),
    /// a present session key proves nothing and gateways ask `auth`.
    public static let synced = "auth:sessions-synced"
    /// The time (Unix ms) before which the user's WebSockets were opened with an access that has
    /// since been taken back (a password change); the gateway closes them.
    public static func socketsClosedBefore(_ userID: UUID) -> String { "auth:sockets-closed-before:\(userID.uuidString.lowercased())" }
}
