import Contracts
import Foundation
import Logging
import Metrics
import Persistence
import PostgresNIO
import Redis
import ServiceKit

/// The operations `auth` answers: sign-up with an emailed code, sign-in, token refresh, sign-out.
struct AuthService: Sendable {
    let database: Database
    let redis: RedisClient
    let store: UserStore
    let sessions: SessionStore
    let issuer: TokenIssuer
    let hasher: PasswordHasher
    let phones: PhoneVerification
    /// Roles whose tokens stay restricted to MFA setup until MFA is on.
    let mfaRequiredRoles: Set<Role>

    func register(on handlers: inout RPCHandlers) {
        handlers.on(AuthRPC.Register.self) { request, context in try await register(request, context) }
        handlers.on(AuthRPC.VerifyOTP.self) { request, _ in try await verify(request) }
        handlers.on(AuthRPC.ResendOTP.self) { request, _ in try await resendCode(request) }
        handlers.on(AuthRPC.AcceptInvite.self) { request, _ in try await acceptInvite(request) }
        handlers.on(AuthRPC.Login.self) { request, context in try await login(request, context) }
        handlers.on(AuthRPC.Refresh.self) { request, _ in try await refresh(request) }
        handlers.on(AuthRPC.Logout.self) { _, context in try await logout(principal: context.requirePrincipal()) }
        handlers.on(AuthRPC.LogoutAll.self) { _, context in try await logoutAll(context) }
        handlers.on(AuthRPC.CheckSession.self) { request, _ in .ok(.init(alive: try await sessions.check(request.sessionID))) }
        handlers.on(AuthRPC.ChangePassword.self) { request, context in try await changePassword(request, context) }
        handlers.on(AuthRPC.Me.self) { _, context in try await me(context.requirePrincipal()) }
        handlers.on(AuthRPC.MFASetup.self) { request, context in try await setUpMFA(request, context) }
        handlers.on(AuthRPC.MFAConfirm.self) { request, context in try await confirmMFA(request, context) }
        handlers.on(AuthRPC.Keys.self) { [jwks = issuer.jwks] _, _ in .ok(.init(keys: jwks)) }
    }

    // MARK: Sign-up

    func register(_ request: AuthRPC.Register.Request, _ context: RPCContext) async throws -> RPCReply<AuthRPC.Register.Response> {
        let problems = AccountRules.registrationProblems(request)
        guard problems.isEmpty else { throw Problem.validation(problems) }
        let email = AccountRules.normalizedEmail(request.email)
        let passwordHash = try await hasher.hash(request.password)
        let id = UUID()
        let code = OneTimeCodePolicy.generate()
        let created = try await database.transaction { connection in
            guard
                try await store.insert(
                    id: id, email: email, passwordHash: passwordHash,
                    fullName: request.fullName.trimmingCharacters(in: .whitespacesAndNewlines), phone: request.phone,
                    role: .client, status: .pendingVerification, on: connection) != nil
            else { return false }
            try await store.storeCode(
                userID: id, codeHash: OneTimeCodePolicy.hash(code, userID: id),
                expiresAt: Date().addingTimeInterval(OneTimeCodePolicy.lifetime), on: connection)
            try await database.outbox.publish(
                AuthEvents.UserRegistered(userID: id, email: email, role: .client, occurredAt: Date()), on: connection)
            try await database.outbox.send(OneTimeCodePolicy.email(code: code, to: email), to: .notifications, on: connection)
            if let phone = request.phone { try await phones.send(to: phone, userID: id, on: connection) }
            return true
        }
        guard created else { throw Problem.conflict("An account with this email already exists.", slug: "email-taken") }
        // The code just went out: a resend within the minute is refused like any other.
        _ = try? await redis.set(Self.resendKey(email), "1", expiresIn: .seconds(OneTimeCodePolicy.resendInterval))
        context.logger.info("client registered", metadata: ["user_id": "\(id)"])
        return .created(.init(id: id, email: email, status: .pendingVerification))
    }

    func verify(_ request: AuthRPC.VerifyOTP.Request) async throws -> RPCReply<AuthRPC.StatusReply> {
        try await redeem(request.code, sentTo: request.email, waitingIn: .pendingVerification) { user, connection in
            try await store.activate(userID: user.id, on: connection)
            try await database.outbox.publish(AuthEvents.UserVerified(userID: user.id, occurredAt: Date()), on: connection)
        }
        return .ok(.init(status: "active"))
    }

    /// A walk-in client opened by staff sets their password with the code the invite emailed.
    func acceptInvite(_ request: AuthRPC.AcceptInvite.Request) async throws -> RPCReply<AuthRPC.StatusReply> {
        let problems = AccountRules.passwordProblems(request.password, email: request.email)
        guard problems.isEmpty else { throw Problem.validation(problems) }
        let hash = try await hasher.hash(request.password)
        try await redeem(request.code, sentTo: request.email, waitingIn: .invited) { user, connection in
            try await store.updatePassword(userID: user.id, hash: hash, on: connection)
            try await store.activate(userID: user.id, on: connection)
            try await database.outbox.publish(AuthEvents.UserVerified(userID: user.id, occurredAt: Date()), on: connection)
        }
        return .ok(.init(status: "active"))
    }

    /// Checks an emailed code of an account in `status` and, when it matches, runs `then` in the
    /// transaction that spends it. Every failure answers alike, also for an email nobody has or an
    /// account in another state: these endpoints must not tell which accounts exist.
    private func redeem(
        _ code: String, sentTo email: String, waitingIn status: AuthRPC.AccountStatus,
        then: @escaping @Sendable (UserRecord, PostgresConnection) async throws -> Void
    ) async throws {
        guard code.count == 6, code.allSatisfy(\.isASCII), code.allSatisfy(\.isNumber) else {
            throw Problem.validation(field: "code", "must be the 6 digits from the email")
        }
        let invalid = Problem.badRequest(
            "The code is wrong or has expired. After five wrong codes, ask for a new one.", slug: "invalid-code")
        guard let user = try await store.user(email: AccountRules.normalizedEmail(email)), user.status == status else { throw invalid }

        enum Outcome { case redeemed, wrong, expired, exhausted }
        // Failed attempts are counted and committed, so the transaction returns rather than throws.
        let outcome: Outcome = try await database.transaction { connection in
            guard let stored = try await store.lockedCode(userID: user.id, on: connection) else { return .expired }
            if stored.expiresAt < Date() { return .expired }
            if stored.attempts >= OneTimeCodePolicy.maximumAttempts { return .exhausted }
            guard OneTimeCodePolicy.matches(code, userID: user.id, hash: stored.codeHash) else {
                try await store.countFailedAttempt(userID: user.id, on: connection)
                return .wrong
            }
            try await store.deleteCode(userID: user.id, on: connection)
            try await then(user, connection)
            return .redeemed
        }
        guard outcome == .redeemed else { throw invalid }
    }

    func resendCode(_ request: AuthRPC.ResendOTP.Request) async throws -> RPCReply<AuthRPC.StatusReply> {
        let email = AccountRules.normalizedEmail(request.email)
        guard AccountRules.isPlausibleEmail(email) else { throw Problem.validation(field: "email", "must be an email address") }
        // Throttled whether or not the account exists, so the answer reveals nothing.
        let key = Self.resendKey(email)
        guard try await redis.set(key, "1", expiresIn: .seconds(OneTimeCodePolicy.resendInterval), onlyIfAbsent: true) else {
            let wait = max(1, try await redis.ttl(key))
            throw Problem.tooManyRequests("A code was sent less than a minute ago.", retryAfter: wait)
        }
        if let user = try await store.user(email: email), user.status == .pendingVerification {
            let code = OneTimeCodePolicy.generate()
            try await database.transaction { connection in
                try await store.storeCode(
                    userID: user.id, codeHash: OneTimeCodePolicy.hash(code, userID: user.id),
                    expiresAt: Date().addingTimeInterval(OneTimeCodePolicy.lifetime), on: connection)
                try await database.outbox.send(OneTimeCodePolicy.email(code: code, to: email), to: .notifications, on: connection)
            }
        }
        return .accepted(.init(status: "accepted"))
    }

    // MARK: Sign-in

    func login(_ request: AuthRPC.Login.Request, _ context: RPCContext) async throws -> RPCReply<AuthRPC.TokenPair> {
        let invalid = Problem.unauthorized("The email or password is wrong.", slug: "invalid-credentials")
        let user = try await store.user(email: AccountRules.normalizedEmail(request.email))
        if let user, let locked = Self.lockOut(of: user) {
            Self.signInFailed("locked")
            throw locked
        }
        guard try await hasher.verify(request.password, against: user?.passwordHash), let user else {
            if let user { try await recordLoginFailure(user, clientIP: context.clientIP) }
            Self.signInFailed("bad_credentials")
            throw invalid
        }
        if user.mfaEnabled {
            guard let totp = request.totp, let secret = user.mfaSecret, MultiFactor.accepts(totp, secret: secret) else {
                if request.totp != nil { try await recordLoginFailure(user, clientIP: context.clientIP) }
                Self.signInFailed("mfa")
                throw Problem.unauthorized("Enter the code from your authenticator app (totp).", slug: "mfa-required")
            }
        }
        switch user.status {
        case .pendingVerification:
            throw Problem(status: 403, slug: "not-verified", title: "Email not verified", detail: "Enter the code we emailed first.")
        case .invited:
            throw Problem(
                status: 403, slug: "not-verified", title: "Invitation not accepted",
                detail: "Set your password with the invitation code first.")
        case .disabled:
            throw Problem(status: 403, slug: "account-disabled", title: "Account disabled", detail: "This account is disabled.")
        case .active:
            break
        }
        try await store.recordLoginSuccess(userID: user.id)
        let (sessionID, refreshToken) = try await sessions.create(userID: user.id)
        return .ok(try await tokenPair(for: user, sessionID: sessionID, refreshToken: refreshToken))
    }

    func refresh(_ request: AuthRPC.Refresh.Request) async throws -> RPCReply<AuthRPC.TokenPair> {
        switch try await sessions.rotate(request.refreshToken) {
        case .unknown:
            throw Problem.unauthorized("The refresh token is not valid.", slug: "invalid-refresh-token")
        case .reused:
            throw Problem.unauthorized(
                "This refresh token was already used; the session has been ended.", slug: "refresh-token-reused")
        case .rotated(let userID, let sessionID, let refreshToken):
            guard let user = try await store.user(id: userID), user.status == .active else {
                try await sessions.end(sessionID: sessionID)
                throw Problem.unauthorized("The account can no longer sign in.", slug: "invalid-refresh-token")
            }
            return .ok(try await tokenPair(for: user, sessionID: sessionID, refreshToken: refreshToken))
        }
    }

    /// Ending the session refuses every access token of it, the presented one included.
    func logout(principal: Principal) async throws -> RPCReply<Empty> {
        try await sessions.end(sessionID: principal.sessionID)
        return .noContent
    }

    func logoutAll(_ context: RPCContext) async throws -> RPCReply<Empty> {
        let principal = try context.requirePrincipal()
        try await sessions.endAll(userID: principal.userID)
        try await database.transaction { connection in
            try await database.outbox.publish(
                AuthEvents.SecurityEvent(kind: .sessionsRevoked, userID: principal.userID, clientIP: context.clientIP),
                on: connection)
        }
        return .noContent
    }

    /// Other sessions end (a stolen session must not survive a password change); this one stays.
    func changePassword(_ request: AuthRPC.ChangePassword.Request, _ context: RPCContext) async throws -> RPCReply<Empty> {
        let principal = try context.requirePrincipal()
        guard let user = try await store.user(id: principal.userID) else { throw Problem.notFound("No such user.") }
        let problems = AccountRules.passwordProblems(request.newPassword, email: user.email, field: "new_password")
        guard problems.isEmpty else { throw Problem.validation(problems) }
        try await requirePassword(request.currentPassword, of: user, field: "current_password", context)
        let hash = try await hasher.hash(request.newPassword)
        try await database.transaction { connection in
            try await store.updatePassword(userID: user.id, hash: hash, on: connection)
            try await database.outbox.publish(
                AuthEvents.SecurityEvent(kind: .passwordChanged, userID: user.id, clientIP: context.clientIP), on: connection)
        }
        try await sessions.endAll(userID: user.id, keeping: principal.sessionID)
        // Sockets opened with the old password close too, this session's included (the client
        // reconnects with its token); other sessions' tokens have just stopped working.
        try await sessions.closeSockets(of: user.id)
        return .noContent
    }

    func setUpMFA(_ request: AuthRPC.MFASetup.Request, _ context: RPCContext) async throws -> RPCReply<AuthRPC.MFASetup.Response> {
        let principal = try context.requirePrincipal()
        guard principal.role.isStaff else { throw Problem.forbidden("MFA is for staff accounts.") }
        guard let user = try await store.user(id: principal.userID) else { throw Problem.notFound("No such user.") }
        try await requirePassword(request.password, of: user, field: "password", context)
        guard !user.mfaEnabled else { throw Problem.conflict("MFA is already on for this account.", slug: "mfa-enabled") }
        let secret = MultiFactor.newSecret()
        try await store.startMFA(userID: user.id, secret: secret)
        let uri = MultiFactor.authenticatorURI(secret: secret, account: user.email)
        return .ok(.init(secret: MultiFactor.base32Secret(in: uri), otpauthURI: uri))
    }

    func confirmMFA(_ request: AuthRPC.MFAConfirm.Request, _ context: RPCContext) async throws -> RPCReply<Empty> {
        let principal = try context.requirePrincipal()
        guard principal.role.isStaff else { throw Problem.forbidden("MFA is for staff accounts.") }
        guard let user = try await store.user(id: principal.userID), let secret = user.mfaSecret, !user.mfaEnabled else {
            throw Problem.conflict("Start with POST /auth/mfa/setup.", slug: "mfa-not-started")
        }
        guard MultiFactor.accepts(request.code, secret: secret) else {
            throw Problem.validation(field: "code", "is not the current code of your authenticator")
        }
        try await database.transaction { connection in
            try await store.enableMFA(userID: user.id, on: connection)
            try await database.outbox.publish(
                AuthEvents.SecurityEvent(kind: .mfaEnabled, userID: user.id, clientIP: context.clientIP), on: connection)
        }
        return .noContent
    }

    func me(_ principal: Principal) async throws -> RPCReply<AuthRPC.User> {
        guard let user = try await store.user(id: principal.userID) else { throw Problem.notFound("No such user.") }
        return .ok(user.user)
    }

    /// Creates the configured super admin if no account has that email yet.
    func bootstrapSuperAdmin(email: String, password: String, logger: Logger) async throws {
        let email = AccountRules.normalizedEmail(email)
        let problems = AccountRules.passwordProblems(password, email: email, field: "BOOTSTRAP_SUPER_ADMIN_PASSWORD")
        guard AccountRules.isPlausibleEmail(email), problems.isEmpty else {
            logger.error("bootstrap super admin not created: bad email or password", metadata: ["problems": "\(problems)"])
            return
        }
        if try await store.user(email: email) != nil { return }
        let hash = try await hasher.hash(password)
        let id = UUID()
        try await database.transaction { connection in
            guard
                try await store.insert(
                    id: id, email: email, passwordHash: hash, fullName: "Super Admin", phone: nil, role: .superAdmin,
                    status: .active, on: connection) != nil
            else { return }
            try await database.outbox.publish(
                AuthEvents.UserRegistered(userID: id, email: email, role: .superAdmin, occurredAt: Date()), on: connection)
        }
        logger.info("bootstrap super admin created", metadata: ["email": "\(email)"])
    }

    /// Counted for the alert on a spike of failed sign-ins (credential stuffing).
    private static func signInFailed(_ reason: String) {
        signInFailures(reason).increment()
    }

    private static let signInFailures = MetricHandles(counters: "auth_sign_in_failures_total", dimensions: ["reason"])

    /// The `423` of an account locked by failed sign-ins, while the lock lasts.
    private static func lockOut(of user: UserRecord) -> Problem? {
        guard let lockedUntil = user.lockedUntil, lockedUntil > Date() else { return nil }
        return Problem(
            status: 423, slug: "account-locked", title: "Account locked", detail: "Too many failed sign-ins; try again later.",
            retryAfter: Int(lockedUntil.timeIntervalSinceNow.rounded(.up)))
    }

    /// A signed-in user's password, asked again before a sensitive change, checked as sign-in
    /// checks it: refused while the account is locked, and a wrong one counts toward the lock-out
    /// (else a stolen session could guess the password without limit).
    private func requirePassword(_ password: String, of user: UserRecord, field: String, _ context: RPCContext) async throws {
        if let locked = Self.lockOut(of: user) { throw locked }
        guard try await hasher.verify(password, against: user.passwordHash) else {
            try await recordLoginFailure(user, clientIP: context.clientIP)
            Self.signInFailed("bad_current_password")
            throw Problem.validation(field: field, "is not your current password")
        }
        try await store.recordLoginSuccess(userID: user.id)
    }

    private func recordLoginFailure(_ user: UserRecord, clientIP: String?) async throws {
        try await database.transaction { connection in
            let locked = try await store.recordLoginFailure(userID: user.id, on: connection)
            try await database.outbox.publish(
                AuthEvents.SecurityEvent(kind: .loginFailed, userID: user.id, clientIP: clientIP), on: connection)
            if locked {
                try await database.outbox.publish(
                    AuthEvents.SecurityEvent(kind: .accountLocked, userID: user.id, clientIP: clientIP), on: connection)
            }
        }
    }

    private func tokenPair(for user: UserRecord, sessionID: String, refreshToken: String) async throws -> AuthRPC.TokenPair {
        let (accessToken, expiresIn) = try await issuer.issue(
            userID: user.id, role: user.role, sessionID: sessionID,
            mfaSetupRequired: mfaRequiredRoles.contains(user.role) && !user.mfaEnabled)
        return AuthRPC.TokenPair(accessToken: accessToken, refreshToken: refreshToken, expiresIn: expiresIn, role: user.role)
    }

    private static func resendKey(_ email: String) -> String { "auth:otp-resend:\(email)" }
}
