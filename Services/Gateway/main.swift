import Contracts
import Hummingbird
import ServiceKit

let host = try ServiceHost(.gateway)
let settings = GatewaySettings(host.configuration.reader)
let redis = try host.useRedis(poolSize: 16)
let caller = host.useServiceCaller()
for service in [ServiceName.auth, .loans, .approvals, .notifications, .analytics] {
    host.addReadinessCheck(service.rawValue) {
        (try? await caller.call(Ping.self, Empty(), on: service, timeout: .seconds(1)))?.status == 200
    }
}
let keys = VerificationKeys(caller: caller)
let authenticator = Authenticator(keys: keys, redis: redis)
let forwarder = Forwarder(caller: caller, timeout: settings.serviceTimeout)
let body = RequestBody(limit: settings.maximumBodyBytes)

let router = Router(context: GatewayContext.self)
router.add(middleware: RequestIDMiddleware())
router.add(middleware: ProblemMiddleware())
try SystemRoutes(readiness: host.readiness(), keys: keys).add(to: router)
AuthRoutes(forwarder: forwarder, body: body, authenticator: authenticator).add(to: router.group("api/v1"))

host.addWork(Application(
    router: router, configuration: .init(address: .hostname(host.configuration.bindAddress, port: settings.port), serverName: nil),
    logger: host.logger))
try await host.run()
