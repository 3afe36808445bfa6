import Foundation
import Testing

@testable import Analytics

@Suite struct AuditRulesTests {
    @Test func staffActionsBecomeEntries() {
        let created = AuditRules.draft(
            type: "auth.user.created.v1",
            payload: ["user_id": "U", "email": "a@b.c", "role": "analyst", "actor_id": "A", "actor_role": "admin", "full_name": "x"])
        #expect(
            created
                == AuditRules.Draft(
                    actorID: "A", actorRole: "admin", action: "user.created", entity: "user", entityID: "U",
                    details: ["email": "a@b.c", "role": "analyst"]))
        let decided = AuditRules.draft(
            type: "approvals.stage.decided.v1",
            payload: ["application_id": "P", "decided_by": "D", "decision": "reject", "level": 2, "role": "manager"])
        #expect(decided?.action == "application.reject")
        #expect(decided?.details == ["level": "2", "role": "manager"])
        #expect(AuditRules.draft(type: "auth.security.v1", payload: ["kind": "login_failed", "user_id": "U"])?.actorID == "U")
    }

    @Test func otherEventsAreNot() {
        #expect(AuditRules.draft(type: "loans.application.submitted.v1", payload: [:]) == nil)
        #expect(AuditRules.draft(type: "approvals.stage.assigned.v1", payload: ["reason": "opened"]) == nil)
        // A client working their own ticket is not a staff action.
        #expect(
            AuditRules.draft(
                type: "approvals.ticket.updated.v1", payload: ["actor_id": "C", "customer_id": "C", "change": "status_changed"]) == nil)
    }

    @Test func detailsAreCanonical() {
        #expect(AuditRules.canonical(["b": "2", "a": "1/2"]) == #"{"a":"1/2","b":"2"}"#)
    }
}
