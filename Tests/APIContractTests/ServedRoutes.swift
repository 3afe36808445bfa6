import Foundation
import Hummingbird
import Logging
import Messaging
import Redis
import ServiceKit
import TestSupport

@testable import Gateway

/// The routes the gateway's router holds once `GatewayRoutes` has added them, built around
/// services in memory and clients that never connect (adding routes calls nothing).
enum ServedRoutes {
    /// Each as `"GET /api/v1/loans/{}"`: method and path, captures unnamed (the router and the
    /// document may name them differently).
    static func keys() throws -> Set<String> {
        let logger = Logger(label: "test.contract")
        let services = InMemoryServices()
        let nowhere = try AMQPConfiguration(url: "amqp://guest:guest@127.0.0.1:1/")
        let redis = try RedisClient(url: "redis://127.0.0.1:1", logger: logger)
        let admission = Admission(redis: redis, sessions: SessionCheck(caller: services, logger: logger), logger: logger)
        let limits = GatewaySettings.RateLimits(perAddress: 1, perUser: 1, signInPerAddress: 1, signInPerAccount: 1)
        let idempotency = Idempotency(redis: redis, pendingLifetime: .seconds(1))
        let support = RouteSupport(
            forwarder: Forwarder(services: services, timeout: .seconds(1)), body: Gateway.RequestBody(limit: 1),
            admission: admission, limits: limits, idempotency: idempotency)
        let keys = VerificationKeys(
            caller: ServiceCaller(client: RPCClient(name: "contract", configuration: nowhere, logger: logger), appID: "contract"))
        let authenticator = Authenticator(keys: keys, admission: admission)
        let stats = SyncStats(redis: redis, instance: "contract", logger: logger)
        let routes = GatewayRoutes(
            system: try SystemRoutes(readiness: Readiness(), keys: keys),
            api: APIRoutes(support: support, blobs: try FolderBlobStore(path: NSTemporaryDirectory() + "contract-test-blobs")),
            notifications: NotificationController(
                support: support, sockets: PushSockets(hub: PushHub(), authenticator: authenticator, heartbeat: .seconds(1))),
            sync: SyncController(
                support: support, batch: SyncBatch(routes: RouteDispatcher(), idempotency: idempotency, stats: stats), stats: stats,
                publisher: AMQPConnection(name: "contract", configuration: nowhere, logger: logger)))
        let router = Router(context: GatewayContext.self)
        routes.add(to: router, admission: AdmissionMiddleware(authenticator: authenticator, admission: admission, limits: limits))
        return Set(router.routes.map { RouteKey.unnamed(method: $0.method.rawValue, path: $0.path.description) })
    }
}

/// How the route lists meet: `METHOD /path`, with each capture (`{id}`, `:id`) as `{}`.
enum RouteKey {
    static func unnamed(method: String, path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix(":") || (segment.hasPrefix("{") && segment.hasSuffix("}")) ? "{}" : String(segment)
        }
        return "\(method) \(segments.joined(separator: "/"))"
    }
}
