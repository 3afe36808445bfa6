import Contracts
import Foundation
import ServiceKit

// Scale out by running more processes (each a competing consumer) and by WORKER_CONCURRENCY,
// the analyses one process runs at once (its prefetch).
let host = try ServiceHost(
    .analysisWorker,
    topology: PlatformTopology.durableQueue(WorkQueues.analysisRequests, eventRoutingKeys: [AnalysisEvents.Requested.routingKey]))
let concurrency = UInt16(clamping: max(1, host.configuration.reader.int(forKey: "worker.concurrency", default: 4)))
let scorecard = try host.configuration.reader.string(forKey: "analysis.scorecard.file").map {
    try JSONDecoder().decode(Scorecard.self, from: Data(contentsOf: URL(fileURLWithPath: $0)))
} ?? Scorecard()
var handlers = MessageHandlers()
Analyst(scorecard: scorecard, publisher: host.publisher, instance: host.configuration.instance).register(on: &handlers)
host.consume(WorkQueues.analysisRequests, prefetch: concurrency, handlers: handlers)
try await host.run()
