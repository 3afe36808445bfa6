import Contracts
import Foundation
import ServiceKit
import TestSupport
import Testing

@testable import Loans

/// `ApplicationOperations` on a database of its own: submitting, reading, listing, withdrawing.
@Suite struct ApplicationOperationsTests {
    @Test func aSubmissionIsStoredWithItsEventInOneTransaction() async throws {
        try await LoansFixture.run { loans in
            let client = try await loans.client()
            let product = try await loans.product()
            let application = try await loans.submit("12000.00", months: 24, for: client, product: product)
            #expect(application.status == .submitted)
            #expect(application.amount == Money("12000.00"))
            #expect(application.customerID == client.userID)
            #expect(try await loans.outbox().filter { $0 == LoansEvents.ApplicationSubmitted.type }.count == 1)
            let read = try await loans.operations.ok(ApplicationsRPC.Get.self, .init(id: application.id), as: client)
            #expect(read.id == application.id && read.termMonths == 24)
        }
    }

    @Test func aSubmissionOutsideTheProductOrWithoutAFileIsRefusedAndStoresNothing() async throws {
        try await LoansFixture.run { loans in
            let product = try await loans.product()
            let client = try await loans.client()
            let events = try await loans.outbox()
            let newcomer = Principal.signedIn(as: .client)
            let unknown = try #require(
                try await loans.operations.problem(
                    ApplicationsRPC.Submit.self, .init(productID: product.id, amount: Money("12000.00")!, termMonths: 12, purpose: "x"),
                    as: newcomer))
            #expect(unknown.status == 422)
            #expect(Set(unknown.errors?.map(\.field) ?? []) == ["profile", "financial"])
            let outside = try #require(
                try await loans.operations.problem(
                    ApplicationsRPC.Submit.self, .init(productID: product.id, amount: Money("999.99")!, termMonths: 61, purpose: " "),
                    as: client))
            #expect(Set(outside.errors?.map(\.field) ?? []) == ["amount", "term_months", "purpose"])
            #expect(try await loans.database.count("applications") == 0)
            #expect(try await loans.outbox() == events)
        }
    }

    @Test func aRetriedSubmissionWithItsKeyIsStoredOnce() async throws {
        try await LoansFixture.run { loans in
            let client = try await loans.client()
            let product = try await loans.product()
            let request = ApplicationsRPC.Submit.Request(productID: product.id, amount: Money("5000.00")!, termMonths: 12, purpose: "A car")
            let first = try await loans.operations.call(ApplicationsRPC.Submit.self, request, as: client, idempotencyKey: "client:k1")
            let again = try await loans.operations.call(ApplicationsRPC.Submit.self, request, as: client, idempotencyKey: "client:k1")
            #expect(first.status == 202 && again.status == 202)
            #expect(try first.decode(Application.self).id == again.decode(Application.self).id)
            #expect(try await loans.database.count("applications") == 1)
        }
    }

    @Test func aClientSeesOnlyTheirOwnAndTheirListFollowsTheirChanges() async throws {
        try await LoansFixture.run { loans in
            let product = try await loans.product()
            let ada = try await loans.client()
            let bob = try await loans.client()
            let first = try await loans.submit(for: ada, product: product)
            let list = ApplicationsRPC.List.Request()
            #expect(try await loans.operations.ok(ApplicationsRPC.List.self, list, as: ada).items.map(\.id) == [first.id])
            #expect(try await loans.operations.ok(ApplicationsRPC.List.self, list, as: ada).items.count == 1)
            #expect(loans.cache.hits == 1, "the second read of the same list comes from the cache")
            // A submission voids the cached list: the next read has both.
            _ = try await loans.submit("3000.00", for: ada, product: product)
            #expect(try await loans.operations.ok(ApplicationsRPC.List.self, list, as: ada).total == 2)
            #expect(try await loans.operations.ok(ApplicationsRPC.List.self, list, as: bob).items.isEmpty)
            #expect(try await loans.operations.problem(ApplicationsRPC.Get.self, .init(id: first.id), as: bob)?.status == 404)
            let staff = try await loans.operations.ok(ApplicationsRPC.List.self, list, as: .signedIn(as: .analyst))
            #expect(staff.total == 2)
        }
    }

    @Test func onlyTheApplicantWithdrawsAndOnlyBeforeADecision() async throws {
        try await LoansFixture.run { loans in
            let product = try await loans.product()
            let client = try await loans.client()
            let application = try await loans.submit(for: client, product: product)
            #expect(
                try await loans.operations.problem(ApplicationsRPC.Withdraw.self, .init(id: application.id), as: try await loans.client())?
                    .status == 404)
            let withdrawn = try await loans.operations.ok(ApplicationsRPC.Withdraw.self, .init(id: application.id), as: client)
            #expect(withdrawn.status == .withdrawn)
            let approved = try await loans.submit(for: client, product: product)
            try await loans.approve(approved)
            let refusal = try #require(
                try await loans.operations.problem(ApplicationsRPC.Withdraw.self, .init(id: approved.id), as: client))
            #expect(refusal.status == 409)
        }
    }

    @Test func eventsFromApprovalsApplyInTheirOrderWhateverOrderTheyArriveIn() async throws {
        try await LoansFixture.run { loans in
            let client = try await loans.client()
            let application = try await loans.submit(for: client, product: try await loans.product())
            let id = application.id
            // The decision overtook the analysis events: it waits (retried) until they are in.
            let early = try await loans.operations.deliver(
                ApprovalsEvents.Approved(applicationID: id, decidedBy: nil, occurredAt: Date(), sequence: 3))
            #expect(early == .retry)
            try await loans.operations.deliver(ApprovalsEvents.AnalysisStarted(applicationID: id, occurredAt: Date(), sequence: 1))
            let awaiting = ApprovalsEvents.AwaitingDecision(applicationID: id, occurredAt: Date(), sequence: 2)
            try await loans.operations.deliver(awaiting, messageID: "m-2")
            // A redelivery of one already applied changes nothing.
            #expect(try await loans.operations.deliver(awaiting, messageID: "m-2") == .ack)
            try await loans.operations.deliver(ApprovalsEvents.Approved(applicationID: id, decidedBy: nil, occurredAt: Date(), sequence: 3))
            let read = try await loans.operations.ok(ApplicationsRPC.Get.self, .init(id: id), as: client)
            #expect(read.status == .approved)
            #expect(read.timeline.map(\.status) == [.submitted, .underAnalysis, .pendingApproval, .approved])
        }
    }
}
