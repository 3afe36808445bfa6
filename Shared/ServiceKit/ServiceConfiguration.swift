import Configuration
import Contracts
import Foundation
import Logging
import Messaging

/// What every service reads from its environment. Variable names are the keys upper-cased with
/// `.` → `_` (`rabbitmq.url` → `RABBITMQ_URL`); the defaults suit the local stack.
public struct ServiceConfiguration: Sendable {
    public let service: ServiceName
    /// This replica's name in logs and metrics (e.g. `analysis-worker-2`); the host name when
    /// unset, which in a container is the container's.
    public let instance: String
    public let adminPort: Int
    /// Where the admin port (`/metrics`, `/readyz`, `/healthz`) listens: loopback unless set. It
    /// answers without authentication, so reaching it from elsewhere is a deployment's choice:
    /// containers set `ADMIN_BIND_ADDRESS=0.0.0.0` for Prometheus and the probes, inside a network
    /// that does not publish the port.
    public let adminBindAddress: String
    /// Where the public HTTP port (the gateway's) listens: all interfaces by default.
    public let bindAddress: String
    /// One `amqp://` URL, or several separated by commas: the nodes of a cluster.
    public let rabbitMQURL: String
    /// The kind of the services' RPC queues. `classic` (the default) suits one broker: a quorum
    /// queue adds about half a millisecond to every call and has no other node to copy to, and a
    /// request lost with the broker is answered 504 and retried by the client. A cluster needs
    /// `quorum`: a classic queue lives on one node, and while that node is down no replica can
    /// declare the queue, so none could reconnect (docs/DECISIONS.md).
    public let rpcQueueKind: Queue.Kind
    /// A `redis://` URL, or `redis+sentinel://` naming the sentinels of a primary and its replicas.
    public let redisURL: String
    public let databaseURL: String
    /// The PostgreSQL schema the service owns (`DATABASE_SCHEMA`); its name by default
    /// (`analysis_worker` for `analysis-worker`).
    public let databaseSchema: String
    public let logLevel: Logger.Level
    /// What goes to an OpenTelemetry collector: nothing unless the `OTEL_*` variables say so.
    public let otlpExport: OTLPExport
    /// For the service's own settings.
    public let reader: ConfigReader

    public init(service: ServiceName, reader: ConfigReader = ConfigReader(provider: EnvironmentVariablesProvider())) {
        self.service = service
        self.reader = reader
        self.instance = reader.string(
            forKey: "service.instance", default: "\(service.rawValue)-\(ProcessInfo.processInfo.hostName)")
        self.bindAddress = reader.string(forKey: "bind.address", default: "0.0.0.0")
        self.adminPort = reader.int(forKey: "admin.port", default: Self.defaultAdminPorts[service] ?? 9100)
        self.adminBindAddress = reader.string(forKey: "admin.bind.address", default: "127.0.0.1")
        self.rabbitMQURL = reader.string(forKey: "rabbitmq.url", isSecret: true, default: "amqp://guest:guest@127.0.0.1:5673")
        let rpcQueueType = reader.string(forKey: "rabbitmq.rpc.queue.type", default: "classic")
        guard let rpcQueueKind = Queue.Kind(rawValue: rpcQueueType) else {
            fatalError("RABBITMQ_RPC_QUEUE_TYPE must be classic or quorum, not '\(rpcQueueType)'")
        }
        self.rpcQueueKind = rpcQueueKind
        self.redisURL = reader.string(forKey: "redis.url", isSecret: true, default: "redis://127.0.0.1:6380")
        self.databaseURL = reader.string(
            forKey: "database.url", isSecret: true, default: "postgres://lending:lending@127.0.0.1:5433/lending")
        self.databaseSchema = reader.string(forKey: "database.schema", default: service.schema)
        self.logLevel = Logger.Level(rawValue: reader.string(forKey: "log.level", default: "info").lowercased()) ?? .info
        self.otlpExport = OTLPExport(reader: reader)
    }

    static let defaultAdminPorts: [ServiceName: Int] = [
        .gateway: 9100, .auth: 9101, .loans: 9102, .approvals: 9103, .analysisWorker: 9104,
        .notifications: 9105, .analytics: 9106,
    ]
}
