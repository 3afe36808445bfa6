import Foundation

/// Staff administration, answered by `auth` for admins and super admins.
public enum UsersRPC {
    public typealias User = AuthRPC.User

    public enum Create: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var email: String
            public var password: String
            public var fullName: String
            public var role: Role

            public init(email: String, password: String, fullName: String, role: Role) {
                self.email = email
                self.password = password
                self.fullName = fullName
                self.role = role
            }
        }
        public typealias Response = User
        public static let service = ServiceName.auth
        public static let name = "users.create.v1"
    }

    public enum List: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var role: Role?
            public var status: AuthRPC.AccountStatus?
            /// Matches email or name, case-insensitively.
            public var q: String?
            public var page: PageRequest

            public init(role: Role? = nil, status: AuthRPC.AccountStatus? = nil, q: String? = nil, page: PageRequest = PageRequest()) {
                self.role = role
                self.status = status
                self.q = q
                self.page = page
            }
        }
        public typealias Response = Page<User>
        public static let service = ServiceName.auth
        public static let name = "users.list.v1"
    }

    /// A client account opened by staff: no password until the client accepts the emailed invite.
    public enum Invite: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var email: String
            public var fullName: String
            public var phone: String?

            public init(email: String, fullName: String, phone: String?) {
                self.email = email
                self.fullName = fullName
                self.phone = phone
            }
        }
        public typealias Response = User
        public static let service = ServiceName.auth
        public static let name = "users.invite.v1"
    }

    public enum Get: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var id: UUID

            public init(id: UUID) {
                self.id = id
            }
        }
        public typealias Response = User
        public static let service = ServiceName.auth
        public static let name = "users.get.v1"
    }

    public enum Update: ServiceOperation {
        public struct Request: Codable, Sendable {
            public var id: UUID
            public var fullName: String?
            public var role: Role?
            public var status: AuthRPC.AccountStatus?
            /// From `If-Match`: the write applies only to this version (else 412).
            public var expectedVersion: Int?

            public init(
                id: UUID, fullName: String? = nil, role: Role? = nil, status: AuthRPC.AccountStatus? = nil, expectedVersion: Int? = nil
            ) {
                self.id = id
                self.fullName = fullName
                self.role = role
                self.status = status
                self.expectedVersion = expectedVersion
            }
        }
        public typealias Response = User
        public static let service = ServiceName.auth
        public static let name = "users.update.v1"
    }

    /// A staff member's name, for lists that name who holds a piece of work.
    public struct StaffName: Codable, Sendable, Equatable {
        public var id: UUID
        public var fullName: String

        public init(id: UUID, fullName: String) {
            self.id = id
            self.fullName = fullName
        }
    }

    /// The names of the staff among a page's ids, for staff callers (clients' ids are left out).
    public enum StaffNames: ServiceOperation {
        public typealias Request = IDBatch
        public typealias Response = BatchAnswer<StaffName>
        public static let service = ServiceName.auth
        public static let name = "users.staff-names.v1"
    }
}
