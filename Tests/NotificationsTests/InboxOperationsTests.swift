import Contracts
import Foundation
import ServiceKit
import TestSupport
import Testing

@testable import Notifications

/// `InboxOperations` on a database of its own, its inbox filled by the notifier from the domain
/// events it is delivered: listing, marking read, preferences, and whose notifications are whose.
@Suite struct InboxOperationsTests {
    @Test func aStatusChangeReachesTheApplicantsInboxAndSocketsInPlainWords() async throws {
        try await NotificationsFixture.run { notifications in
            let client = try await notifications.user(.client, email: "ada@example.com")
            let application = UUID()
            try await notifications.statusChanged(application, of: client, from: .underAnalysis, to: .pendingApproval)
            let inbox = try await notifications.inbox(of: client)
            #expect(inbox.total == 1)
            let notice = try #require(inbox.items.first)
            #expect(notice.type == "application_status_changed" && notice.readAt == nil)
            #expect(notice.title == "Your application is now pending approval")
            #expect(notice.body.contains(String(application.uuidString.prefix(8)).uppercased()))
            #expect(!notice.body.contains(application.uuidString) && !notice.body.contains("pending_approval"))
            #expect(notice.data == ["application_id": application.uuidString, "status": "pending_approval", "from": "under_analysis"])
            let pushes = try await notifications.pushes(to: client)
            #expect(pushes.map(\.type) == ["application_status_changed"] && pushes.first?.data == notice.data)
            #expect(try await notifications.emails().isEmpty, "a move to pending approval is not worth an email")
        }
    }

    @Test func aDecisionIsAlsoEmailedToTheAddressAuthAnnounced() async throws {
        try await NotificationsFixture.run { notifications in
            let client = try await notifications.user(.client, email: "ada@example.com")
            try await notifications.statusChanged(of: client, from: .pendingApproval, to: .approved)
            let emails = try await notifications.emails()
            #expect(emails.map(\.to) == ["ada@example.com"])
            let notice = try #require(try await notifications.inbox(of: client).items.first)
            #expect(emails.first?.subject == notice.title && notice.title == "Your application is now approved")
            // A user `auth` has not announced yet still has their inbox and sockets, but no address.
            let unknown = Principal.signedIn(as: .client)
            try await notifications.statusChanged(of: unknown, from: .pendingApproval, to: .rejected)
            #expect(try await notifications.inbox(of: unknown).total == 1)
            #expect(try await notifications.pushes(to: unknown).count == 1)
            #expect(try await notifications.emails().count == 1)
        }
    }

    @Test func aRedeliveredEventIsNotifiedOnce() async throws {
        try await NotificationsFixture.run { notifications in
            let client = try await notifications.user()
            let application = UUID()
            #expect(try await notifications.statusChanged(application, of: client, from: nil, to: .submitted, messageID: "m-1") == .ack)
            #expect(try await notifications.statusChanged(application, of: client, from: nil, to: .submitted, messageID: "m-1") == .ack)
            #expect(try await notifications.inbox(of: client).total == 1)
            #expect(try await notifications.pushes(to: client).count == 1)
        }
    }

    @Test func theInboxListsNewestFirstAndFiltersByUnreadAndType() async throws {
        try await NotificationsFixture.run { notifications in
            let client = try await notifications.user()
            let application = UUID()
            try await notifications.statusChanged(application, of: client, from: nil, to: .submitted)
            try await notifications.statusChanged(application, of: client, from: .pendingApproval, to: .documentsRequested)
            try await notifications.operations.deliver(
                AuthEvents.SecurityEvent(kind: .passwordChanged, userID: client.userID, clientIP: "203.0.113.9"))
            let all = try await notifications.inbox(of: client)
            #expect(all.items.map(\.type) == ["security_alert", "documents_requested", "application_status_changed"])
            #expect(all.items.first?.body.contains("203.0.113.9") == true)
            let documents = try await notifications.inbox(of: client, type: "documents_requested")
            #expect(documents.total == 1 && documents.items.first?.data["application_id"] == application.uuidString)
            let firstPage = try await notifications.inbox(of: client, page: PageRequest(page: 1, pageSize: 2))
            let secondPage = try await notifications.inbox(of: client, page: PageRequest(page: 2, pageSize: 2))
            #expect(firstPage.total == 3 && (firstPage.items + secondPage.items).map(\.id) == all.items.map(\.id))
            let badPage = try await notifications.operations.problem(
                NotificationsRPC.List.self, .init(page: PageRequest(page: 1, pageSize: 101), unread: nil, type: nil), as: client)
            #expect(badPage?.status == 422 && badPage?.errors?.map(\.field) == ["page_size"])
            #expect(
                try await notifications.operations.problem(
                    NotificationsRPC.List.self, .init(page: PageRequest(), unread: nil, type: nil), as: nil)?.status == 401)
        }
    }

    @Test func markingOneReadLeavesTheRestUnreadAndMarkingAllReadsThem() async throws {
        try await NotificationsFixture.run { notifications in
            let client = try await notifications.user()
            for status in [ApplicationStatus.submitted, .underAnalysis, .pendingApproval] {
                try await notifications.statusChanged(of: client, from: nil, to: status)
            }
            let first = try #require(try await notifications.inbox(of: client).items.last)
            let marked = try await notifications.operations.call(NotificationsRPC.MarkRead.self, .init(id: first.id), as: client)
            #expect(marked.status == 204)
            let unread = try await notifications.inbox(of: client, unread: true)
            #expect(unread.total == 2 && !unread.items.map(\.id).contains(first.id))
            let read = try await notifications.inbox(of: client, unread: false)
            #expect(read.items.map(\.id) == [first.id] && read.items.first?.readAt != nil)
            let readAt = try await notifications.readAt(first.id)
            // Marking all keeps when the first was read.
            #expect(try await notifications.operations.call(NotificationsRPC.MarkRead.self, .init(id: nil), as: client).status == 204)
            #expect(try await notifications.inbox(of: client, unread: true).total == 0)
            #expect(try await notifications.inbox(of: client).items.allSatisfy { $0.readAt != nil })
            #expect(try await notifications.readAt(first.id) == readAt)
            let missing = try await notifications.operations.problem(NotificationsRPC.MarkRead.self, .init(id: UUID()), as: client)
            #expect(missing?.status == 404)
        }
    }

    @Test func anotherUsersNotificationsAreNeitherSeenNorMarked() async throws {
        try await NotificationsFixture.run { notifications in
            let ada = try await notifications.user()
            let bob = try await notifications.user()
            try await notifications.statusChanged(of: ada, from: nil, to: .submitted)
            let adas = try #require(try await notifications.inbox(of: ada).items.first)
            #expect(try await notifications.inbox(of: bob).total == 0)
            #expect(try await notifications.inbox(of: bob, type: "application_status_changed").items.isEmpty)
            let marked = try await notifications.operations.problem(NotificationsRPC.MarkRead.self, .init(id: adas.id), as: bob)
            #expect(marked?.status == 404)
            #expect(try await notifications.operations.call(NotificationsRPC.MarkRead.self, .init(id: nil), as: bob).status == 204)
            #expect(try await notifications.inbox(of: ada, unread: true).items.map(\.id) == [adas.id])
            #expect(try await notifications.pushes(to: bob).isEmpty)
        }
    }

    @Test func aNoticeToARoleReachesItsActiveMembersOnly() async throws {
        try await NotificationsFixture.run { notifications in
            let manager = try await notifications.user(.manager)
            let away = try await notifications.user(.manager)
            let analyst = try await notifications.user(.analyst)
            try await notifications.operations.deliver(
                AuthEvents.UserUpdated(
                    userID: away.userID, role: nil, status: .disabled, actorID: UUID(), actorRole: .admin, occurredAt: Date()))
            // An analyst promoted to manager hears as a manager from then on.
            let promoted = try await notifications.user(.analyst)
            try await notifications.operations.deliver(
                AuthEvents.UserUpdated(
                    userID: promoted.userID, role: .manager, status: nil, actorID: UUID(), actorRole: .admin, occurredAt: Date()))
            try await notifications.operations.deliver(
                ApprovalsEvents.SLABreached(
                    applicationID: UUID(), stageID: UUID(), level: 1, role: .analyst, previousAssigneeID: analyst.userID, assigneeID: nil,
                    escalatedTo: .manager, dueAt: Date(), occurredAt: Date()))
            #expect(try await notifications.inbox(of: manager).items.map(\.type) == ["sla_breached"])
            #expect(try await notifications.inbox(of: promoted).items.map(\.type) == ["sla_breached"])
            #expect(try await notifications.inbox(of: away).total == 0)
            #expect(try await notifications.inbox(of: analyst).total == 0)
            #expect(Set(try await notifications.emails().map(\.to)).count == 2)
        }
    }

    @Test func preferencesTurnEmailAndPushOffButTheInboxKeepsEverything() async throws {
        try await NotificationsFixture.run { notifications in
            let client = try await notifications.user()
            #expect(
                try await notifications.operations.ok(NotificationsRPC.GetPreferences.self, Empty(), as: client)
                    == NotificationPreferences())
            let quiet = NotificationPreferences(email: false, websocket: false)
            #expect(try await notifications.operations.ok(NotificationsRPC.PutPreferences.self, quiet, as: client) == quiet)
            #expect(try await notifications.operations.ok(NotificationsRPC.GetPreferences.self, Empty(), as: client) == quiet)
            try await notifications.statusChanged(of: client, from: .pendingApproval, to: .approved)
            #expect(try await notifications.inbox(of: client).total == 1)
            #expect(try await notifications.pushes(to: client).isEmpty)
            #expect(try await notifications.emails().isEmpty)
            let other = try await notifications.user()
            #expect(
                try await notifications.operations.ok(NotificationsRPC.GetPreferences.self, Empty(), as: other) == NotificationPreferences()
            )
            _ = try await notifications.operations.ok(
                NotificationsRPC.PutPreferences.self, NotificationPreferences(email: false, websocket: true), as: client)
            try await notifications.statusChanged(of: client, from: .approved, to: .disbursed)
            #expect(try await notifications.pushes(to: client).count == 1)
            #expect(try await notifications.emails().isEmpty)
        }
    }

    @Test func aFailedSignInIsNotNotifiedButTheLockOutIs() async throws {
        try await NotificationsFixture.run { notifications in
            let client = try await notifications.user()
            try await notifications.operations.deliver(AuthEvents.SecurityEvent(kind: .loginFailed, userID: client.userID))
            #expect(try await notifications.inbox(of: client).total == 0)
            try await notifications.operations.deliver(AuthEvents.SecurityEvent(kind: .accountLocked, userID: client.userID))
            let notice = try #require(try await notifications.inbox(of: client).items.first)
            #expect(notice.type == "security_alert" && notice.title == "Security notice: your account was locked")
            #expect(try await notifications.emails().count == 1)
        }
    }
}
