import Contracts
import Foundation

/// Who may decide the current stage of an application, and how. Pure, so every rule is tested
/// without servers.
enum DecisionRules {
    /// Roles that may decide any stage, whoever it is assigned to.
    static let overriding: Set<Role> = [.admin, .superAdmin]
    static let maximumComment = 2000

    struct Situation {
        var workflowStatus: WorkflowStore.Status
        var risk: Decimal?
        /// The open stage, if there is one.
        var stage: ApprovalStage?
        /// Who decided earlier levels.
        var deciders: [UUID]
    }

    /// Why `decision` by `caller` cannot be made, or nil when it can.
    static func refusal(_ request: ApprovalsRPC.Decide.Request, by caller: Principal, in situation: Situation) -> Problem? {
        if let problem = inputProblem(request) { return problem }
        if request.decision == .approve, let risk = situation.risk, risk >= PolicyRules.riskCeiling {
            return Problem(
                status: 422, slug: "risk-too-high", title: "Risk too high",
                detail: "An application with a risk score of 0.75 or more can never be approved.")
        }
        guard situation.workflowStatus == .deciding, let stage = situation.stage else {
            return Problem.conflict("The application is not waiting for an approval decision.", slug: "illegal-transition")
        }
        if stage.awaitingDocuments {
            return Problem.conflict("The stage waits for the documents its approver asked for.", slug: "awaiting-documents")
        }
        if situation.deciders.contains(caller.userID) {
            return Problem.forbidden(
                "You decided another level of this application; another person must decide this one.", slug: "maker-checker")
        }
        if stage.assigneeID != caller.userID && !overriding.contains(caller.role) {
            return Problem.forbidden("Only the approver assigned to the current stage may decide it.")
        }
        return nil
    }

    /// The final approval waits for every required document, unless a manager waived it.
    static func missingDocumentsRefusal(_ missing: [DocumentType]) -> Problem? {
        guard !missing.isEmpty else { return nil }
        return Problem.validation(
            missing.map {
                .init(
                    field: "documents.\($0.rawValue)", message: "is required by the product and missing (upload it, or a manager waives it)"
                )
            },
            detail: "The application lacks required documents: \(missing.map(\.rawValue).joined(separator: ", ")).")
    }

    static func inputProblem(_ request: ApprovalsRPC.Decide.Request) -> Problem? {
        var problems: [Problem.FieldError] = []
        let comment = request.comment?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if comment.count > maximumComment {
            problems.append(.init(field: "comment", message: "must be at most \(maximumComment) characters"))
        }
        if request.decision != .approve && comment.isEmpty {
            problems.append(.init(field: "comment", message: "is required to reject or to ask for documents"))
        }
        if request.decision == .requestDocuments && (request.documents ?? []).isEmpty {
            problems.append(.init(field: "documents", message: "must name the documents the client should upload"))
        }
        return problems.isEmpty ? nil : Problem.validation(problems)
    }
}
