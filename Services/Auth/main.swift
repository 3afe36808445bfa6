import Contracts
import ServiceKit

let host = try ServiceHost(.auth, topology: PlatformTopology.durableQueue(ServiceName.notifications.commandsQueue))
let settings = try AuthSettings(host.configuration.reader)
let database = try host.useDatabase(migrations: AuthMigrations.all)
let redis = try host.useRedis()
let service = AuthService(
    database: database, redis: redis, store: UserStore(database: database),
    sessions: SessionStore(redis: redis, lifetimeSeconds: settings.refreshTokenLifetimeSeconds),
    issuer: try await TokenIssuer(privateKeyPEM: settings.privateKeyPEM, lifetime: settings.accessTokenLifetime),
    hasher: PasswordHasher(cost: settings.bcryptCost))
service.register(on: &host.rpc)
if let email = settings.bootstrapEmail, let password = settings.bootstrapPassword {
    host.addStartupTask { [logger = host.logger] in
        try await service.bootstrapSuperAdmin(email: email, password: password, logger: logger)
    }
}
try await host.run()
