import Contracts
import Foundation
import Persistence
import ServiceKit

/// `POST/GET/PATCH /users`: staff accounts, managed by admins; admins and super admins by super
/// admins only. Disabling an account ends all its sessions at once.
struct UserAdministration: Sendable {
    let database: Database
    let store: UserStore
    let sessions: SessionStore
    let hasher: PasswordHasher
    let phones: PhoneVerification

    func register(on handlers: inout RPCHandlers) {
        handlers.on(UsersRPC.Create.self) { request, context in try await create(request, context) }
        handlers.on(UsersRPC.List.self) { request, context in try await list(request, context) }
        handlers.on(UsersRPC.Invite.self) { request, context in try await invite(request, context) }
        handlers.on(UsersRPC.Get.self) { request, context in
            _ = try context.requireRole(StaffPolicy.administrators)
            guard let user = try await store.user(id: request.id) else { throw Problem.notFound("No such user.") }
            return .ok(user.user)
        }
        handlers.on(UsersRPC.Update.self) { request, context in try await update(request, context) }
        // Any staff member reads who holds work (the task list names assignees), not only administrators.
        handlers.on(UsersRPC.StaffNames.self) { request, context in
            _ = try context.requireRole(Set(Role.allCases.filter(\.isStaff)))
            if !request.problems.isEmpty { throw Problem.validation(request.problems) }
            return .ok(BatchAnswer(items: try await store.staffNames(of: request.ids)))
        }
    }

    func create(_ request: UsersRPC.Create.Request, _ context: RPCContext) async throws -> RPCReply<UsersRPC.User> {
        let actor = try context.requireRole(StaffPolicy.administrators)
        if let refusal = StaffPolicy.refusalToCreate(request.role, by: actor.role) { throw refusal }
        let problems = AccountRules.registrationProblems(
            AuthRPC.Register.Request(email: request.email, password: request.password, fullName: request.fullName))
        guard problems.isEmpty else { throw Problem.validation(problems) }
        let email = AccountRules.normalizedEmail(request.email)
        let hash = try await hasher.hash(request.password)
        let id = UUID()
        let fullName = request.fullName.trimmingCharacters(in: .whitespacesAndNewlines)
        let created = try await database.transaction { connection -> UserRecord? in
            guard
                try await store.insert(
                    id: id, email: email, passwordHash: hash,
                    fullName: fullName, phone: nil, role: request.role,
                    status: .active, on: connection) != nil
            else { return nil }
            try await database.outbox.publish(
                AuthEvents.UserCreated(
                    userID: id, email: email, fullName: fullName, role: request.role, actorID: actor.userID, actorRole: actor.role,
                    occurredAt: Date()), on: connection)
            return try await store.user(id: id, on: connection)
        }
        guard let created else { throw Problem.conflict("An account with this email already exists.", slug: "email-taken") }
        return .created(created.user)
    }

    /// A client account for a walk-in customer: active once the client sets a password with the
    /// emailed code (`POST /auth/accept-invite`). Kept with the caller's idempotency key, so a
    /// retried opening of the same file gets the same account.
    func invite(_ request: UsersRPC.Invite.Request, _ context: RPCContext) async throws -> RPCReply<UsersRPC.User> {
        let actor = try context.requireRole(StaffPolicy.administrators)
        let problems = AccountRules.accountProblems(email: request.email, fullName: request.fullName, phone: request.phone)
        guard problems.isEmpty else { throw Problem.validation(problems) }
        let email = AccountRules.normalizedEmail(request.email)
        // No one knows this password: the account signs in only after the invite sets one.
        let hash = try await hasher.hash(RandomToken.make(bytes: 32))
        let code = OneTimeCodePolicy.generate()
        let id = UUID()
        return try await database.transaction(once: context.idempotencyKey) { connection -> RPCReply<UsersRPC.User> in
            guard
                try await store.insert(
                    id: id, email: email, passwordHash: hash, fullName: request.fullName.trimmingCharacters(in: .whitespacesAndNewlines),
                    phone: request.phone, role: .client, status: .invited, on: connection) != nil
            else { throw Problem.conflict("An account with this email already exists.", slug: "email-taken") }
            try await store.storeCode(
                userID: id, codeHash: OneTimeCodePolicy.hash(code, userID: id),
                expiresAt: Date().addingTimeInterval(OneTimeCodePolicy.inviteLifetime),
                on: connection)
            try await database.outbox.publish(
                AuthEvents.UserCreated(
                    userID: id, email: email, fullName: request.fullName, role: .client, actorID: actor.userID, actorRole: actor.role,
                    occurredAt: Date()), on: connection)
            try await database.outbox.send(OneTimeCodePolicy.invitation(code: code, to: email), to: .notifications, on: connection)
            if let phone = request.phone { try await phones.send(to: phone, userID: id, on: connection) }
            guard let created = try await store.user(id: id, on: connection) else { throw Problem.internalError }
            return .created(created.user)
        }
    }

    func list(_ request: UsersRPC.List.Request, _ context: RPCContext) async throws -> RPCReply<Page<UsersRPC.User>> {
        _ = try context.requireRole(StaffPolicy.administrators)
        let problems = request.page.problems
        guard problems.isEmpty else { throw Problem.validation(problems) }
        let (records, total) = try await store.list(request)
        return .ok(Page(items: records.map(\.user), request: request.page, total: total))
    }

    /// With `If-Match` the change applies to that version only (else 412). Without it, it applies to
    /// the current version: the rules are checked against the row as read and the write is
    /// conditional on it, retried if someone changed the row in between.
    func update(_ request: UsersRPC.Update.Request, _ context: RPCContext) async throws -> RPCReply<UsersRPC.User> {
        let actor = try context.requireRole(StaffPolicy.administrators)
        if request.status == .pendingVerification || request.status == .invited {
            throw Problem.validation(field: "status", "must be active or disabled")
        }
        if let name = request.fullName, let problem = AccountRules.nameProblem(name) { throw Problem.validation([problem]) }
        for _ in 0..<3 {
            guard let current = try await store.user(id: request.id) else { throw Problem.notFound("No such user.") }
            if let refusal = StaffPolicy.refusalToUpdate(
                target: current.id, currentRole: current.role, newRole: request.role, by: actor)
            {
                throw refusal
            }
            if let expected = request.expectedVersion, expected != current.version { break }
            if let updated = try await apply(request, to: current, by: actor) { return .ok(updated.user) }
            if request.expectedVersion != nil { break }
        }
        guard let current = try await store.user(id: request.id) else { throw Problem.notFound("No such user.") }
        throw Problem.staleVersion("user", current: current.user)
    }

    private func apply(_ request: UsersRPC.Update.Request, to current: UserRecord, by actor: Principal) async throws -> UserRecord? {
        let updated = try await database.transaction { connection -> UserRecord? in
            guard
                let updated = try await store.update(
                    id: current.id, fullName: request.fullName?.trimmingCharacters(in: .whitespacesAndNewlines), role: request.role,
                    status: request.status, expectedVersion: current.version,
                    on: connection)
            else { return nil }
            try await database.outbox.publish(
                AuthEvents.UserUpdated(
                    userID: updated.id, role: request.role, status: request.status, actorID: actor.userID,
                    actorRole: actor.role, occurredAt: Date()), on: connection)
            if request.status == .disabled {
                try await database.outbox.publish(
                    AuthEvents.SecurityEvent(kind: .sessionsRevoked, userID: updated.id, actorID: actor.userID), on: connection)
            }
            return updated
        }
        // A disabled account signs out everywhere; a role change must not outlive old tokens either.
        if let updated, request.status == .disabled || (request.role != nil && request.role != current.role) {
            try await sessions.endAll(userID: updated.id)
        }
        return updated
    }
}
