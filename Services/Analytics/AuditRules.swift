import Foundation

/// Which events are audit entries and how they read: every staff action and security event.
/// Pure (the event's type and JSON payload in, the entry out), so each mapping is unit-tested.
enum AuditRules {
    struct Draft: Equatable, Sendable {
        var actorID: String?
        var actorRole: String?
        var action: String
        var entity: String
        var entityID: String?
        var details: [String: String]
    }

    static func draft(type: String, payload: [String: Any]) -> Draft? {
        func text(_ key: String) -> String? {
            switch payload[key] {
            case let value as String: value
            case let value as NSNumber: value.stringValue
            default: nil
            }
        }
        func details(_ keys: [String]) -> [String: String] {
            keys.reduce(into: [:]) { result, key in result[key] = text(key) }
        }
        switch type {
        case "auth.user.created.v1":
            return Draft(
                actorID: text("actor_id"), actorRole: text("actor_role"), action: "user.created", entity: "user", entityID: text("user_id"),
                details: details(["email", "role"]))
        case "auth.user.updated.v1":
            return Draft(
                actorID: text("actor_id"), actorRole: text("actor_role"), action: "user.updated", entity: "user", entityID: text("user_id"),
                details: details(["role", "status"]))
        case "auth.security.v1":
            guard let kind = text("kind") else { return nil }
            return Draft(
                actorID: text("actor_id") ?? text("user_id"), actorRole: nil, action: "security.\(kind)", entity: "user",
                entityID: text("user_id"), details: details(["client_ip"]))
        case "approvals.stage.decided.v1":
            guard let decision = text("decision") else { return nil }
            return Draft(
                actorID: text("decided_by"), actorRole: nil, action: "application.\(decision)", entity: "application",
                entityID: text("application_id"), details: details(["level", "role", "comment"]))
        case "approvals.stage.assigned.v1":
            guard text("reason") == "reassigned", let actor = text("actor_id") else { return nil }
            return Draft(
                actorID: actor, actorRole: nil, action: "stage.reassigned", entity: "stage", entityID: text("stage_id"),
                details: details(["application_id", "assignee_id"]))
        case "approvals.policy.updated.v1":
            return Draft(
                actorID: text("actor_id"), actorRole: text("actor_role"), action: "policy.updated", entity: "approval_policy",
                entityID: nil,
                details: details(["version"]))
        case "loans.application.document_waived.v1":
            return Draft(
                actorID: text("actor_id"), actorRole: text("actor_role"), action: "document.waived", entity: "application",
                entityID: text("application_id"), details: details(["document_type", "reason"]))
        case "loans.customer.file_changed.v1":
            guard let change = text("change") else { return nil }
            return Draft(
                actorID: text("actor_id"), actorRole: text("actor_role"), action: "customer.\(change)", entity: "customer",
                entityID: text("customer_id"), details: details(["before", "after"]))
        case "loans.loan.disbursed.v1":
            return Draft(
                actorID: text("actor_id"), actorRole: nil, action: "loan.disbursed", entity: "loan", entityID: text("loan_id"),
                details: details(["application_id", "principal"]))
        case "approvals.ticket.updated.v1":
            // Staff work on tickets; the client's own steps are theirs, not staff actions.
            guard let actor = text("actor_id"), actor != text("customer_id"), let change = text("change") else { return nil }
            return Draft(
                actorID: actor, actorRole: nil, action: "ticket.\(change)", entity: "ticket", entityID: text("ticket_id"),
                details: details(["status", "priority"]))
        default:
            return nil
        }
    }

    /// The details as stored and hashed: JSON with sorted keys, so the same details always hash alike.
    static func canonical(_ details: [String: String]) -> String {
        let data =
            (try? JSONSerialization.data(withJSONObject: details, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
