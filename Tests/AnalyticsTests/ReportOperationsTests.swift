import Contracts
import Foundation
import Messaging
import ServiceKit
import TestSupport
import Testing

@testable import Analytics

/// `ReportOperations` on a database of its own: every figure computed from the events the
/// service recorded, and each report for its roles only.
@Suite struct ReportOperationsTests {
    private let always = AnalyticsRPC.Window(from: nil, to: nil)

    @Test func thePortfolioCountsApplicationsByLatestStatusAndSumsWhatWasLentAndIsStillOwed() async throws {
        try await AnalyticsFixture.run { analytics in
            let day = AnalyticsFixture.time(days: -3)
            let lent = try await analytics.submitted("10000.00", at: day)
            try await analytics.analysed(lent, risk: "0.2000", at: day.addingTimeInterval(30))
            try await analytics.moved(
                lent, through: [.underAnalysis, .pendingApproval, .approved, .disbursed], from: day.addingTimeInterval(60))
            let loan = try await analytics.disbursed(lent, principal: "10000.00", at: day.addingTimeInterval(600))
            try await analytics.paid(loan, leaving: "8000.00", at: day.addingTimeInterval(3600))
            try await analytics.paid(loan, leaving: "7000.00", at: day.addingTimeInterval(7200))
            let refused = try await analytics.submitted("5000.00", at: day)
            try await analytics.analysed(refused, risk: "0.6000", at: day.addingTimeInterval(30))
            try await analytics.moved(refused, through: [.underAnalysis, .rejected], from: day.addingTimeInterval(60))
            _ = try await analytics.submitted("2000.00", at: day)
            let portfolio = try await analytics.operations.ok(AnalyticsRPC.Portfolio.self, always, as: analytics.admin)
            #expect(portfolio.total == 3)
            #expect(portfolio.byStatus == ["disbursed": 1, "rejected": 1, "submitted": 1])
            #expect(portfolio.avgRiskScore == "0.4000", "of the two applications analysed")
            #expect(portfolio.sumAmount == Money("17000.00"))
            #expect(portfolio.disbursedAmount == Money("10000.00"))
            #expect(portfolio.outstandingPrincipal == Money("7000.00"), "after the latest payment")
        }
    }

    @Test func movesRecordedInOneSecondCountAtTheFurthestAlongWhateverOrderTheyArrivedIn() async throws {
        try await AnalyticsFixture.run { analytics in
            let at = AnalyticsFixture.time(days: -1)
            let application = try await analytics.submitted("3000.00", at: at)
            // Consumers ran concurrently: the approval was stored before the move to pending approval.
            for (from, to) in [(ApplicationStatus.pendingApproval, ApplicationStatus.approved), (.underAnalysis, .pendingApproval)] {
                try await analytics.record(
                    LoansEvents.ApplicationStatusChanged(
                        applicationID: application, customerID: UUID(), from: from, to: to, actorID: nil, occurredAt: at),
                    at: at, from: .loans)
            }
            let portfolio = try await analytics.operations.ok(AnalyticsRPC.Portfolio.self, always, as: analytics.admin)
            #expect(portfolio.byStatus == ["approved": 1])
        }
    }

    @Test func aRedeliveredEventIsCountedOnceAndAnUnreadableOneIsDeadLettered() async throws {
        try await AnalyticsFixture.run { analytics in
            let at = AnalyticsFixture.time(days: -1)
            try await analytics.submitted("1000.00", at: at, messageID: "m-1")
            try await analytics.submitted("1000.00", at: at, messageID: "m-1")
            let garbage = try await analytics.service.consume(
                Array("not json".utf8), properties: MessageProperties(messageID: "m-2", type: "loans.application.submitted.v1"),
                routingKey: "loans.application.submitted")
            #expect(garbage == .deadLetter)
            let untyped = try await analytics.service.consume(
                Array("{}".utf8), properties: MessageProperties(messageID: "m-3"), routingKey: "loans.application.submitted")
            #expect(untyped == .deadLetter)
            #expect(try await analytics.database.count("events") == 1)
            #expect(try await analytics.operations.ok(AnalyticsRPC.Portfolio.self, always, as: analytics.admin).total == 1)
        }
    }

    @Test func aWindowCountsTheApplicationsSubmittedWithinItAndOneProductsWhenAsked() async throws {
        try await AnalyticsFixture.run { analytics in
            let personal = UUID()
            let home = UUID()
            try await analytics.submitted("1000.00", product: personal, at: AnalyticsFixture.time(days: -10))
            try await analytics.submitted("2000.00", product: personal, at: AnalyticsFixture.time(days: -3))
            try await analytics.submitted("40000.00", product: home, at: AnalyticsFixture.time(days: -3, hours: 14.9))
            try await analytics.submitted("4000.00", product: personal, at: AnalyticsFixture.time(days: 0))
            let lastWeek = AnalyticsRPC.Window(from: .today.adding(days: -7), to: .today.adding(days: -1))
            let week = try await analytics.operations.ok(AnalyticsRPC.Portfolio.self, lastWeek, as: analytics.admin)
            #expect(week.total == 2 && week.sumAmount == Money("42000.00"), "whole days: the first and last in full, none around them")
            var onePersonal = lastWeek
            onePersonal.productID = personal
            let product = try await analytics.operations.ok(AnalyticsRPC.Portfolio.self, onePersonal, as: analytics.admin)
            #expect(product.total == 1 && product.sumAmount == Money("2000.00"))
            let since = AnalyticsRPC.Window(from: .today.adding(days: -3), to: nil)
            #expect(try await analytics.operations.ok(AnalyticsRPC.Portfolio.self, since, as: analytics.admin).total == 3)
            let backwards = AnalyticsRPC.Window(from: .today, to: .today.adding(days: -1))
            let refused = try await analytics.operations.problem(AnalyticsRPC.Portfolio.self, backwards, as: analytics.admin)
            #expect(refused?.status == 422 && refused?.errors?.map(\.field) == ["from"])
        }
    }

    @Test func theApprovalsReportTellsPeoplesDecisionsFromPolicysAndTheirPace() async throws {
        try await AnalyticsFixture.run { analytics in
            let start = AnalyticsFixture.time(days: -2)
            let manager = UUID()
            let approved = try await analytics.submitted("1000.00", at: start)
            try await analytics.decided(approved, approved: true, by: manager, at: start.addingTimeInterval(2 * 3600))
            let declined = try await analytics.submitted("1000.00", at: start)
            try await analytics.decided(declined, approved: false, by: nil, at: start.addingTimeInterval(4 * 3600))
            let rejected = try await analytics.submitted("1000.00", at: start)
            try await analytics.decided(rejected, approved: false, by: manager, at: start.addingTimeInterval(6 * 3600))
            _ = try await analytics.submitted("1000.00", at: start)
            let withdrawn = try await analytics.submitted("1000.00", at: start)
            try await analytics.moved(withdrawn, through: [.withdrawn], from: start.addingTimeInterval(60))
            let report = try await analytics.operations.ok(AnalyticsRPC.Approvals.self, always, as: .signedIn(as: .manager))
            #expect(report.submitted == 5)
            #expect(report.approved == 1 && report.autoDeclined == 1 && report.rejected == 1)
            #expect(report.inProgress == 1, "a withdrawn application is not waiting for anyone")
            #expect(abs((report.avgHoursToDecision ?? 0) - 4) < 0.001, "2, 4 and 6 hours")
        }
    }

    @Test func theApprovalsReportGivesEachLevelItsDecisionsPaceAndBreaches() async throws {
        try await AnalyticsFixture.run { analytics in
            let start = AnalyticsFixture.time(days: -2)
            let application = try await analytics.submitted("1000.00", at: start)
            let late = try await analytics.submitted("1000.00", at: start)
            func stage(
                _ application: UUID, _ role: Role, level: Int, opened: Double, decided: Double?, _ decision: ApprovalDecision = .approve
            )
                async throws
            {
                let id = UUID()
                let at = start.addingTimeInterval(opened * 3600)
                try await analytics.record(
                    ApprovalsEvents.StageAssigned(
                        applicationID: application, stageID: id, level: level, role: role, assigneeID: UUID(),
                        dueAt: at.addingTimeInterval(86_400),
                        reason: .opened, occurredAt: at),
                    at: at, from: .approvals)
                guard let decided else { return }
                let when = start.addingTimeInterval(decided * 3600)
                try await analytics.record(
                    ApprovalsEvents.StageDecided(
                        applicationID: application, stageID: id, level: level, role: role, decidedBy: UUID(), decision: decision,
                        comment: nil,
                        occurredAt: when),
                    at: when, from: .approvals)
            }
            try await stage(application, .analyst, level: 1, opened: 0, decided: 1)
            try await stage(application, .manager, level: 2, opened: 1, decided: 4)
            try await stage(late, .analyst, level: 1, opened: 0, decided: 1, .requestDocuments)
            try await stage(late, .analyst, level: 1, opened: 2, decided: 5)
            try await analytics.record(
                ApprovalsEvents.SLABreached(
                    applicationID: late, stageID: UUID(), level: 1, role: .analyst, previousAssigneeID: UUID(), assigneeID: UUID(),
                    escalatedTo: .manager, dueAt: start, occurredAt: start.addingTimeInterval(3 * 3600)),
                at: start.addingTimeInterval(3 * 3600), from: .approvals)
            let report = try await analytics.operations.ok(AnalyticsRPC.Approvals.self, always, as: .signedIn(as: .director))
            #expect(report.byStage.map(\.role) == ["analyst", "manager"])
            let analyst = try #require(report.byStage.first)
            #expect(analyst.decided == 2, "a request for documents is not a decision")
            #expect(abs((analyst.avgHours ?? 0) - 2) < 0.001, "1 and 3 hours")
            #expect(analyst.slaBreaches == 1)
            #expect(report.byStage.last == .init(role: "manager", decided: 1, avgHours: 3, slaBreaches: 0))
        }
    }

    @Test func theTicketsReportCountsEachTicketAtItsLatestAndByWhoHasIt() async throws {
        try await AnalyticsFixture.run { analytics in
            let start = AnalyticsFixture.time(days: -1)
            let ada = UUID()
            let agent = UUID()
            let other = UUID()
            func ticket(
                for customer: UUID = ada, _ updates: [(TicketEvents.Change, Ticket.Status, Ticket.Priority, UUID?)]
            ) async throws -> UUID {
                let id = UUID()
                for (minute, (change, status, priority, assignee)) in updates.enumerated() {
                    let at = start.addingTimeInterval(Double(minute) * 60)
                    try await analytics.record(
                        TicketEvents.Updated(
                            ticketID: id, customerID: customer, change: change, status: status, priority: priority, assigneeID: assignee,
                            actorID: nil, occurredAt: at),
                        at: at, from: .approvals)
                }
                return id
            }
            let urgent = try await ticket([
                (.created, .open, .medium, agent), (.statusChanged, .inProgress, .medium, agent),
                (.priorityChanged, .inProgress, .high, agent),
            ])
            _ = try await ticket([(.created, .open, .low, agent)])
            _ = try await ticket([(.created, .open, .low, nil)])
            _ = try await ticket(for: UUID(), [(.created, .open, .medium, other), (.statusChanged, .resolved, .medium, other)])
            try await analytics.record(
                TicketEvents.SLABreached(
                    ticketID: urgent, priority: .high, assigneeID: agent, dueAt: start, escalatedTo: .manager, occurredAt: start),
                at: start.addingTimeInterval(300), from: .approvals)
            let report = try await analytics.operations.ok(AnalyticsRPC.Tickets.self, always, as: analytics.admin)
            #expect(report.open == 2 && report.inProgress == 1 && report.resolved == 1 && report.slaBreached == 1)
            #expect(report.byPriority == ["high": 1, "low": 2, "medium": 1])
            #expect(
                report.byAssignee == [
                    .init(assigneeID: agent, open: 1, inProgress: 1, resolved: 0),
                    .init(assigneeID: nil, open: 1, inProgress: 0, resolved: 0),
                    .init(assigneeID: other, open: 0, inProgress: 0, resolved: 1),
                ])
            var adas = always
            adas.customerID = ada
            let one = try await analytics.operations.ok(AnalyticsRPC.Tickets.self, adas, as: analytics.admin)
            #expect(one.open == 2 && one.inProgress == 1 && one.resolved == 0)
        }
    }

    @Test func publicStatsNeedNoSignInAndCountOnlyDecidedApplications() async throws {
        try await AnalyticsFixture.run { analytics in
            let empty = try await analytics.operations.ok(AnalyticsRPC.PublicStats.self, Empty(), as: nil)
            #expect(empty == .init(applicationsProcessed: 0, approvalRate: 0, medianHoursToDecision: nil))
            let start = AnalyticsFixture.time(days: -1)
            for (hours, approved) in [(1.0, true), (3.0, true), (8.0, false)] {
                let application = try await analytics.submitted("1000.00", at: start)
                try await analytics.decided(
                    application, approved: approved, by: approved ? UUID() : nil, at: start.addingTimeInterval(hours * 3600))
            }
            _ = try await analytics.submitted("1000.00", at: start)
            let stats = try await analytics.operations.ok(AnalyticsRPC.PublicStats.self, Empty(), as: nil)
            #expect(stats.applicationsProcessed == 3)
            #expect(abs(stats.approvalRate - 2.0 / 3.0) < 0.0001)
            #expect(abs((stats.medianHoursToDecision ?? 0) - 3) < 0.001)
        }
    }

    @Test func trafficFiguresComeFromEachGatewayReportOnce() async throws {
        try await AnalyticsFixture.run { analytics in
            func histogram(_ counts: [Int: Int]) -> [Int] {
                (0...TrafficReport.latencyBucketsMs.count).map { counts[$0] ?? 0 }
            }
            let now = Date()
            let report = TrafficReport(
                instance: "gateway-1", from: now.addingTimeInterval(-5), to: now,
                rows: [
                    .init(
                        method: "GET", path: "/api/v1/applications", statusClass: "2xx", role: "client", count: 8,
                        latency: histogram([3: 4, 4: 4])),
                    .init(
                        method: "GET", path: "/api/v1/applications", statusClass: "5xx", role: "client", count: 2,
                        latency: histogram([8: 2])),
                    .init(
                        method: "POST", path: "/api/v1/auth/login", statusClass: "4xx", role: "anonymous", count: 5,
                        latency: histogram([2: 5])),
                    .init(
                        method: "GET", path: TrafficReport.unmatchedPath, statusClass: "4xx", role: "anonymous", count: 3,
                        latency: histogram([0: 3])),
                ])
            for _ in 1...2 {
                #expect(
                    try await analytics.record(report, at: now, routingKey: TrafficReport.routingKey, messageID: "t-1", from: .gateway)
                        == .ack)
            }
            let old = TrafficReport(
                instance: "gateway-1", from: now.addingTimeInterval(-3 * 86_400 - 5), to: now.addingTimeInterval(-3 * 86_400),
                rows: [
                    .init(
                        method: "GET", path: "/api/v1/products", statusClass: "2xx", role: "client", count: 100,
                        latency: histogram([0: 100]))
                ])
            try await analytics.record(old, at: old.to, routingKey: TrafficReport.routingKey, from: .gateway)
            let superAdmin = Principal.signedIn(as: .superAdmin)
            let figures = try await analytics.operations.ok(AnalyticsRPC.Traffic.self, always, as: superAdmin)
            #expect(figures.totalRequests == 18, "the last 24 hours, the redelivered report once")
            #expect(abs(figures.errorRate - 2.0 / 18.0) < 0.0001)
            #expect(figures.byRole == ["client": 10, "anonymous": 8])
            #expect(figures.byStatusClass == ["2xx": 8, "5xx": 2, "4xx": 8])
            #expect(figures.unmatchedRequests == 3)
            #expect(
                figures.topPaths == [
                    .init(method: "GET", path: "/api/v1/applications", count: 10, p50Ms: 20, p95Ms: 500),
                    .init(method: "POST", path: "/api/v1/auth/login", count: 5, p50Ms: 5, p95Ms: 5),
                ])
            let login = AnalyticsRPC.Window(from: nil, to: nil, path: "/api/v1/auth/login")
            #expect(try await analytics.operations.ok(AnalyticsRPC.Traffic.self, login, as: superAdmin).topPaths.map(\.count) == [5])
            let days = AnalyticsRPC.Window(from: .today.adding(days: -3), to: .today.adding(days: -3))
            #expect(try await analytics.operations.ok(AnalyticsRPC.Traffic.self, days, as: superAdmin).totalRequests == 100)
            let torn = try await analytics.service.consume(
                Array("{}".utf8), properties: MessageProperties(messageID: "t-2", type: TrafficReport.type),
                routingKey: TrafficReport.routingKey)
            #expect(torn == .deadLetter)
        }
    }

    @Test func eachReportIsForItsRolesOnly() async throws {
        try await AnalyticsFixture.run { analytics in
            try await analytics.submitted("1000.00", at: AnalyticsFixture.time(days: -1))
            let allowed: [(name: String, roles: Set<Role>, call: @Sendable (Principal?) async throws -> RPCResult)] = [
                ("portfolio", [.admin, .superAdmin], { try await analytics.operations.call(AnalyticsRPC.Portfolio.self, always, as: $0) }),
                (
                    "approvals", [.manager, .director, .admin, .superAdmin],
                    { try await analytics.operations.call(AnalyticsRPC.Approvals.self, always, as: $0) }
                ),
                ("tickets", [.admin, .superAdmin], { try await analytics.operations.call(AnalyticsRPC.Tickets.self, always, as: $0) }),
                ("traffic", [.superAdmin], { try await analytics.operations.call(AnalyticsRPC.Traffic.self, always, as: $0) }),
            ]
            for report in allowed {
                #expect(try await report.call(nil).status == 401, "\(report.name) for the anonymous")
                for role in Role.allCases {
                    let status = try await report.call(.signedIn(as: role)).status
                    #expect(status == (report.roles.contains(role) ? 200 : 403), "\(report.name) for \(role)")
                }
            }
            let unfinished = Principal(userID: UUID(), role: .superAdmin, sessionID: "s", mfaSetupRequired: true)
            #expect(try await analytics.operations.call(AnalyticsRPC.Portfolio.self, always, as: unfinished).status == 403)
        }
    }
}
