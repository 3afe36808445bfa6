import Contracts
import ServiceKit

let host = try ServiceHost(.auth, topology: PlatformTopology.durableQueue(ServiceName.notifications.commandsQueue))
let settings = try AuthSettings(host.configuration.reader)
let database = try host.useDatabase(migrations: AuthMigrations.all)
let redis = try host.useRedis()
let store = UserStore(database: database)
let sessions = SessionStore(redis: redis, lifetime: settings.sessionLifetime)
let hasher = PasswordHasher(cost: settings.bcryptCost)
let service = AuthService(
    database: database, redis: redis, store: store, sessions: sessions,
    issuer: try await TokenIssuer(
        privateKeyPEM: settings.privateKeyPEM, retiredKeyPEMs: settings.retiredKeyPEMs, lifetime: settings.accessTokenLifetime),
    hasher: hasher, mfaRequiredRoles: settings.mfaRequiredRoles)
service.register(on: &host.rpc)
UserAdministration(database: database, store: store, sessions: sessions, hasher: hasher).register(on: &host.rpc)
if let email = settings.bootstrapEmail, let password = settings.bootstrapPassword {
    host.addStartupTask { [logger = host.logger] in
        try await service.bootstrapSuperAdmin(email: email, password: password, logger: logger)
    }
}
try await host.run()
