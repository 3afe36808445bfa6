import Contracts
import Messaging
import ServiceKit

let host = try ServiceHost(
    .auth,
    topology: PlatformTopology.durableQueue(ServiceName.notifications.commandsQueue)
        + PlatformTopology.durableQueue(ServiceName.auth.eventsQueue, eventRoutingKeys: PhoneVerification.routingKeys))
let settings = try AuthSettings(host.configuration.reader)
let database = try host.useDatabase(migrations: AuthMigrations.all)
let redis = try host.useRedis()
let store = UserStore(database: database)
let sessions = SessionStore(
    database: database, redis: redis, lifetime: settings.sessionLifetime, accessTokenLifetime: settings.accessTokenLifetime)
host.addWork(PeriodicTask("session cache sync", every: .seconds(1), logger: host.logger) { try await sessions.syncCache() })
host.addWork(PeriodicTask("session pruning", every: .seconds(3600), logger: host.logger) { try await sessions.prune() })
let hasher = PasswordHasher(cost: settings.bcryptCost)
let phones = PhoneVerification(database: database, store: store)
let service = AuthService(
    database: database, redis: redis, store: store, sessions: sessions,
    issuer: try await TokenIssuer(
        privateKeyPEM: settings.privateKeyPEM, retiredKeyPEMs: settings.retiredKeyPEMs, lifetime: settings.accessTokenLifetime),
    hasher: hasher, phones: phones, mfaRequiredRoles: settings.mfaRequiredRoles)
service.register(on: &host.rpc)
UserAdministration(database: database, store: store, sessions: sessions, hasher: hasher, phones: phones).register(on: &host.rpc)
phones.register(on: &host.rpc)
var events = MessageHandlers()
phones.register(on: &events)
host.consume(ServiceName.auth.eventsQueue, handlers: events)
if let email = settings.bootstrapEmail, let password = settings.bootstrapPassword {
    host.addStartupTask { [logger = host.logger] in
        try await service.bootstrapSuperAdmin(email: email, password: password, logger: logger)
    }
}
try await host.run()
