import Contracts
import Foundation
import Logging
import Messaging
import Metrics
import ServiceKit

/// One analysis: score the request and publish the result with a publisher confirm. The request
/// is acknowledged only after the broker confirmed the result, so a worker that dies mid-way
/// leaves the request for another.
struct Analyst: Sendable {
    let scorecard: Scorecard
    /// Nil when no bureau is configured: the scorecard then works without a bureau score.
    let bureau: BureauClient?
    let publisher: AMQPConnection
    let instance: String
    private let inFlight = Meter(label: "analyses_in_flight")
    private let duration = Timer(label: "analysis_duration_seconds")
    private static let analyses = MetricHandles(counters: "analyses_total", dimensions: ["recommendation"])

    init(scorecard: Scorecard, bureau: BureauClient?, publisher: AMQPConnection, instance: String) {
        self.scorecard = scorecard
        self.bureau = bureau
        self.publisher = publisher
        self.instance = instance
    }

    func register(on handlers: inout MessageHandlers) {
        handlers.on(AnalysisEvents.Requested.self) { request, context in
            try await analyse(request, context)
        }
    }

    static func completed(_ request: AnalysisEvents.Requested, by scorecard: Scorecard, bureauScore: Int?) -> AnalysisEvents.Completed {
        let result = scorecard.assess(
            .init(
                finances: request.snapshot.financial, employment: request.snapshot.employment, history: request.snapshot.repaymentHistory,
                amount: request.amount, instalment: request.instalment, bureauScore: bureauScore,
                noArrears: (request.snapshot.repaymentHistory.overdueInstalments ?? 0) == 0))
        return AnalysisEvents.Completed(
            applicationID: request.applicationID, score: result.score, riskScore: String(format: "%.4f", result.probabilityOfDefault),
            dti: result.debtToIncome.map { String(format: "%.4f", $0) }, reasonCodes: result.reasons, recommendation: result.recommendation,
            scorecardVersion: scorecard.version, bureauUsed: bureauScore != nil, completedAt: Date())
    }

    private func analyse(_ request: AnalysisEvents.Requested, _ context: MessageContext) async throws {
        let started = ContinuousClock.now
        inFlight.increment(by: 1)
        defer {
            inFlight.decrement(by: 1)
            let elapsed = ContinuousClock.now - started
            duration.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        }
        let bureauScore = await bureau?.lookup(request.customerID).score
        let result = Self.completed(request, by: scorecard, bureauScore: bureauScore)
        Self.analyses(result.recommendation.rawValue).increment()
        try await TraceSpans.withOutgoingSpan("send \(AnalysisEvents.Completed.type)", ofKind: .producer) { hop, _ in
            let message = OutgoingMessage(
                body: try JSON.encode(result),
                properties: MessageProperties(
                    // Derived from the request, so a redelivered request publishes the same message id
                    // and consumers' inboxes drop the copy.
                    messageID: "analysis-\(context.messageID)", type: AnalysisEvents.Completed.type, timestamp: Date(),
                    appID: instance, headers: hop.map { [TraceContext.header: $0.traceparent] } ?? [:]))
            try await publisher.publish(message, exchange: Exchanges.events, routingKey: AnalysisEvents.Completed.routingKey)
        }
        context.logger.info(
            "analysis completed",
            metadata: [
                "application_id": "\(request.applicationID)", "risk_score": "\(result.riskScore)",
                "recommendation": "\(result.recommendation.rawValue)", "bureau_used": "\(result.bureauUsed)",
            ])
    }
}
