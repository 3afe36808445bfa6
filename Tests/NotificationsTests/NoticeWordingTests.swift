import Contracts
import Foundation
import Testing

@testable import Notifications

/// What a person reads: every notice type, on every channel, in plain words (no snake_case code, no
/// full UUID, amounts in grouped pounds), while `data` keeps the machine-readable values.
@Suite struct NoticeWordingTests {
    let templates: Templates
    let client = UUID()
    let application = UUID()
    let loan = UUID()
    let ticket = UUID()

    init() throws { templates = try Templates() }

    /// One notice of every type, from the events that cause them.
    var everyType: [Notice] {
        let due = Date(timeIntervalSince1970: 1_795_687_200)  // 26 November 2026, 10:00 UTC
        return Notice.about(
            LoansEvents.ApplicationStatusChanged(
                applicationID: application, customerID: client, from: .underAnalysis, to: .pendingApproval, actorID: nil, occurredAt: Date()
            ))
            + Notice.about(
                LoansEvents.ApplicationStatusChanged(
                    applicationID: application, customerID: client, from: .pendingApproval, to: .documentsRequested, actorID: UUID(),
                    occurredAt: Date()))
            + Notice.about(
                ApprovalsEvents.StageAssigned(
                    applicationID: application, stageID: UUID(), level: 2, role: .manager, assigneeID: UUID(), dueAt: due,
                    reason: .reassigned,
                    occurredAt: Date()))
            + Notice.about(
                ApprovalsEvents.StageAssigned(
                    applicationID: application, stageID: UUID(), level: 1, role: .analyst, assigneeID: nil, dueAt: due, reason: .opened,
                    occurredAt: Date()))
            + Notice.about(
                ApprovalsEvents.SLABreached(
                    applicationID: application, stageID: UUID(), level: 1, role: .analyst, previousAssigneeID: UUID(), assigneeID: UUID(),
                    escalatedTo: .manager, dueAt: due, occurredAt: Date()))
            + Notice.about(
                TicketEvents.Updated(
                    ticketID: ticket, customerID: client, change: .statusChanged, status: .inProgress, priority: .high, assigneeID: UUID(),
                    actorID: UUID(), occurredAt: Date()))
            + Notice.about(
                TicketEvents.Updated(
                    ticketID: ticket, customerID: client, change: .created, status: .open, priority: .low, assigneeID: UUID(),
                    actorID: client,
                    occurredAt: Date()))
            + Notice.about(
                TicketEvents.SLABreached(
                    ticketID: ticket, priority: .high, assigneeID: UUID(), dueAt: due, escalatedTo: .superAdmin, occurredAt: Date()))
            + Notice.about(
                LoansEvents.InstalmentOverdue(
                    loanID: loan, customerID: client, number: 3, dueDate: CalendarDate("2026-11-26")!, amountDue: Money("2745.10")!,
                    occurredAt: Date()))
            + Notice.about(
                LoansEvents.LoanDisbursed(
                    loanID: loan, applicationID: application, customerID: client, principal: Money("60000")!,
                    disbursedOn: CalendarDate("2026-11-26")!,
                    actorID: UUID(), occurredAt: Date()))
            + Notice.about(AuthEvents.SecurityEvent(kind: .accountLocked, userID: client, clientIP: "203.0.113.9"))
    }

    @Test func everyTypeIsCovered() {
        #expect(Set(everyType.map(\.type)) == Templates.types)
    }

    @Test func noChannelShowsACodeOrAFullID() {
        for notice in everyType {
            for channel in Templates.Channel.allCases {
                let text = templates.render(notice, channel)
                #expect(text.firstMatch(of: /[A-Za-z]+_[A-Za-z]+/) == nil, "\(notice.type).\(channel): \(text)")
                #expect(text.firstMatch(of: /[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}/) == nil, "\(notice.type).\(channel): \(text)")
                #expect(!text.contains("{{") && !text.contains("  "), "\(notice.type).\(channel): \(text)")
            }
        }
    }

    /// Titles are email subjects too, sent without RFC 2047 encoding.
    @Test func titlesAreASCII() {
        for notice in everyType {
            let title = templates.render(notice, .title)
            #expect(title.allSatisfy { $0.isASCII }, "\(notice.type)")
        }
    }

    @Test func referencesAreTheIDsFirstEightCharactersInCapitals() {
        let reference = String(application.uuidString.prefix(8))
        let moved = templates.render(everyType[0], .inbox)
        #expect(moved == "Your application, reference \(reference), moved from under analysis to pending approval.")
        #expect(templates.render(everyType[0], .title) == "Your application is now pending approval")
        #expect(NoticeWords.reference("3f2a19c0-0000-4000-8000-000000000000") == "3F2A19C0")
    }

    @Test func theMachineReadableDataIsKept() {
        #expect(everyType[0].data == ["application_id": application.uuidString, "status": "pending_approval", "from": "under_analysis"])
    }

    @Test func amountsAreGroupedPounds() throws {
        let notices = everyType
        let disbursed = try #require(notices.first { $0.type == "loan_disbursed" })
        #expect(templates.render(disbursed, .inbox).contains("Your loan of £60,000.00, reference"))
        let overdue = try #require(notices.first { $0.type == "instalment_overdue" })
        #expect(templates.render(overdue, .email).contains("due on 26 November 2026, is overdue; £2,745.10 is due."))
        #expect(Sterling.format(Money("0.5")!) == "£0.50")
        #expect(Sterling.format(Money("999.99")!) == "£999.99")
        #expect(Sterling.format(Money("1000")!) == "£1,000.00")
        #expect(Sterling.format(Money("1234567.89")!) == "£1,234,567.89")
    }

    @Test func staffReadRolesReasonsAndDueTimesAsWords() throws {
        let notices = everyType
        let assigned = try #require(notices.first { $0.type == "stage_assigned" })
        #expect(templates.render(assigned, .title) == "An application waits for your decision as manager")
        #expect(templates.render(assigned, .inbox).hasSuffix("at level 2 (reassigned to you). It is due by 26 November 2026 at 10:00 UTC."))
        let unassigned = try #require(notices.first { $0.type == "new_application" })
        #expect(templates.render(unassigned, .title) == "New application waiting for an analyst")
    }

    @Test func ticketStatusesAndChangesAreWords() throws {
        let updated = try #require(everyType.first { $0.type == "ticket_updated" })
        #expect(templates.render(updated, .title) == "Your support ticket is in progress")
        #expect(templates.render(updated, .inbox).hasSuffix(", is now in progress. Its status changed."))
    }

    @Test(arguments: ["login_failed", "account_locked", "password_changed", "mfa_enabled", "sessions_revoked"])
    func everySecurityKindIsASentence(kind: String) {
        let notice = Notice(audience: .user(client), type: "security_alert", data: ["kind": kind], emails: true)
        let inbox = templates.render(notice, .inbox)
        #expect(inbox.first?.isUppercase == true && inbox.hasSuffix("."), "\(inbox)")
        #expect(!inbox.contains("_") && !templates.render(notice, .title).contains("_"))
    }

    @Test func everyStatusAndRoleReadsAsWords() {
        for status in ApplicationStatus.allCases {
            #expect(!NoticeWords.of(["status": status.rawValue])["status"]!.contains("_"))
        }
        #expect(NoticeWords.of(["role": Role.superAdmin.rawValue])["a_role"] == "a super admin")
        #expect(NoticeWords.of(["role": Role.admin.rawValue])["a_role"] == "an admin")
    }
}
