import Contracts
import Foundation
import Logging
import Persistence
import PostgresNIO
import ServiceKit

/// The account's phone, proved by a code sent there by SMS: when a phone is registered (sign-up,
/// a walk-in client's invitation) or changed (the client's profile, through `loans`'
/// `PhoneChanged`). A code lives 10 minutes and allows 5 tries; a new one is sent at most once a
/// minute. The cool-down is the code's own `sent_at`, in the database: it survives a Redis loss.
struct PhoneVerification: Sendable {
    static let routingKeys = [LoansEvents.PhoneChanged.routingKey]

    let database: Database
    let store: UserStore
    private var logger: Logger { database.logger }

    func register(on handlers: inout RPCHandlers) {
        handlers.on(AuthRPC.VerifyPhone.self) { request, context in
            .ok(try await verify(request.code, userID: context.requirePrincipal().userID))
        }
        handlers.on(AuthRPC.ResendPhoneCode.self) { _, context in
            try await resend(userID: context.requirePrincipal().userID)
            return .accepted(.init(status: "accepted"))
        }
    }

    func register(on events: inout MessageHandlers) {
        events.on(LoansEvents.PhoneChanged.self) { change, context in
            try await database.processOnce(messageID: context.messageID) { connection in
                try await adopt(change.phone, userID: change.customerID, on: connection)
            }
        }
    }

    /// Texts a new code to `phone`, replacing any earlier one; in the caller's transaction.
    func send(to phone: String, userID: UUID, on connection: PostgresConnection) async throws {
        let code = OneTimeCodePolicy.generate()
        try await connection.query(
            """
            INSERT INTO phone_codes (user_id, phone, code_hash, expires_at)
            VALUES (\(userID), \(phone), \(OneTimeCodePolicy.hash(code, userID: userID)), \(Date().addingTimeInterval(OneTimeCodePolicy.lifetime)))
            ON CONFLICT (user_id) DO UPDATE SET phone = EXCLUDED.phone, code_hash = EXCLUDED.code_hash, expires_at = EXCLUDED.expires_at,
                attempts = 0, sent_at = now()
            """, logger: logger)
        try await database.outbox.send(
            NotificationCommands.SendSMS(to: phone, text: "Your verification code is \(code). It expires in 10 minutes."),
            to: .notifications, on: connection)
    }

    /// The profile's phone becomes the account's, unverified, and gets a code; the same number
    /// again changes nothing.
    private func adopt(_ phone: String, userID: UUID, on connection: PostgresConnection) async throws {
        let rows = try await connection.query(
            """
            UPDATE users SET phone = \(phone), phone_verified_at = NULL, version = version + 1, updated_at = now()
            WHERE id = \(userID) AND phone IS DISTINCT FROM \(phone) RETURNING id
            """, logger: logger)
        for try await _ in rows.decode(UUID.self) {
            try await send(to: phone, userID: userID, on: connection)
        }
    }

    private func verify(_ code: String, userID: UUID) async throws -> AuthRPC.User {
        guard code.count == 6, code.allSatisfy(\.isASCII), code.allSatisfy(\.isNumber) else {
            throw Problem.validation(field: "code", "must be the 6 digits from the text message")
        }
        enum Outcome { case verified, refused }
        // Failed attempts are counted and committed, so the transaction returns rather than throws.
        let outcome: Outcome = try await database.transaction { connection in
            let rows = try await connection.query(
                """
                SELECT c.phone, c.code_hash, c.expires_at, c.attempts, u.phone FROM phone_codes c JOIN users u ON u.id = c.user_id
                WHERE c.user_id = \(userID) FOR UPDATE OF c
                """, logger: logger)
            for try await (sentTo, hash, expiresAt, attempts, current) in rows.decode((String, String, Date, Int, String?).self) {
                // A code sent to a number the account no longer has proves nothing.
                guard sentTo == current, expiresAt > Date(), attempts < OneTimeCodePolicy.maximumAttempts else { return .refused }
                guard OneTimeCodePolicy.matches(code, userID: userID, hash: hash) else {
                    try await connection.query("UPDATE phone_codes SET attempts = attempts + 1 WHERE user_id = \(userID)", logger: logger)
                    return .refused
                }
                try await connection.query("DELETE FROM phone_codes WHERE user_id = \(userID)", logger: logger)
                try await connection.query(
                    "UPDATE users SET phone_verified_at = now(), version = version + 1, updated_at = now() WHERE id = \(userID)",
                    logger: logger)
                return .verified
            }
            return .refused
        }
        guard outcome == .verified else {
            throw Problem.badRequest("The code is wrong or has expired. After five wrong codes, ask for a new one.", slug: "invalid-code")
        }
        guard let user = try await store.user(id: userID) else { throw Problem.notFound("No such user.") }
        return user.user
    }

    private func resend(userID: UUID) async throws {
        try await database.transaction { connection in
            guard let user = try await store.user(id: userID, on: connection) else { throw Problem.notFound("No such user.") }
            guard let phone = user.phone else {
                throw Problem.conflict("There is no phone on this account: add one to your profile first.", slug: "no-phone")
            }
            guard !user.phoneVerified else { throw Problem.conflict("This phone is already verified.", slug: "phone-verified") }
            let rows = try await connection.query(
                """
                SELECT ceil(extract(epoch FROM sent_at + make_interval(secs => \(OneTimeCodePolicy.resendInterval)) - now()))::int
                FROM phone_codes WHERE user_id = \(userID) FOR UPDATE
                """, logger: logger)
            for try await wait in rows.decode(Int.self) where wait > 0 {
                throw Problem.tooManyRequests("A code was sent less than a minute ago.", retryAfter: wait)
            }
            try await send(to: phone, userID: userID, on: connection)
        }
    }
}
