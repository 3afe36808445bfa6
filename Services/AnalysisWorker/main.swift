import AsyncHTTPClient
import Contracts
import Foundation
import ServiceKit

// Scale out by running more processes (each a competing consumer) and by WORKER_CONCURRENCY,
// the analyses one process runs at once (its prefetch).
let host = try ServiceHost(
    .analysisWorker,
    topology: PlatformTopology.durableQueue(WorkQueues.analysisRequests, eventRoutingKeys: [AnalysisEvents.Requested.routingKey]))
let reader = host.configuration.reader
let concurrency = UInt16(clamping: max(1, reader.int(forKey: "worker.concurrency", default: 4)))
let scorecard =
    try reader.string(forKey: "analysis.scorecard.file").map {
        try JSONDecoder().decode(Scorecard.self, from: Data(contentsOf: URL(fileURLWithPath: $0)))
    } ?? Scorecard()

// Without ANALYSIS_BUREAU_URL the analyses run without a bureau score.
let bureau = reader.string(forKey: "analysis.bureau.url").flatMap { $0.isEmpty ? nil : $0 }.map { url in
    let breaker = CircuitBreaker(
        .init(
            failureThreshold: max(1, reader.int(forKey: "analysis.bureau.breaker.failures", default: 5)),
            coolDown: .seconds(reader.int(forKey: "analysis.bureau.breaker.cooldown.seconds", default: 30))),
        onTransition: BureauClient.reportTransitions(to: host.logger))
    // One connection per analysis that can run at once, so lookups never queue for a connection.
    var connections = HTTPClient.Configuration()
    connections.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = Int(concurrency)
    return BureauClient(
        .init(
            baseURL: url, timeout: .milliseconds(reader.int(forKey: "analysis.bureau.timeout.ms", default: 800)),
            retries: max(0, reader.int(forKey: "analysis.bureau.retries", default: 2))),
        // Lives as long as the process.
        breaker: breaker, http: HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: connections),
        logger: host.logger)
}
host.logger.info("bureau \(bureau == nil ? "not configured: analysing without bureau scores" : "configured")")

var handlers = MessageHandlers()
Analyst(scorecard: scorecard, bureau: bureau, publisher: host.publisher, instance: host.configuration.instance).register(on: &handlers)
host.consume(WorkQueues.analysisRequests, prefetch: concurrency, handlers: handlers)
try await host.run()
