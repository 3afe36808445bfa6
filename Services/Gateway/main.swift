import Contracts
import Hummingbird
import HummingbirdWebSocket
import ServiceKit

let hub = PushHub()
let feed = PushFeed(hub: hub)
let host = try ServiceHost(.gateway, topology: feed.topology)
let settings = GatewaySettings(host.configuration.reader)
let redis = try host.useRedis(poolSize: 16)
let caller = host.useServiceCaller()
for service in [ServiceName.auth, .loans, .approvals, .notifications, .analytics] {
    host.addReadinessCheck(service.rawValue) {
        (try? await caller.call(Ping.self, Empty(), on: service, timeout: .seconds(1)))?.status == 200
    }
}
let keys = VerificationKeys(caller: caller)
let sessionCheck = SessionCheck(caller: caller, logger: host.logger)
let admission = Admission(redis: redis, sessions: sessionCheck, logger: host.logger)
let authenticator = Authenticator(keys: keys, admission: admission)
let sockets = PushSockets(hub: hub, authenticator: authenticator, heartbeat: settings.heartbeat)
let support = RouteSupport(
    forwarder: Forwarder(services: caller, timeout: settings.serviceTimeout),
    body: RequestBody(limit: settings.maximumBodyBytes), admission: admission, limits: settings.limits,
    idempotency: Idempotency(redis: redis, pendingLifetime: settings.serviceTimeout + .seconds(1)))

let traffic = TrafficMeter(instance: host.configuration.instance)
let router = Router(context: GatewayContext.self)
router.add(middleware: TraceMiddleware())
router.add(middleware: RequestIDMiddleware())
router.add(middleware: TrafficMiddleware(meter: traffic))
router.add(middleware: SecurityHeadersMiddleware())
router.add(middleware: ProblemMiddleware())
router.add(middleware: ClientAddressMiddleware(trustedProxies: settings.trustedProxies))
router.add(middleware: CORSAllowListMiddleware(allowedOrigins: settings.allowedOrigins))
router.add(middleware: WebFrontEnd(root: settings.webRoot, logger: host.logger))
let publisher = host.publisher
let syncStats = SyncStats(redis: redis, instance: host.configuration.instance, logger: host.logger)
let routes = RouteDispatcher()
// Every request of the API is authenticated (AdmissionMiddleware); the routes that need a caller
// are in groups of a signed-in context, which refuse a request without one before its handler.
GatewayRoutes(
    system: try SystemRoutes(readiness: host.readiness(), keys: keys),
    api: APIRoutes(support: support, blobs: try FolderBlobStore(path: settings.blobDirectory)),
    notifications: NotificationController(support: support, sockets: sockets),
    sync: SyncController(
        support: support, batch: SyncBatch(routes: routes, idempotency: support.idempotency, stats: syncStats), stats: syncStats,
        publisher: publisher)
).add(to: router, admission: AdmissionMiddleware(authenticator: authenticator, admission: admission, limits: settings.limits))
routes.install(router.buildResponder())
host.addWork(
    PeriodicTask("WebSocket presence", every: SyncStats.presenceRefresh, logger: host.logger) {
        try await syncStats.publishPresence(hub.presence())
    })
host.addWork(
    PeriodicTask("traffic report", every: settings.trafficReportInterval, logger: host.logger) {
        try await traffic.flush(on: publisher)
    })
let socketWatch = SocketAccessWatch(hub: hub, redis: redis, sessions: sessionCheck, logger: host.logger)
host.addWork(
    PeriodicTask("WebSocket access check", every: SocketAccessWatch.interval, logger: host.logger) {
        await socketWatch.check()
    })
let pushConnection = host.consumer
host.addStartupTask { try await feed.start(on: pushConnection) }

host.addWork(
    Application(
        router: router,
        server: .http1WebSocketUpgrade { request, channel, _ in await sockets.shouldUpgrade(request, channel: channel) },
        configuration: .init(address: .hostname(host.configuration.bindAddress, port: settings.port), serverName: nil),
        logger: host.logger))
try await host.run()
