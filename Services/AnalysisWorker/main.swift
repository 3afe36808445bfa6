import Contracts
import ServiceKit

let host = try ServiceHost(.analysisWorker, topology: PlatformTopology.durableQueue(WorkQueues.analysisRequests))
try await host.run()
