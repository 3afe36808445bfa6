import Contracts
import HTTPTypes

/// A JSON body's Swift type: what the gateway decodes a request into, or what the owning service
/// (or a gateway view) encodes a reply from.
typealias ContractType = Codable & Sendable

/// The body a route takes or answers, by content type.
struct RouteBody: Sendable {
    /// The Swift type of its `application/json` form; nil when it has none.
    let json: (any ContractType.Type)?
    /// Its other forms (CSV, multipart, files, forms), named so their presence can be checked.
    let otherContentTypes: [String]

    static func json(_ type: any ContractType.Type, or otherContentTypes: String...) -> RouteBody {
        RouteBody(json: type, otherContentTypes: otherContentTypes)
    }

    static func other(_ contentTypes: String...) -> RouteBody {
        RouteBody(json: nil, otherContentTypes: contentTypes)
    }
}

/// One public route: its method and path as `openapi.json` writes them, its success status, and
/// the Swift types of its bodies. `APIContractTests` checks that these are exactly the router's
/// routes and the document's operations, and each JSON type against the document's schema.
struct DocumentedRoute: Sendable, CustomStringConvertible {
    let method: HTTPRequest.Method
    let path: String
    let status: Int
    let request: RouteBody?
    let response: RouteBody?

    var description: String { "\(method) \(path)" }
}

/// Every route the gateway serves, as the API contract describes it. A route added to a controller
/// and not here, or here and not in `openapi.json`, fails `APIContractTests`.
enum RouteTable {
    private static func get(_ path: String, _ response: RouteBody?, status: Int = 200) -> DocumentedRoute {
        DocumentedRoute(method: .get, path: path, status: status, request: nil, response: response)
    }

    private static func post(_ path: String, _ request: RouteBody?, _ response: RouteBody?, status: Int = 200) -> DocumentedRoute {
        DocumentedRoute(method: .post, path: path, status: status, request: request, response: response)
    }

    private static func put(_ path: String, _ request: RouteBody, _ response: RouteBody) -> DocumentedRoute {
        DocumentedRoute(method: .put, path: path, status: 200, request: request, response: response)
    }

    private static func patch(_ path: String, _ request: RouteBody, _ response: RouteBody) -> DocumentedRoute {
        DocumentedRoute(method: .patch, path: path, status: 200, request: request, response: response)
    }

    private static func delete(_ path: String) -> DocumentedRoute {
        DocumentedRoute(method: .delete, path: path, status: 204, request: nil, response: nil)
    }

    /// The kinds of file a document is stored as (`DocumentUpload`).
    private static let documentFile = RouteBody.other("application/pdf", "image/png", "image/jpeg")

    static let system: [DocumentedRoute] = [
        get("/healthz", nil),
        // ServiceKit's readiness report, the same for every service: not an API contract type.
        get("/readyz", .other("application/json")),
        get("/.well-known/jwks.json", .json(AuthRPC.Keys.Response.self)),
        get("/api/v1/openapi.json", nil),
        // Answered by the upgrade; a plain GET reaches the route only to be refused.
        DocumentedRoute(method: .get, path: "/api/v1/ws", status: 101, request: nil, response: nil),
    ]

    static let auth: [DocumentedRoute] = [
        post("/api/v1/auth/register", .json(AuthRPC.Register.Request.self), .json(AuthRPC.Register.Response.self), status: 201),
        post("/api/v1/auth/verify-otp", .json(AuthRPC.VerifyOTP.Request.self), .json(AuthRPC.StatusReply.self)),
        post("/api/v1/auth/resend-otp", .json(AuthRPC.ResendOTP.Request.self), .json(AuthRPC.StatusReply.self), status: 202),
        post("/api/v1/auth/accept-invite", .json(AuthRPC.AcceptInvite.Request.self), .json(AuthRPC.StatusReply.self)),
        post("/api/v1/auth/login", .json(AuthRPC.Login.Request.self), .json(AuthRPC.TokenPair.self)),
        post("/api/v1/auth/token", .other("application/x-www-form-urlencoded"), .json(AuthRPC.TokenPair.self)),
        post("/api/v1/auth/refresh", .json(AuthRPC.Refresh.Request.self), .json(AuthRPC.TokenPair.self)),
        post("/api/v1/auth/logout", nil, nil, status: 204),
        post("/api/v1/auth/logout-all", nil, nil, status: 204),
        get("/api/v1/auth/me", .json(AuthRPC.User.self)),
        post("/api/v1/auth/change-password", .json(AuthRPC.ChangePassword.Request.self), nil, status: 204),
        post("/api/v1/auth/mfa/setup", .json(AuthRPC.MFASetup.Request.self), .json(AuthRPC.MFASetup.Response.self)),
        post("/api/v1/auth/mfa/confirm", .json(AuthRPC.MFAConfirm.Request.self), nil, status: 204),
        post("/api/v1/auth/verify-phone", .json(AuthRPC.VerifyPhone.Request.self), .json(AuthRPC.User.self)),
        post("/api/v1/auth/resend-phone-code", nil, .json(AuthRPC.StatusReply.self), status: 202),
        post("/api/v1/users", .json(UsersRPC.Create.Request.self), .json(AuthRPC.User.self), status: 201),
        get("/api/v1/users", .json(Page<AuthRPC.User>.self)),
        get("/api/v1/users/{id}", .json(AuthRPC.User.self)),
        patch("/api/v1/users/{id}", .json(UserController.Patch.self), .json(AuthRPC.User.self)),
    ]

    static let lending: [DocumentedRoute] = [
        post("/api/v1/calculators/emi", .json(LoansRPC.EMI.Request.self), .json(LoansRPC.EMI.Response.self)),
        post("/api/v1/eligibility/check", .json(LoansRPC.Eligibility.Request.self), .json(LoansRPC.Eligibility.Response.self)),
        get("/api/v1/products", .json(Page<Product>.self)),
        post("/api/v1/products", .json(ProductsRPC.Fields.self), .json(Product.self), status: 201),
        get("/api/v1/products/{id}", .json(Product.self)),
        patch("/api/v1/products/{id}", .json(ProductsRPC.Fields.self), .json(Product.self)),
    ]

    static let customers: [DocumentedRoute] = [
        get("/api/v1/me/profile", .json(VersionedSection<PersonalDetails>.self)),
        put("/api/v1/me/profile", .json(PersonalDetails.self), .json(VersionedSection<PersonalDetails>.self)),
        get("/api/v1/me/financial", .json(VersionedSection<FinancialDetails>.self)),
        put("/api/v1/me/financial", .json(FinancialDetails.self), .json(VersionedSection<FinancialDetails>.self)),
        get("/api/v1/me/employment", .json(VersionedSection<EmploymentDetails>.self)),
        put("/api/v1/me/employment", .json(EmploymentDetails.self), .json(VersionedSection<EmploymentDetails>.self)),
        get("/api/v1/me/documents", .json(Page<Document>.self)),
        post("/api/v1/me/documents", .other("multipart/form-data"), .json(Document.self), status: 201),
        get("/api/v1/me/documents/{id}", documentFile),
        delete("/api/v1/me/documents/{id}"),
        get("/api/v1/customers", .json(Page<Customer>.self)),
        post("/api/v1/customers", .json(CustomerController.WalkIn.self), .json(Customer.self), status: 201),
        get("/api/v1/customers/{id}", .json(Customer.self)),
        patch("/api/v1/customers/{id}", .json(CustomersRPC.Sections.self), .json(Customer.self)),
        get("/api/v1/customers/{id}/documents", .json(Page<Document>.self)),
        get("/api/v1/customers/{id}/documents/{doc_id}", documentFile),
    ]

    static let applications: [DocumentedRoute] = [
        post("/api/v1/applications", .json(ApplicationsRPC.Submit.Request.self), .json(Application.self), status: 202),
        get("/api/v1/applications", .json(Page<ApplicationListView.Item>.self, or: "text/csv")),
        get("/api/v1/applications/{id}", .json(Application.self)),
        post("/api/v1/applications/{id}/withdraw", nil, .json(Application.self)),
        post(
            "/api/v1/applications/{id}/documents", .json(ApplicationController.AttachBody.self, or: "multipart/form-data"),
            .json(Document.self), status: 201),
        get("/api/v1/applications/{id}/documents/{doc_id}", documentFile),
        post(
            "/api/v1/applications/{id}/waivers", .json(ApplicationController.WaiverBody.self), .json(DocumentWaiver.self), status: 201),
        post("/api/v1/applications/{id}/decisions", .json(ApprovalController.DecisionBody.self), .json(Application.self)),
        get("/api/v1/approvals/tasks", .json(Page<TaskListView.Item>.self)),
        post("/api/v1/approvals/tasks/{id}/reassign", .json(ApprovalController.ReassignBody.self), .json(ApprovalStage.self)),
        get("/api/v1/approvals/policy", .json(ApprovalPolicy.self)),
        put("/api/v1/approvals/policy", .json(ApprovalPolicy.self), .json(ApprovalPolicy.self)),
    ]

    static let loans: [DocumentedRoute] = [
        post("/api/v1/applications/{id}/disburse", .json(LoanController.Disbursement.self), .json(Loan.self), status: 201),
        get("/api/v1/loans", .json(Page<Loan>.self, or: "text/csv")),
        get("/api/v1/loans/{id}", .json(Loan.self)),
        get("/api/v1/loans/{id}/schedule", .json(Page<ScheduledInstalment>.self)),
        post("/api/v1/loans/{id}/payments", .json(LoanController.PaymentBody.self), .json(Payment.self), status: 201),
        get("/api/v1/loans/{id}/payments", .json(Page<Payment>.self)),
        get("/api/v1/loans/{id}/pre-closure-quote", .json(PreClosureQuote.self)),
        post("/api/v1/loans/{id}/pre-close", .json(LoanController.PaymentBody.self), .json(Loan.self)),
        get("/api/v1/payments", .json(Page<Payment>.self, or: "text/csv")),
        get("/api/v1/payments/{id}", .json(Payment.self)),
    ]

    static let tickets: [DocumentedRoute] = [
        post("/api/v1/tickets", .json(TicketsRPC.Create.Request.self), .json(Ticket.self), status: 201),
        get("/api/v1/tickets", .json(Page<Ticket>.self)),
        get("/api/v1/tickets/{id}", .json(Ticket.self)),
        patch("/api/v1/tickets/{id}", .json(TicketController.UpdateBody.self), .json(Ticket.self)),
        post("/api/v1/tickets/{id}/comments", .json(TicketController.CommentBody.self), .json(Ticket.Comment.self), status: 201),
    ]

    static let notifications: [DocumentedRoute] = [
        get("/api/v1/notifications", .json(Page<InboxNotification>.self)),
        post("/api/v1/notifications/{id}/read", nil, nil, status: 204),
        post("/api/v1/notifications/read-all", nil, nil, status: 204),
        get("/api/v1/notifications/preferences", .json(NotificationPreferences.self)),
        put("/api/v1/notifications/preferences", .json(NotificationPreferences.self), .json(NotificationPreferences.self)),
        post("/api/v1/webhooks", .json(WebhooksRPC.Create.Request.self), .json(Webhook.self), status: 201),
        get("/api/v1/webhooks", .json(Page<Webhook>.self)),
        delete("/api/v1/webhooks/{id}"),
        get("/api/v1/webhooks/{id}/deliveries", .json(Page<WebhookDelivery>.self)),
    ]

    static let sync: [DocumentedRoute] = [
        get("/api/v1/sync/changes", .json(SyncChangesPage.self)),
        post("/api/v1/sync/batch", .json(SyncBatch.Body.self), .json(SyncBatch.Reply.self)),
        get("/api/v1/sync/summary", .json(SyncStats.Summary.self)),
        post("/api/v1/admin/broadcast", .json(SyncController.Broadcast.self), .json(SyncController.BroadcastSent.self), status: 202),
    ]

    static let analytics: [DocumentedRoute] = [
        get("/api/v1/audit-log", .json(Page<AuditEntry>.self)),
        get("/api/v1/audit-log/verify", .json(AuditRPC.Verify.Response.self)),
        get("/api/v1/analytics/traffic", .json(AnalyticsRPC.Traffic.Response.self)),
        get("/api/v1/reports/portfolio", .json(AnalyticsRPC.Portfolio.Response.self, or: "text/csv")),
        get("/api/v1/analytics/approvals", .json(AnalyticsRPC.Approvals.Response.self)),
        get("/api/v1/analytics/tickets", .json(AnalyticsRPC.Tickets.Response.self)),
        get("/api/v1/public/stats", .json(AnalyticsRPC.PublicStats.Response.self)),
        get("/api/v1/admin/dead-letters", .json(DeadLettersRPC.List.Response.self)),
        post("/api/v1/admin/dead-letters/{queue}/replay", nil, .json(DeadLettersRPC.Replay.Response.self)),
    ]

    static let all = system + auth + lending + customers + applications + loans + tickets + notifications + sync + analytics
}
