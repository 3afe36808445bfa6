import Foundation
import Hummingbird
import Logging

/// The small HTTP port every service serves: `/healthz` (the process is alive), `/readyz` (its
/// broker, Redis and database connections are up: 200, else 503) and `/metrics` (Prometheus text).
public enum AdminServer {
    /// - Parameters:
    ///   - host: the address to listen on (`ADMIN_BIND_ADDRESS`): the port answers without
    ///     authentication.
    ///   - port: `ADMIN_PORT`.
    ///   - readiness: the checks behind `/readyz`.
    /// - Returns: the server, to run as a service of the process.
    public static func make(host: String, port: Int, readiness: Readiness, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        addRoutes(to: router, readiness: readiness)
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: Observability.registry.emitToBuffer())))
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil),
            logger: logger)
    }

    /// `/healthz` and `/readyz`, also mounted by the gateway on its public port.
    public static func addRoutes<Context: RequestContext>(to router: Router<Context>, readiness: Readiness) {
        router.get("/healthz") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        router.get("/readyz") { _, _ in
            let checks = await readiness.evaluate()
            let ready = checks.values.allSatisfy { $0 }
            let report = ReadinessReport(status: ready ? "ready" : "not_ready", checks: checks.mapValues { $0 ? "up" : "down" })
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            return Response(
                status: ready ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: (try? encoder.encode(report)) ?? Data())))
        }
    }
}

private struct ReadinessReport: Encodable {
    let status: String
    let checks: [String: String]
}
