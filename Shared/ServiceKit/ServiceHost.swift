import Contracts
import Foundation
import Hummingbird
import Logging
import Messaging
import Persistence
import PostgresNIO
import Redis
import ServiceLifecycle
import Synchronization

#if canImport(CMalloc)
import CMalloc
#endif

/// Wires one service process: configuration, logs and metrics, the broker connections (one to
/// publish, one to consume), the optional database, Redis and RPC client, the admin port, and the
/// service's own handlers. `main.swift` of every service builds one, registers what the service
/// answers and consumes, and calls `run()`.
///
/// Start-up order: connections and the admin port come up first (reconnecting on their own),
/// then migrations run (retried until the database answers), then the work starts: the outbox
/// relay, the RPC server, the queue consumers and any extra services. SIGTERM or SIGINT shuts the
/// work down first (stop taking messages, finish and acknowledge the running ones), then the
/// connections.
public final class ServiceHost {
    public let configuration: ServiceConfiguration
    public let logger: Logger
    public let publisher: AMQPConnection
    public let consumer: AMQPConnection
    /// The operations this service answers on `<service>.rpc` (`ping` is always there).
    public var rpc = RPCHandlers()
    private var checks = Readiness()
    public private(set) var database: Database?
    private var migrations: [Migration] = []
    private var redis: RedisClient?
    private var rpcClient: RPCClient?
    private var consumers: [(queue: String, prefetch: UInt16, handlers: MessageHandlers)] = []
    private var work: [any Service] = []
    private var startupTasks: [@Sendable () async throws -> Void] = []
    private let amqp: AMQPConfiguration
    /// The OTLP exporters, when the environment configures any.
    private let telemetry: (any Service)?

    /// Reads the configuration, sets up logging, metrics and tracing (``Observability/bootstrap(_:)``:
    /// so one host per process) and makes the broker connections, which connect when ``run()`` starts.
    ///
    /// - Parameter topology: the queues and bindings the service needs beyond the exchanges and
    ///   its RPC queue (its events or work queue, a queue it sends commands to).
    /// - Throws: `AMQPError.invalidURL` when `RABBITMQ_URL` is not a broker URL; swift-otel's
    ///   configuration error when the `OTEL_*` variables ask for an export it cannot make.
    public init(_ service: ServiceName, topology: Topology = Topology()) throws {
        let configuration = ServiceConfiguration(service: service)
        telemetry = try Observability.bootstrap(configuration)
        // rabbitmq-c and hiredis write to sockets with plain write(2); a peer that went away must
        // be an error on that connection, not a signal that kills the process.
        signal(SIGPIPE, SIG_IGN)
        #if canImport(CMalloc)
        // glibc gives threads that allocate at once arenas of their own, up to eight per core,
        // each keeping freed memory. A service has a dozen threads (event loops, the Redis and
        // blocking pools, broker connections) and allocates little: two arenas serve it, at a
        // fraction of the idle memory.
        mallopt(M_ARENA_MAX, 2)
        #endif
        self.configuration = configuration
        self.logger = Logger(label: service.rawValue)
        self.amqp = try AMQPConfiguration(url: configuration.rabbitMQURL)
        let answersRPC = service != .gateway
        let fullTopology =
            PlatformTopology.exchanges
            + (answersRPC ? PlatformTopology.rpcQueue(for: service, kind: configuration.rpcQueueKind) : Topology()) + topology
        publisher = AMQPConnection(name: "\(configuration.instance)-publish", configuration: amqp, topology: fullTopology, logger: logger)
        consumer = AMQPConnection(name: "\(configuration.instance)-consume", configuration: amqp, topology: fullTopology, logger: logger)
        if answersRPC {
            let ping = Ping.Response(service: service.rawValue, instance: configuration.instance)
            rpc.on(Ping.self) { _, _ in .ok(ping) }
        }
    }

    /// The service's schema in PostgreSQL, migrated at start-up, with its outbox relayed.
    /// Its idempotent replies are pruned hourly, and `/readyz` checks it.
    ///
    /// - Parameters:
    ///   - migrations: the service's own, in order; the platform's tables come first.
    ///   - maximumConnections: the size of the service's connection pool.
    /// - Throws: `DatabaseConfigurationError.invalidURL` when `DATABASE_URL` is
    ///   not a `postgres://` URL.
    public func useDatabase(migrations: [Migration], maximumConnections: Int = 10) throws -> Database {
        let database = try Database(
            url: configuration.databaseURL, schema: configuration.databaseSchema, maximumConnections: maximumConnections, logger: logger)
        self.database = database
        self.migrations = migrations
        checks.add("database") { await database.isReachable() }
        // A kept reply serves retries, which come within minutes; a day matches the gateway's
        // own record of a key.
        work.append(
            PeriodicTask("idempotent replies pruning", every: .seconds(3600), logger: logger) {
                try await database.transaction { try await database.idempotentReplies.prune(olderThan: .seconds(86_400), on: $0) }
            })
        return database
    }

    /// The service's Redis client (`REDIS_URL`), checked by `/readyz` and shut down with the process.
    ///
    /// - Parameter poolSize: the most Redis commands in flight at once.
    /// - Throws: `RedisError.invalidURL` when `REDIS_URL` is neither a `redis://` nor a
    ///   `redis+sentinel://` URL.
    public func useRedis(poolSize: Int = 8) throws -> RedisClient {
        let redis = try RedisClient(url: configuration.redisURL, poolSize: poolSize, logger: logger)
        self.redis = redis
        checks.add("redis") { (try? await redis.ping()) != nil }
        return redis
    }

    /// A client for other services' operations, on a connection of its own (direct reply-to
    /// needs requests and replies on one channel). Call it once and share the caller.
    public func useServiceCaller() -> ServiceCaller {
        precondition(rpcClient == nil, "useServiceCaller() is called once per service")
        let client = RPCClient(name: "\(configuration.instance)-rpc", configuration: amqp, logger: logger)
        rpcClient = client
        return ServiceCaller(client: client, appID: configuration.instance)
    }

    /// Consumes a queue declared in the topology with the given handlers.
    ///
    /// - Parameters:
    ///   - queue: a queue of the host's topology, e.g. `ServiceName.loans.eventsQueue`.
    ///   - prefetch: the most messages of this queue handled at once.
    public func consume(_ queue: String, prefetch: UInt16 = 16, handlers: MessageHandlers) {
        consumers.append((queue, prefetch, handlers))
    }

    /// A long-running part of the service (an HTTP server, a scheduler) started after migrations.
    public func addWork(_ service: some Service) {
        work.append(service)
    }

    /// Runs once after the migrations and before the work starts, retried until it succeeds
    /// (e.g. creating the bootstrap account).
    public func addStartupTask(_ task: @escaping @Sendable () async throws -> Void) {
        startupTasks.append(task)
    }

    public func addReadinessCheck(_ name: String, _ check: @escaping Readiness.Check) {
        checks.add(name, check)
    }

    /// Everything `/readyz` checks: the broker connections, then each dependency added so far.
    /// Call it after adding the last dependency and check.
    public func readiness() -> Readiness {
        let connections = [publisher, consumer] + (rpcClient.map { [$0.connection] } ?? [])
        var readiness = Readiness()
        readiness.add("rabbitmq") { connections.allSatisfy(\.isConnected) }
        readiness.merge(checks)
        return readiness
    }

    /// Runs the process until SIGTERM or SIGINT, then shuts it down in order (see above).
    ///
    /// - Throws: the error of the first service of the process that fails, once the others have
    ///   been cancelled.
    public func run() async throws {
        let migrated = Flag(database == nil)
        var adminReadiness = readiness()
        if database != nil { adminReadiness.add("migrations") { migrated.isSet } }

        // The clock first: every RPC timeout and `withDeadline` in the process reads it.
        var infrastructure: [any Service] = [DeadlineClock.process, publisher, consumer]
        if let database { infrastructure.insert(database.client, at: 0) }
        // The exporters before everything: the group stops in reverse order, so they send the
        // spans and figures of the shutdown itself last.
        if let telemetry { infrastructure.insert(telemetry, at: 0) }
        if let rpcClient { infrastructure.append(rpcClient) }
        if let redis { infrastructure.append(RedisLifetime(client: redis)) }
        infrastructure.append(
            AdminServer.make(
                host: configuration.adminBindAddress, port: configuration.adminPort, readiness: adminReadiness, logger: logger))

        var work: [any Service] = []
        if let database {
            work.append(OutboxRelay(database: database, publisher: publisher, appID: configuration.instance))
        }
        if configuration.service != .gateway {
            work.append(
                RPCServer(
                    service: configuration.service, instance: configuration.instance, handlers: rpc, consumer: consumer,
                    publisher: publisher, prefetch: 32, logger: logger))
        }
        for (queue, prefetch, handlers) in consumers {
            let logger = logger
            work.append(
                QueueConsumer(connection: consumer, queue: queue, prefetch: prefetch, logger: logger) { delivery in
                    await handlers.handle(delivery, logger: logger)
                })
        }
        work += self.work
        let startWork = StartWork(
            database: database, migrations: migrations, startupTasks: startupTasks, migrated: migrated, work: work,
            logger: logger)

        logger.info("starting", metadata: ["admin_port": "\(configuration.adminPort)"])
        let group = ServiceGroup(
            configuration: .init(
                services: infrastructure.map { .init(service: $0) } + [.init(service: startWork)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("stopped")
    }
}

/// Runs the migrations (retrying while the database is away), then the service's work as a group
/// of its own, which graceful shutdown stops before the connections it uses.
private struct StartWork: Service {
    let database: Database?
    let migrations: [Migration]
    let startupTasks: [@Sendable () async throws -> Void]
    let migrated: Flag
    let work: [any Service]
    let logger: Logger

    func run() async throws {
        if let database {
            guard await retrying("migrations", { try await Migrator(database: database, migrations: migrations).run() })
            else { return }
            migrated.set()
        }
        for task in startupTasks {
            guard await retrying("start-up task", task) else { return }
        }
        let group = ServiceGroup(configuration: .init(services: work.map { .init(service: $0) }, logger: logger))
        try await withGracefulShutdownHandler {
            try await group.run()
        } onGracefulShutdown: {
            Task { await group.triggerGracefulShutdown() }
        }
    }
}

extension StartWork {
    /// Retries `body` with backoff until it succeeds (true) or the process is shutting down (false).
    private func retrying(_ what: String, _ body: @escaping @Sendable () async throws -> Void) async -> Bool {
        let backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(5))
        var attempt = 0
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                // A database that is away makes the attempt wait for a connection indefinitely;
                // shutdown must not wait for it.
                try await cancelWhenGracefulShutdown { try await body() }
                return true
            } catch {
                logger.warning("\(what) failed, retrying", metadata: ["error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: backoff.delay(attempt: attempt))
                attempt += 1
            }
        }
        return false
    }
}

final class Flag: Sendable {
    private let value: Atomic<Bool>

    init(_ initial: Bool) {
        value = Atomic(initial)
    }

    var isSet: Bool { value.load(ordering: .acquiring) }

    func set() {
        value.store(true, ordering: .releasing)
    }
}

/// Closes the Redis pool when the process shuts down.
private struct RedisLifetime: Service {
    let client: RedisClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
