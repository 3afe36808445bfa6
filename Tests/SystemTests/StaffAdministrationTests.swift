import Foundation
import TestSupport
import Testing

/// `POST/GET/PATCH /users` with the contract's role rules, through the gateway.
@Suite struct StaffAdministrationTests {
    let api: API
    let accounts: Accounts

    init() throws {
        api = try API()
        accounts = Accounts(api: api)
    }

    func superAdminToken() async throws -> String {
        try await SuperAdmin.session.value.access
    }

    /// Creates a staff account and returns its id and email.
    func createStaff(_ role: String, by token: String) async throws -> (id: String, email: String) {
        let email = "\(role)-\(UUID().uuidString.prefix(8).lowercased())@staff.example"
        let reply = try await api.post(
            "/api/v1/users", ["email": email, "password": accounts.password, "full_name": "Staff \(role)", "role": role], token: token)
        try #require(reply.status == 201, "create \(role) answered \(reply.status): \(reply.text)")
        return (try #require(reply["id"]), email)
    }

    @Test func aSuperAdminCreatesStaffWhoCanSignInAtOnce() async throws {
        let root = try await superAdminToken()
        let reply = try await api.post(
            "/api/v1/users",
            [
                "email": "Analyst-\(UUID().uuidString.prefix(6))@Staff.example", "password": accounts.password, "full_name": "Ann Alyst",
                "role": "analyst",
            ], token: root)
        #expect(reply.status == 201)
        #expect(reply["status"] == "active")
        #expect(reply["role"] == "analyst")
        let email = try #require(reply["email"])
        #expect(email == email.lowercased())
        let login = try await accounts.login(email)
        #expect(try await api.get("/api/v1/auth/me", token: login.access)["role"] == "analyst")
    }

    @Test func onlyASuperAdminCreatesAdmins() async throws {
        let root = try await superAdminToken()
        let admin = try await createStaff("admin", by: root)
        let adminToken = try await accounts.login(admin.email).access
        let refused = try await api.post(
            "/api/v1/users", ["email": "x-\(UUID())@staff.example", "password": accounts.password, "full_name": "X", "role": "admin"],
            token: adminToken)
        #expect(refused.status == 403)
        // An admin does create other staff.
        _ = try await createStaff("manager", by: adminToken)
        let clientRole = try await api.post(
            "/api/v1/users", ["email": "c-\(UUID())@staff.example", "password": accounts.password, "full_name": "C", "role": "client"],
            token: adminToken)
        #expect(clientRole.status == 422)
    }

    @Test func clientsAndStaffWhoAreNotAdminsCannotAdministerUsers() async throws {
        let root = try await superAdminToken()
        let client = try await accounts.login(try await accounts.activeClient()).access
        let analyst = try await accounts.login(try await createStaff("analyst", by: root).email).access
        for token in [client, analyst] {
            #expect(try await api.get("/api/v1/users", token: token).status == 403)
            #expect(
                try await api.post(
                    "/api/v1/users",
                    ["email": "n-\(UUID())@x.example", "password": accounts.password, "full_name": "N", "role": "analyst"],
                    token: token
                ).status == 403)
        }
        #expect(try await api.get("/api/v1/users").status == 401)
    }

    @Test func theListFiltersAndPages() async throws {
        let root = try await superAdminToken()
        let marker = "dir\(UUID().uuidString.prefix(6).lowercased())"
        for _ in 0..<3 {
            let email = "\(marker)-\(UUID().uuidString.prefix(4).lowercased())@staff.example"
            let reply = try await api.post(
                "/api/v1/users", ["email": email, "password": accounts.password, "full_name": "D", "role": "director"], token: root)
            try #require(reply.status == 201)
        }
        let page = try await api.get("/api/v1/users?role=director&q=\(marker)&page_size=2", token: root)
        #expect(page.status == 200)
        #expect((page.json["items"] as? [Any])?.count == 2)
        #expect(page.json["total"] as? Int == 3)
        #expect(page.headers["X-Total-Count"].first == "3")
        #expect(page.headers["X-Page-Size"].first == "2")
        let second = try await api.get("/api/v1/users?role=director&q=\(marker)&page_size=2&page=2", token: root)
        #expect((second.json["items"] as? [Any])?.count == 1)
        #expect(try await api.get("/api/v1/users?page_size=101", token: root).status == 422)
        #expect(try await api.get("/api/v1/users?role=wizard", token: root).status == 422)
    }

    @Test func disablingAUserEndsTheirSessionsAtOnce() async throws {
        let root = try await superAdminToken()
        let analyst = try await createStaff("analyst", by: root)
        let session = try await accounts.login(analyst.email)
        #expect(try await api.get("/api/v1/auth/me", token: session.access).status == 200)

        let disabled = try await api.patch("/api/v1/users/\(analyst.id)", ["status": "disabled"], token: root)
        #expect(disabled.status == 200)
        #expect(disabled["status"] == "disabled")
        #expect(try await api.get("/api/v1/auth/me", token: session.access).status == 401)
        #expect(try await api.post("/api/v1/auth/refresh", ["refresh_token": session.refresh]).status == 401)
        let login = try await api.post("/api/v1/auth/login", ["email": analyst.email, "password": accounts.password])
        #expect(login.status == 403)
    }

    @Test func aStaleIfMatchIsRefused() async throws {
        let root = try await superAdminToken()
        let analyst = try await createStaff("analyst", by: root)
        let first = try await api.patch("/api/v1/users/\(analyst.id)", ["role": "manager"], token: root)
        let version = try #require(first.json["version"] as? Int)
        let stale = try await api.patch(
            "/api/v1/users/\(analyst.id)", ["role": "director"], token: root, headers: [("If-Match", "\"\(version - 1)\"")])
        #expect(stale.status == 412)
        let current = try await api.patch(
            "/api/v1/users/\(analyst.id)", ["role": "director"], token: root, headers: [("If-Match", "\"\(version)\"")])
        #expect(current.status == 200)
        #expect(current["role"] == "director")
    }

    @Test func adminsCannotTouchAdminsOrThemselves() async throws {
        let root = try await superAdminToken()
        let admin = try await createStaff("admin", by: root)
        let otherAdmin = try await createStaff("admin", by: root)
        let adminToken = try await accounts.login(admin.email).access
        #expect(try await api.patch("/api/v1/users/\(otherAdmin.id)", ["status": "disabled"], token: adminToken).status == 403)
        #expect(try await api.patch("/api/v1/users/\(admin.id)", ["role": "analyst"], token: adminToken).status == 409)
        let analyst = try await createStaff("analyst", by: root)
        #expect(try await api.patch("/api/v1/users/\(analyst.id)", ["role": "admin"], token: adminToken).status == 403)
        #expect(try await api.patch("/api/v1/users/\(UUID())", ["status": "active"], token: adminToken).status == 404)
        #expect(try await api.patch("/api/v1/users/\(analyst.id)", ["status": "sleeping"], token: adminToken).status == 422)
    }
}
