import Contracts
import Foundation
import Messaging
import Synchronization
import TestSupport
import Testing

/// What every fault scenario does: a steady stream of applications and repayments through the
/// gateway while the fault strikes, poison injected while the system recovers, then the checks
/// that every accepted request took effect exactly once, every event is in the analytics store
/// once, and the dead-letter queues hold exactly the injected poison.
struct FaultDrill {
    let approvers: Approvers
    /// The gateways the stream takes turns among; the checks go through the first.
    let gateways: [API]
    var api: API { gateways[0] }
    /// How long each stream lasts; the fault strikes after its first quarter.
    let streamLength: Duration

    /// - Parameter gateways: the variables naming the gateways' URLs. The test stack's second
    ///   gateway is the one whose request budgets are out of the way: the stream and the checks
    ///   are many requests from one address, and a 429 is not what these tests look at.
    init(gateways: [String] = ["SECOND_GATEWAY_URL"]) throws {
        approvers = try Approvers()
        self.gateways = try gateways.map { API(base: try TestEnvironment.require($0)) }
        streamLength = .seconds(Int(ProcessInfo.processInfo.environment["CHAOS_SECONDS"] ?? "") ?? 12)
    }

    /// Streams traffic through `fault`, injects poison while the system recovers, then checks
    /// every outcome and prints the counts and how long the stream went without an acceptance.
    func survive(_ fault: String, _ strike: @escaping @Sendable () async throws -> Void) async throws {
        let traffic = try await prepareTraffic()
        let poison = try await PoisonInjector()
        let parkedBefore = try await poison.parkedCounts()
        let accepted = try await traffic.run(for: streamLength, faultAfter: streamLength / 4) {
            try await strike()
            try await poison.injectEveryKind()
        }
        #expect(accepted.unexpected.isEmpty, "\(accepted.unexpected)")
        #expect(await eventually(timeout: .seconds(60), every: .milliseconds(500)) { (try? await api.get("/readyz").status) == 200 })

        try await expectEachApplicationAwaitsItsFirstApproverOnce(accepted.applications)
        try await expectEachPaymentAppliedOnce(accepted.payments, loans: traffic.loans)
        let parked = try await poison.parkedCounts()
        for queue in WorkQueues.durable {
            let added = (parked[queue] ?? 0) - (parkedBefore[queue] ?? 0)
            #expect(
                added == poison.injected[queue, default: 0], "\(queue): \(added) parked, \(poison.injected[queue, default: 0]) injected")
        }
        let refusals = accepted.refusals.sorted { $0.key < $1.key }.map { "\($0.key == 0 ? "no answer" : String($0.key)) ×\($0.value)" }
            .joined(separator: ", ")
        print(
            "chaos[\(fault)]: \(accepted.applications.count) applications and \(accepted.payments.count) payments accepted "
                + "(\(accepted.resends == 0 ? "none resent" : "\(accepted.resends) resent after \(refusals)")); "
                + "\(poison.injected.values.reduce(0, +)) poison messages injected; "
                + "first acceptance \(accepted.firstAcceptanceAfterFault.map(Self.seconds) ?? "never") after the fault struck, "
                + "longest wait for one \(Self.seconds(accepted.longestWithoutAcceptance)); the checks above judge the outcome")
    }

    /// A product, three applicants and two disbursed loans (12,000.00 each) owned by their clients.
    private func prepareTraffic() async throws -> SteadyTraffic {
        let product = try await approvers.applications.product()
        var clients: [String] = []
        for _ in 0..<3 { clients.append(try await approvers.applications.applicant()) }
        // An analyst of its own, so that every application has a first approver to reach.
        _ = try await approvers.member("analyst")
        let root = try await SuperAdmin.session.value.access
        var loans: [(id: String, client: String)] = []
        for _ in 0..<2 {
            let (application, client) = try await approvers.approved()
            let loan = try await api.post("/api/v1/applications/\(application)/disburse", [:], token: root)
            try #require(loan.status == 201, "\(loan.text)")
            loans.append((try #require(loan["id"]), client))
        }
        return SteadyTraffic(gateways: gateways, product: product, clients: clients, loans: loans)
    }

    /// Each accepted application reached its first approver through exactly one analysis and one
    /// chain, no retry made a second application, and its events are stored once.
    private func expectEachApplicationAwaitsItsFirstApproverOnce(_ applications: [(id: String, client: String)]) async throws {
        for (id, client) in applications {
            let reached = await eventually(timeout: .seconds(90), every: .milliseconds(500)) {
                (try? await api.get("/api/v1/applications/\(id)", token: client))?["status"] == "pending_approval"
            }
            #expect(reached, "\(id) never reached pending_approval")
            let stages = Approvers.stages(try await api.get("/api/v1/applications/\(id)", token: client))
            #expect(stages.count == 1, "\(id): \(stages.count) stages")
        }
        for client in Set(applications.map(\.client)) {
            let listed = try await api.get("/api/v1/applications?page_size=1", token: client)
            #expect(listed.json["total"] as? Int == applications.filter { $0.client == client }.count, "a retry made a second application")
        }
        let ids = applications.map(\.id)
        for type in [LoansEvents.ApplicationSubmitted.type, ApprovalsEvents.AnalysisStarted.type, ApprovalsEvents.AwaitingDecision.type] {
            let stored = await EventStoreProbe.settledCounts(type, where: "application_id", in: ids)
            #expect(
                stored.count == ids.count && stored.values.allSatisfy { $0 == 1 },
                "\(type): \(ids.count - stored.count) missing, \(stored.filter { $0.value > 1 }.count) twice")
        }
    }

    /// Each loan has exactly the accepted payments, none twice, and each one's event is stored once.
    private func expectEachPaymentAppliedOnce(_ payments: [(id: String, loan: String)], loans: [(id: String, client: String)]) async throws
    {
        for loan in loans {
            // Every page: a 60 s stream pays each loan more than a page holds.
            let history = try await api.allItems("/api/v1/loans/\(loan.id)/payments", token: loan.client).compactMap { $0["id"] as? String }
            let expected = Set(payments.filter { $0.loan == loan.id }.map(\.id))
            #expect(history.count == expected.count, "loan \(loan.id): \(history.count) payments, \(expected.count) accepted")
            #expect(Set(history) == expected)
        }
        let stored = await EventStoreProbe.settledCounts(LoansEvents.PaymentReceived.type, where: "payment_id", in: payments.map(\.id))
        #expect(stored.count == payments.count && stored.values.allSatisfy { $0 == 1 })
    }

    private static func seconds(_ duration: Duration) -> String {
        String(format: "%.2f s", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}

/// Publishes poison of every kind straight into the consumers' queues and reads how many messages
/// each dead-letter queue holds.
final class PoisonInjector: Sendable {
    private let connection: AMQPConnection
    private let counts = Mutex<[String: Int]>([:])

    init() async throws {
        connection = try await TestServers.broker("poison-injector")
    }

    deinit {
        let connection = connection
        Task { await connection.close() }
    }

    /// What was injected, per queue.
    var injected: [String: Int] { counts.withLock { $0 } }

    /// Not JSON, the wrong schema, a type no service sends, and a body over the size limit (into
    /// approvals, whose handlers decode); not JSON and oversized (into analytics, which keeps any
    /// well-formed event).
    func injectEveryKind() async throws {
        let huge = #"{"application_id": ""# + String(repeating: "x", count: BusMessages.maximumBodyBytes) + #""}"#
        let kinds: [(queue: String, type: String, body: String)] = [
            (ServiceName.approvals.eventsQueue, AnalysisEvents.Completed.type, "this is not JSON"),
            (ServiceName.approvals.eventsQueue, AnalysisEvents.Completed.type, #"{"application_id": 42, "risk": "high"}"#),
            (ServiceName.approvals.eventsQueue, "nobody.sends.this.v1", #"{"application_id": "\#(UUID())"}"#),
            (ServiceName.approvals.eventsQueue, AnalysisEvents.Completed.type, huge),
            (ServiceName.analytics.eventsQueue, LoansEvents.PaymentReceived.type, "{not JSON either"),
            (ServiceName.analytics.eventsQueue, LoansEvents.PaymentReceived.type, huge),
        ]
        // The broker may be coming back from a restart: publish each until it is confirmed.
        _ = await eventually(timeout: .seconds(60)) { connection.isConnected }
        for kind in kinds {
            let message = OutgoingMessage(
                body: Array(kind.body.utf8), properties: MessageProperties(messageID: UUID().uuidString, type: kind.type))
            let confirmed = await eventually(timeout: .seconds(60), every: .milliseconds(250)) {
                (try? await connection.publish(message, exchange: "", routingKey: kind.queue)) != nil
            }
            try #require(confirmed, "poison for \(kind.queue) not confirmed")
            counts.withLock { $0[kind.queue, default: 0] += 1 }
        }
    }

    /// Messages parked in each durable queue's dead-letter queue, once they stop changing.
    func parkedCounts() async throws -> [String: Int] {
        _ = await eventually(timeout: .seconds(60)) { connection.isConnected }
        var last: [String: Int] = [:]
        var stableSince = ContinuousClock.now
        while ContinuousClock.now - stableSince < .seconds(3) {
            var counts: [String: Int] = [:]
            for queue in WorkQueues.durable {
                counts[queue] = Int(try await connection.withSession { try $0.inspect(queue: "\(queue).dlq") }.messageCount)
            }
            if counts != last { stableSince = ContinuousClock.now }
            last = counts
            try await Task.sleep(for: .milliseconds(500))
        }
        return last
    }
}
