import Contracts
import Foundation
import Testing

@testable import Notifications

@Suite struct NoticeTests {
    let client = UUID()
    let application = UUID()

    @Test func aClientHearsOfEveryMoveAndIsEmailedTheDecisions() {
        let approved = Notice.about(
            LoansEvents.ApplicationStatusChanged(
                applicationID: application, customerID: client, from: .pendingApproval, to: .approved, actorID: nil, occurredAt: Date()))
        #expect(
            approved == [
                Notice(
                    audience: .user(client), type: "application_status_changed",
                    data: ["application_id": application.uuidString, "status": "approved", "from": "pending_approval"], emails: true)
            ])
        let analysing = Notice.about(
            LoansEvents.ApplicationStatusChanged(
                applicationID: application, customerID: client, from: .submitted, to: .underAnalysis, actorID: nil, occurredAt: Date()))
        #expect(analysing.first?.emails == false)
        let documents = Notice.about(
            LoansEvents.ApplicationStatusChanged(
                applicationID: application, customerID: client, from: .pendingApproval, to: .documentsRequested, actorID: UUID(),
                occurredAt: Date()))
        #expect(documents.first?.type == "documents_requested")
    }

    @Test func aStageGoesToItsApproverOrToTheWholeRole() {
        let approver = UUID()
        func assigned(_ assignee: UUID?) -> [Notice] {
            Notice.about(
                ApprovalsEvents.StageAssigned(
                    applicationID: application, stageID: UUID(), level: 2, role: .manager, assigneeID: assignee, dueAt: Date(),
                    reason: .opened, occurredAt: Date()))
        }
        #expect(assigned(approver).map(\.audience) == [.user(approver)])
        #expect(assigned(approver).first?.emails == true)
        #expect(assigned(nil).map(\.audience) == [.role(.manager)])
        #expect(assigned(nil).first?.type == "new_application")
    }

    @Test func ticketsTellTheClientAndTheAssignee() {
        let admin = UUID()
        let ticket = UUID()
        let created = Notice.about(
            TicketEvents.Updated(
                ticketID: ticket, customerID: client, change: .created, status: .open, priority: .high, assigneeID: admin, actorID: client,
                occurredAt: Date()))
        #expect(created.map(\.audience) == [.user(client), .user(admin)])
        let ownComment = Notice.about(
            TicketEvents.Updated(
                ticketID: ticket, customerID: client, change: .commented, status: .open, priority: .high, assigneeID: admin,
                actorID: client, occurredAt: Date()))
        #expect(ownComment.isEmpty)
    }

    @Test func securityChangesReachTheAccountOwnerButNotEachFailedSignIn() {
        let user = UUID()
        #expect(Notice.about(AuthEvents.SecurityEvent(kind: .loginFailed, userID: user)).isEmpty)
        let locked = Notice.about(AuthEvents.SecurityEvent(kind: .accountLocked, userID: user, clientIP: "203.0.113.9"))
        #expect(
            locked == [
                Notice(
                    audience: .user(user), type: "security_alert", data: ["kind": "account_locked", "client_ip": "203.0.113.9"],
                    emails: true)
            ])
    }

    @Test func templatesFillEveryTypeWithoutEscaping() throws {
        let templates = try Templates()
        let notice = Notice(
            audience: .user(client), type: "security_alert", data: ["kind": "password_changed", "client_ip": "<203.0.113.9>&"], emails: true
        )
        #expect(templates.render(notice, .inbox).contains("<203.0.113.9>&"))
        #expect(templates.render(Notice(audience: .user(client), type: "unknown_type", data: [:], emails: false), .title) == "unknown_type")
    }
}

@Suite struct WebhookRulesTests {
    @Test(arguments: [
        ("approvals.application.*", "approvals.application.approved", true),
        ("approvals.application.*", "approvals.application", false),
        ("approvals.#", "approvals.stage.sla_breached", true),
        ("#", "anything.at.all", true),
        ("loans.*.status_changed", "loans.application.status_changed", true),
        ("loans.application.status_changed", "loans.application.submitted", false),
        ("*.user.#", "auth.user", true),
    ])
    func patternsMatchLikeTopicBindings(pattern: String, key: String, matches: Bool) {
        #expect(WebhookRules.matches(pattern, key) == matches)
    }

    @Test func signaturesAreHexHMACOfTheBody() {
        // RFC 4231 test case 2.
        let signature = WebhookRules.signature(of: Array("what do ya want for nothing?".utf8), secret: "Jefe")
        #expect(signature == "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func retriesBackOffUpToAnHour() {
        #expect(WebhookRules.retryDelay(after: 1, base: .seconds(1)) == .seconds(1))
        #expect(WebhookRules.retryDelay(after: 4, base: .seconds(1)) == .seconds(8))
        #expect(WebhookRules.retryDelay(after: 30, base: .seconds(1)) == .seconds(3600))
    }
}

@Suite struct SMTPMailerTests {
    @Test func theEnvelopeUsesBareAddresses() {
        #expect(SMTPMailer.address(in: "Lending Platform <no-reply@lending.local>") == "no-reply@lending.local")
        #expect(SMTPMailer.address(in: " ada@example.com ") == "ada@example.com")
    }

    @Test func anUnknownStartTLSSettingIsRefused() throws {
        #expect(throws: SMTPError.self) { try SMTPMailer.StartTLS("sometimes") }
        #expect(try SMTPMailer.StartTLS("none") == .none)
    }
}
