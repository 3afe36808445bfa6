import Foundation
import HummingbirdOTP
import TestSupport
import Testing

/// Staff for the approval tests, and the steps every approval test takes.
struct Approvers {
    let api: API
    let accounts: Accounts
    let applications: ApplicationTests

    init() throws {
        api = try API()
        accounts = Accounts(api: api)
        applications = try ApplicationTests()
    }

    /// A new staff member of `role`, signed in with a full session (with MFA set up when the
    /// stack requires it of the role).
    func member(_ role: String) async throws -> (id: String, token: String) {
        let (id, _, token) = try await memberWithEmail(role)
        return (id, token)
    }

    /// An account a test can sign in with again: the password is `Accounts.password`, and the
    /// authenticator is there once MFA is on.
    struct SignIn {
        let email: String
        let totp: TOTP?
    }

    /// `member`, with the email address it signs in with.
    func memberWithEmail(_ role: String) async throws -> (id: String, email: String, token: String) {
        let (id, account, token) = try await staffAccount(role)
        return (id, account.email, token)
    }

    /// A new staff member of `role` (created by the bootstrap super admin), what it signs in
    /// with, and a full session of it: with MFA set up first when the stack requires it of the role.
    func staffAccount(_ role: String) async throws -> (id: String, account: SignIn, token: String) {
        let root = try await SuperAdmin.session.value.access
        let email = "\(role)-\(UUID().uuidString.prefix(8).lowercased())@staff.example"
        let created = try await api.post(
            "/api/v1/users", ["email": email, "password": accounts.password, "full_name": "Approver \(role)", "role": role], token: root)
        try #require(created.status == 201, "\(created.text)")
        let id = try #require(created["id"])
        let session = try await accounts.login(email).access
        guard try TestEnvironment.require("AUTH_MFA_REQUIRED_ROLES").split(separator: ",").contains(Substring(role)) else {
            return (id, SignIn(email: email, totp: nil), session)
        }
        let setup = try await api.post("/api/v1/auth/mfa/setup", ["password": accounts.password], token: session)
        let secret = try #require(setup["secret"])
        let totp = TOTP(secret: String(decoding: try #require(Base32.decode(secret)), as: UTF8.self))
        try #require(
            try await api.post("/api/v1/auth/mfa/confirm", ["code": String(format: "%06d", totp.compute())], token: session).status == 204)
        let account = SignIn(email: email, totp: totp)
        return (id, account, try await signIn(account))
    }

    /// A new session of `account`, through `api` (this one's when nil).
    func signIn(_ account: SignIn, through api: API? = nil) async throws -> String {
        var body: [String: Any] = ["email": account.email, "password": accounts.password]
        body["totp"] = account.totp.map { String(format: "%06d", $0.compute()) }
        let reply = try await (api ?? self.api).post("/api/v1/auth/login", body)
        try #require(reply.status == 200, "\(reply.text)")
        return try #require(reply["access_token"])
    }

    /// The application once it reaches `expected`, as its owner sees it; nil if it never does.
    func status(of id: String, token: String, becomes expected: String) async throws -> API.Reply? {
        var last: API.Reply?
        let reached = await eventually(timeout: .seconds(20)) {
            last = try? await api.get("/api/v1/applications/\(id)", token: token)
            return last?["status"] == expected
        }
        return reached ? last : nil
    }

    /// A submitted application once analysed and waiting for its first approver.
    func pending(
        amount: String = "12000.00", term: Int = 24, income: String = "6000.00", maxAmount: String = "50000.00",
        requiredDocuments: [String] = []
    ) async throws -> (id: String, client: String, detail: API.Reply) {
        let product = try await applications.product(maxAmount: maxAmount, requiredDocuments: requiredDocuments)
        let client = try await applications.applicant(income: income)
        let submitted = try await applications.apply(client, product: product, amount: amount, term: term)
        try #require(submitted.status == 202, "\(submitted.text)")
        let id = try #require(submitted["id"])
        let detail = try #require(try await status(of: id, token: client, becomes: "pending_approval"), "never reached pending_approval")
        return (id, client, detail)
    }

    /// An application of 12,000.00 over 24 months at 12 %, approved by its (one) approver.
    func approved() async throws -> (id: String, client: String) {
        let (id, client, _) = try await pending()
        let root = try await SuperAdmin.session.value.access
        let decided = try await decide(id, "approve", token: root)
        try #require(decided.status == 200 && decided["status"] == "approved", "\(decided.text)")
        return (id, client)
    }

    func decide(
        _ id: String, _ decision: String, comment: String? = nil, documents: [String]? = nil, token: String
    ) async throws -> API.Reply {
        var body: [String: Any] = ["decision": decision]
        body["comment"] = comment ?? (decision == "approve" ? nil : "Reason for \(decision)")
        body["documents"] = documents
        return try await api.post("/api/v1/applications/\(id)/decisions", body, token: token)
    }

    /// The application's stages, as its detail shows them.
    static func stages(_ detail: API.Reply) -> [[String: Any]] {
        detail.json["stages"] as? [[String: Any]] ?? []
    }

    /// Hands the open stage of `id` to `assignee` (as the super admin); the stage as it now is.
    func reassignOpenStage(of id: String, to assignee: String, seenBy token: String) async throws -> [String: Any] {
        let detail = try await api.get("/api/v1/applications/\(id)", token: token)
        let open = try #require(Self.stages(detail).first { $0["status"] as? String == "open" }, "no open stage: \(detail.text)")
        let root = try await SuperAdmin.session.value.access
        let reply = try await api.post(
            "/api/v1/approvals/tasks/\(try #require(open["id"] as? String))/reassign", ["assignee_id": assignee], token: root)
        try #require(reply.status == 200, "\(reply.text)")
        return reply.json
    }
}
