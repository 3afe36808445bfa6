import Contracts
import Foundation
import Logging
import Messaging
import ServiceKit

/// Runs the rounds the options ask for against one broker and one simulated bureau.
struct Bench {
    let options: Options
    /// RABBITMQ_URL, DATABASE_URL and REDIS_URL for the workers.
    let servers: [String: String]

    func run() async throws -> [(round: Round, outcome: Round.Outcome)] {
        var logger = Logger(label: "worker-bench")
        logger.logLevel = .warning
        let amqp = try AMQPConfiguration(url: servers["RABBITMQ_URL"] ?? "")
        let results = "worker-bench.results.\(UUID().uuidString.prefix(8).lowercased())"
        // The workers' own declarations, so requests published before a worker is up wait in its queue.
        let topology =
            PlatformTopology.exchanges
            + PlatformTopology.durableQueue(WorkQueues.analysisRequests, eventRoutingKeys: [AnalysisEvents.Requested.routingKey])
            + Topology(
                queues: [Queue(name: results, durable: false, autoDelete: true)],
                bindings: [Binding(queue: results, exchange: Exchanges.events, routingKey: AnalysisEvents.Completed.routingKey)])
        // Publishing and consuming on separate connections, as the services do.
        let publisher = AMQPConnection(name: "worker-bench-publish", configuration: amqp, topology: topology, logger: logger)
        let listener = AMQPConnection(name: "worker-bench-listen", configuration: amqp, topology: topology, logger: logger)
        for connection in [publisher, listener] { connection.start() }
        try await until("the broker answers", timeout: .seconds(10)) { publisher.isConnected && listener.isConnected }

        @Sendable func consumers() async throws -> Int {
            try await publisher.withSession { try $0.inspect(queue: WorkQueues.analysisRequests) }.consumerCount
        }
        let otherConsumers = try await consumers()
        if otherConsumers > 0 {
            warn(
                "\(otherConsumers) other consumer(s) of \(WorkQueues.analysisRequests) (a running stack's workers?) will take part of the work"
            )
        }

        let log = ResultLog()
        let (deliveries, _) = try await listener.deliveries(from: results, prefetch: 1000)
        let listening = Task {
            for await delivery in deliveries {
                delivery.ack()
                if let result = try? JSON.decode(AnalysisEvents.Completed.self, from: delivery.body) { log.received(result, at: .now) }
            }
        }

        // Kept when a round fails, for its workers' logs.
        let logDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("worker-bench-\(getpid())")
        let outcomes = try await SimulatedBureau.serving(latency: options.bureauLatency) { bureauURL in
            var outcomes: [(round: Round, outcome: Round.Outcome)] = []
            for (workers, concurrency) in options.rounds {
                // At least 100 requests per slot: ramp-up and drain (about one bureau latency each)
                // then weigh 2 % at most, whatever the concurrency.
                let round = Round(
                    workers: workers, concurrency: concurrency, requests: max(options.requests, 100 * workers * concurrency),
                    bureauLatency: options.bureauLatency)
                let pool = try WorkerProcesses(
                    count: workers, concurrency: concurrency, binary: options.workerBinary, bureauURL: bureauURL, servers: servers,
                    logDirectory: logDirectory)
                do {
                    try await until("\(workers) worker(s) consume (logs: \(pool.logDirectory.path))", timeout: .seconds(30)) {
                        guard pool.allRunning else { throw BenchError("a worker exited at start-up (logs: \(pool.logDirectory.path))") }
                        return try await consumers() >= otherConsumers + workers
                    }
                    // The workers' first connections to the bureau and first allocations, outside the measurement.
                    var warmUp = round
                    warmUp.requests = 2 * workers * concurrency
                    _ = try await warmUp.measure(on: publisher, into: log)
                    let outcome = try await round.measure(on: publisher, into: log)
                    print(round.summary(outcome))
                    outcomes.append((round, outcome))
                } catch {
                    await pool.stop()
                    throw error
                }
                await pool.stop()
            }
            return outcomes
        }
        try? FileManager.default.removeItem(at: logDirectory)
        listening.cancel()
        for connection in [publisher, listener] { await connection.close() }
        return outcomes
    }

    private func until(_ what: String, timeout: Duration, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw BenchError("gave up waiting until \(what)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

func warn(_ message: String) {
    FileHandle.standardError.write(Data("worker-bench: \(message)\n".utf8))
}
