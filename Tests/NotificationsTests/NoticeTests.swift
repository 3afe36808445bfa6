import Contracts
import Foundation
import Testing

@testable import Notifications

@Suite struct NoticeTests {
    let client = UUID()
    let application = UUID()

    @Test func aClientHearsOfEveryMoveAndIsEmailedTheDecisions() {
        let approved = Notice.about(
            LoansEvents.ApplicationStatusChanged(applicationID: application, customerID: client, from: .pendingApproval, to: .approved, actorID: nil, occurredAt: Date()))
        #expect(approved == [
            Notice(audience: .user(client), type: "application_status_changed",
                data: ["application_id": application.uuidString, "status": "approved", "from": "pending_approval"], emails: true)
        ])
        let analysing = Notice.about(
            LoansEvents.ApplicationStatusChanged(applicationID: application, customerID: client, from: .submitted, to: .underAnalysis, actorID: nil, occurredAt: Date()))
        #expect(analysing.first?.emails == false)
        let documents = Notice.about(
            LoansEvents.ApplicationStatusChanged(applicationID: application, customerID: client, from: .pendingApproval, to: .documentsRequested, actorID: UUID(), occurredAt: Date()))
        #expect(documents.first?.type == "documents_requested")
    }

    @Test func aStageGoesToItsApproverOrToTheWholeRole() {
        let approver = UUID()
        func assigned(_ assignee: UUID?) -> [Notice] {
            Notice.about(ApprovalsEvents.StageAssigned(
                applicationID: application, stageID: UUID(), level: 2, role: .manager, assigneeID: assignee, dueAt: Date(), reason: .opened, occurredAt: Date()))
        }
        #expect(assigned(approver).map(\.audience) == [.user(approver)])
        #expect(assigned(approver).first?.emails == true)
        #expect(assigned(nil).map(\.audience) == [.role(.manager)])
        #expect(assigned(nil).first?.type == "new_application")
    }

    @Test func ticketsTellTheClientAndTheAssignee() {
        let admin = UUID()
        let ticket = UUID()
        let created = Notice.about(TicketEvents.Updated(
            ticketID: ticket, customerID: client, change: .created, status: .open, priority: .high, assigneeID: admin, actorID: client, occurredAt: Date()))
        #expect(created.map(\.audience) == [.user(client), .user(admin)])
        let ownComment = Notice.about(TicketEvents.Updated(
            ticketID: ticket, customerID: client, change: .commented, status: .open, priority: .high, assigneeID: admin, actorID: client, occurredAt: Date()))
        #expect(ownComment.isEmpty)
    }

    @Test func templatesFillEveryTypeWithoutEscaping() throws {
        let templates = try Templates()
        let data = ["application_id": "A&B", "status": "approved", "level": "1", "role": "analyst", "due_at": "2026-11-26T10:00:00Z", "reason": "opened"]
        #expect(templates.render("application_status_changed", .title, data: data) == "Your application is now approved")
        #expect(templates.render("stage_assigned", .inbox, data: data).contains("A&B"))
        #expect(templates.render("unknown_type", .title, data: data) == "unknown_type")
    }
}
