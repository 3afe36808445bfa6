import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO

struct UserRecord: Sendable {
    let id: UUID
    let email: String
    let passwordHash: String
    let fullName: String
    let phone: String?
    let phoneVerified: Bool
    let role: Role
    let status: AuthRPC.AccountStatus
    let mfaEnabled: Bool
    let failedLogins: Int
    let lockedUntil: Date?
    let createdAt: Date
    let version: Int
    let mfaSecret: String?

    var user: AuthRPC.User {
        AuthRPC.User(
            id: id, email: email, fullName: fullName, phone: phone, phoneVerified: phoneVerified, role: role, status: status,
            mfaEnabled: mfaEnabled, createdAt: createdAt, version: version)
    }
}

struct VerificationCode: Sendable {
    let codeHash: String
    let expiresAt: Date
    let attempts: Int
}

/// The SQL of the `auth` schema.
struct UserStore: Sendable {
    let database: Database
    private var logger: Logger { database.logger }

    private static let userColumns =
        """
        id, email, password_hash, full_name, phone, role, status, mfa_enabled, failed_logins, locked_until, created_at,
        version, mfa_secret, phone_verified_at IS NOT NULL
        """

    /// Inserts a user; nil when the email is taken.
    func insert(
        id: UUID, email: String, passwordHash: String, fullName: String, phone: String?, role: Role,
        status: AuthRPC.AccountStatus, on connection: PostgresConnection
    ) async throws -> UUID? {
        let rows = try await connection.query(
            """
            INSERT INTO users (id, email, password_hash, full_name, phone, role, status)
            VALUES (\(id), \(email), \(passwordHash), \(fullName), \(phone), \(role), \(status))
            ON CONFLICT (email) DO NOTHING RETURNING id
            """, logger: logger)
        for try await id in rows.decode(UUID.self) { return id }
        return nil
    }

    func user(email: String, on connection: PostgresConnection? = nil, forUpdate: Bool = false) async throws -> UserRecord? {
        try await fetchUser(
            "SELECT \(unescaped: Self.userColumns) FROM users WHERE email = \(email)\(unescaped: forUpdate ? " FOR UPDATE" : "")",
            on: connection)
    }

    func user(id: UUID, on connection: PostgresConnection? = nil) async throws -> UserRecord? {
        try await fetchUser("SELECT \(unescaped: Self.userColumns) FROM users WHERE id = \(id)", on: connection)
    }

    /// Counts one more failed sign-in; the last allowed failure locks the account and resets the
    /// count. Returns whether this failure locked it.
    func recordLoginFailure(userID: UUID, on connection: PostgresConnection) async throws -> Bool {
        let limit = LoginPolicy.maximumFailures
        let rows = try await connection.query(
            """
            UPDATE users SET
                locked_until = CASE WHEN failed_logins + 1 >= \(limit)
                    THEN now() + make_interval(secs => \(LoginPolicy.lockoutSeconds)) ELSE locked_until END,
                failed_logins = CASE WHEN failed_logins + 1 >= \(limit) THEN 0 ELSE failed_logins + 1 END
            WHERE id = \(userID)
            RETURNING failed_logins = 0
            """, logger: logger)
        for try await locked in rows.decode(Bool.self) { return locked }
        return false
    }

    func recordLoginSuccess(userID: UUID) async throws {
        try await database.client.query(
            "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = \(userID) AND failed_logins > 0",
            logger: logger)
    }

    func activate(userID: UUID, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            UPDATE users SET status = 'active', version = version + 1, updated_at = now()
            WHERE id = \(userID)
            """, logger: logger)
    }

    /// Replaces the user's verification code (one live code at a time).
    func storeCode(userID: UUID, codeHash: String, expiresAt: Date, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO verification_codes (user_id, code_hash, expires_at) VALUES (\(userID), \(codeHash), \(expiresAt))
            ON CONFLICT (user_id) DO UPDATE
            SET code_hash = EXCLUDED.code_hash, expires_at = EXCLUDED.expires_at, attempts = 0, created_at = now()
            """, logger: logger)
    }

    /// The user's code, locked for this transaction so concurrent guesses count one by one.
    func lockedCode(userID: UUID, on connection: PostgresConnection) async throws -> VerificationCode? {
        let rows = try await connection.query(
            "SELECT code_hash, expires_at, attempts FROM verification_codes WHERE user_id = \(userID) FOR UPDATE",
            logger: logger)
        for try await (hash, expiresAt, attempts) in rows.decode((String, Date, Int).self) {
            return VerificationCode(codeHash: hash, expiresAt: expiresAt, attempts: attempts)
        }
        return nil
    }

    func countFailedAttempt(userID: UUID, on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE verification_codes SET attempts = attempts + 1 WHERE user_id = \(userID)", logger: logger)
    }

    func deleteCode(userID: UUID, on connection: PostgresConnection) async throws {
        try await connection.query("DELETE FROM verification_codes WHERE user_id = \(userID)", logger: logger)
    }

    private func fetchUser(_ query: PostgresQuery, on connection: PostgresConnection?) async throws -> UserRecord? {
        let rows =
            if let connection {
                try await connection.query(query, logger: logger)
            } else {
                try await database.client.query(query, logger: logger)
            }
        return try await Self.records(rows).first
    }

    private static func records(_ rows: PostgresRowSequence) async throws -> [UserRecord] {
        var records: [UserRecord] = []
        for try await (id, email, hash, name, phone, role, status, mfa, failures, lockedUntil, createdAt, version, secret, phoneVerified)
            in rows.decode(
                (UUID, String, String, String, String?, Role, AuthRPC.AccountStatus, Bool, Int, Date?, Date, Int, String?, Bool).self)
        {
            records.append(
                UserRecord(
                    id: id, email: email, passwordHash: hash, fullName: name, phone: phone, phoneVerified: phoneVerified, role: role,
                    status: status, mfaEnabled: mfa, failedLogins: failures, lockedUntil: lockedUntil, createdAt: createdAt,
                    version: version,
                    mfaSecret: secret))
        }
        return records
    }

    /// The names of the staff accounts among `ids`; clients' are left out.
    func staffNames(of ids: [UUID]) async throws -> [UsersRPC.StaffName] {
        let rows = try await database.query("SELECT id, full_name FROM users WHERE id = ANY(\(ids)) AND role <> 'client'", on: nil)
        var names: [UsersRPC.StaffName] = []
        for try await (id, name) in rows.decode((UUID, String).self) { names.append(.init(id: id, fullName: name)) }
        return names
    }

    /// A page of accounts, newest first, with the total matching the filters.
    func list(_ request: UsersRPC.List.Request) async throws -> (records: [UserRecord], total: Int) {
        let (role, status, pattern) = (request.role, request.status, request.q.map(Database.containsPattern))
        let filter: PostgresQuery = try """
        FROM users
        WHERE (\(role)::text IS NULL OR role = \(role)) AND (\(status)::text IS NULL OR status = \(status))
          AND (\(pattern)::text IS NULL OR email ILIKE \(pattern) OR full_name ILIKE \(pattern))
        """
        let (total, rows) = try await database.listing(
            select: Self.userColumns, filter, orderBy: "created_at DESC, id", limit: request.page.pageSize, offset: request.page.offset)
        return (try await Self.records(rows), total)
    }

    /// Applies a role or status change if the row is still at `expectedVersion` (when given);
    /// nil when it is not (someone else changed it first).
    func update(
        id: UUID, fullName: String?, role: Role?, status: AuthRPC.AccountStatus?, expectedVersion: Int?, on connection: PostgresConnection
    ) async throws -> UserRecord? {
        let rows = try await connection.query(
            """
            UPDATE users SET role = coalesce(\(role), role), status = coalesce(\(status), status), full_name = coalesce(\(fullName), full_name),
                version = version + 1, updated_at = now()
            WHERE id = \(id) AND (\(expectedVersion)::int IS NULL OR version = \(expectedVersion))
            RETURNING \(unescaped: Self.userColumns)
            """, logger: logger)
        return try await Self.records(rows).first
    }

    /// Stores a new secret; MFA stays off until confirmed (and turning it on again starts over).
    func startMFA(userID: UUID, secret: String) async throws {
        try await database.client.query(
            "UPDATE users SET mfa_secret = \(secret), updated_at = now() WHERE id = \(userID) AND NOT mfa_enabled",
            logger: logger)
    }

    func enableMFA(userID: UUID, on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE users SET mfa_enabled = true, version = version + 1, updated_at = now() WHERE id = \(userID)",
            logger: logger)
    }

    func updatePassword(userID: UUID, hash: String, on connection: PostgresConnection) async throws {
        try await connection.query(
            "UPDATE users SET password_hash = \(hash), version = version + 1, updated_at = now() WHERE id = \(userID)",
            logger: logger)
    }
}
