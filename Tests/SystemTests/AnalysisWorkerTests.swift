import Contracts
import Foundation
import Messaging
import TestSupport
import Testing

/// The analysis worker pool on the real bus: requests in on `analysis.requests`, results out on
/// the events exchange, poison parked, work shared between the workers.
@Suite struct AnalysisPoolTests {
    private func request(income: String = "6000.00", debt: String = "0.00", instalment: String = "470.00") -> AnalysisEvents.Requested {
        AnalysisEvents.Requested(
            applicationID: UUID(), customerID: UUID(), amount: Money("10000.00")!, termMonths: 24, annualRate: Percent("12.00")!,
            instalment: Money(instalment)!,
            snapshot: ApplicantSnapshot(
                dateOfBirth: CalendarDate("1985-05-05")!,
                financial: FinancialDetails(
                    monthlyIncome: Money(income)!, monthlyExpenses: Money("1000.00")!, existingMonthlyDebt: Money(debt)!),
                employment: EmploymentDetails(employmentType: .salaried, employer: "Acme", yearsEmployed: 5),
                repaymentHistory: .init(previousLoans: 0, closedLoans: 0, overdueInstalments: 0)),
            requestedAt: Date())
    }

    /// A connection, and a private queue receiving every `analysis.completed`.
    private func listen() async throws -> (AMQPConnection, Received, String) {
        let queue = TestEnvironment.uniqueName("test.analysis-results")
        let connection = try await TestServers.broker(
            "analysis-test",
            topology: Topology(
                queues: [Queue(name: queue, durable: false, autoDelete: true)],
                bindings: [Binding(queue: queue, exchange: Exchanges.events, routingKey: AnalysisEvents.Completed.routingKey)]))
        let (received, _) = try await receive(from: queue, on: connection, prefetch: 100, noAck: true)
        return (connection, received, queue)
    }

    private func publish(_ request: AnalysisEvents.Requested, on connection: AMQPConnection) async throws {
        try await connection.publish(
            OutgoingMessage(
                body: try JSON.encode(request),
                properties: MessageProperties(messageID: UUID().uuidString, type: AnalysisEvents.Requested.type)),
            exchange: Exchanges.events, routingKey: AnalysisEvents.Requested.routingKey)
    }

    @Test func aRequestIsScoredAndTheResultPublished() async throws {
        let (connection, received, _) = try await listen()
        defer { Task { await connection.close() } }
        let good = request()
        let risky = request(income: "3000.00", debt: "1500.00", instalment: "470.00")
        try await publish(good, on: connection)
        try await publish(risky, on: connection)
        // Other tests' results arrive on the same routing key: wait for these two.
        var results: [AnalysisEvents.Completed] = []
        let both = await eventually(timeout: .seconds(15)) {
            results = received.all.compactMap { try? JSON.decode(AnalysisEvents.Completed.self, from: $0.body) }
            return Set(results.map(\.applicationID)).isSuperset(of: [good.applicationID, risky.applicationID])
        }
        try #require(both)
        let goodResult = try #require(results.first { $0.applicationID == good.applicationID })
        #expect(goodResult.recommendation == AnalysisEvents.Recommendation.approve)
        #expect(Double(goodResult.riskScore)! < 0.4)
        #expect(goodResult.scorecardVersion == "2026-11-v1")
        let riskyResult = try #require(results.first { $0.applicationID == risky.applicationID })
        #expect(Double(riskyResult.riskScore)! >= 0.75)
        #expect(riskyResult.reasonCodes.contains("DTI_TOO_HIGH"))
        #expect(riskyResult.dti == "0.6567")
    }

    @Test func bothWorkersShareTheWorkAndPoisonIsParked() async throws {
        let (connection, received, _) = try await listen()
        defer { Task { await connection.close() } }
        let parkedBefore = try await connection.withSession { try $0.inspect(queue: "\(WorkQueues.analysisRequests).dlq") }.messageCount
        try await connection.publish(
            OutgoingMessage(
                body: Array("{\"application_id\": 42}".utf8),
                properties: MessageProperties(messageID: UUID().uuidString, type: AnalysisEvents.Requested.type)),
            exchange: Exchanges.events, routingKey: AnalysisEvents.Requested.routingKey)
        let mine = (0..<40).map { _ in request() }
        for request in mine { try await publish(request, on: connection) }
        let ids = Set(mine.map(\.applicationID))
        var workers: Set<String> = []
        let all = await eventually(timeout: .seconds(30)) {
            let results = received.all.filter {
                (try? JSON.decode(AnalysisEvents.Completed.self, from: $0.body)).map { ids.contains($0.applicationID) } == true
            }
            workers = Set(results.compactMap { $0.properties.appID })
            return results.count >= 40
        }
        #expect(all)
        #expect(workers == ["analysis-worker-1", "analysis-worker-2"])
        #expect(
            await eventually {
                (try? await connection.withSession { try $0.inspect(queue: "\(WorkQueues.analysisRequests).dlq") }.messageCount)
                    == parkedBefore + 1
            })
    }
}
