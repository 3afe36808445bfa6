import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@testable import Gateway

/// What a test saw of the requests the routes forwarded.
final class Forwarded<Request: Sendable>: Sendable {
    private let seen = Mutex<[(request: Request, caller: Principal?)]>([])
    var all: [(request: Request, caller: Principal?)] { seen.withLock { $0 } }
    var last: (request: Request, caller: Principal?)? { all.last }
    func record(_ request: Request, _ caller: Principal?) { seen.withLock { $0.append((request, caller)) } }
}

/// The signed-in groups: who gets in, and what a route makes of an id in its path.
@Suite struct SignedInGroupTests {
    @Test func aSignedInRouteRefusesARequestWithoutACallerBeforeAnyServiceIsAsked() async throws {
        let routes = RoutesUnderTest()
        try await routes.test { client in
            let anonymous = try await client.execute(uri: "/api/v1/loans", method: .get)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.problemSlug == "missing-token")
            #expect(anonymous.headers[.contentType] == "application/problem+json")
        }
        #expect(routes.services.calls.isEmpty)
    }

    @Test func staffWhoMustSetUpMFAGetOnlyTheRoutesThatDoIt() async throws {
        let routes = RoutesUnderTest()
        routes.services.answer(AuthRPC.Me.self, status: 200, json: #"{"id":"x"}"#)
        try await routes.test { client in
            let pending: HTTPFields = [NamedCallerMiddleware.header: "analyst \(UUID().uuidString) mfa-setup"]
            #expect(try await client.execute(uri: "/api/v1/auth/me", method: .get, headers: pending).status == .ok)
            let refused = try await client.execute(uri: "/api/v1/approvals/tasks", method: .get, headers: pending)
            #expect(refused.status == .forbidden)
            #expect(refused.problemSlug == "mfa-setup-required")
        }
        #expect(routes.services.calls == [AuthRPC.Me.name])
    }

    @Test func aPublicRouteServesAnyoneAndStillRefusesABadCaller() async throws {
        let routes = RoutesUnderTest()
        let seen = Forwarded<ProductsRPC.List.Request>()
        routes.services.answer(ProductsRPC.List.self, status: 200, json: #"{"items":[],"page":1,"page_size":20,"total":0}"#) {
            seen.record($0, $1)
        }
        try await routes.test { client in
            let anonymous = try await client.execute(uri: "/api/v1/products?type=home", method: .get)
            #expect(anonymous.status == .ok)
            #expect(anonymous.headers[.xTotalCount] == "0")
            let staff = Principal.signedIn(as: .admin)
            #expect(try await client.execute(uri: "/api/v1/products", method: .get, headers: staff.testHeaders()).status == .ok)
        }
        #expect(seen.all.map(\.caller?.role) == [nil, .admin])
        #expect(seen.all.first?.request.type == .home)
    }
}

@Suite struct LoanControllerTests {
    @Test func aLoanIsReadOnBehalfOfTheCallerAndItsAnswerPassesThrough() async throws {
        let routes = RoutesUnderTest()
        let seen = Forwarded<LoanAccountsRPC.Get.Request>()
        routes.services.answer(LoanAccountsRPC.Get.self, status: 404, json: #"{"type":"about:blank","title":"Not found","status":404}"#) {
            seen.record($0, $1)
        }
        let client = Principal.signedIn(as: .client)
        let loanID = UUID()
        try await routes.test { http in
            let response = try await http.execute(uri: "/api/v1/loans/\(loanID.uuidString)", method: .get, headers: client.testHeaders())
            #expect(response.status == .notFound)
            #expect(response.json?["title"] == .string("Not found"))
            // A malformed id names no loan: no service is asked.
            #expect(try await http.execute(uri: "/api/v1/loans/not-an-id", method: .get, headers: client.testHeaders()).status == .notFound)
        }
        #expect(seen.all.count == 1)
        #expect(seen.last?.request.id == loanID && seen.last?.caller?.userID == client.userID)
    }

    @Test func aPaymentCarriesTheLoanFromThePathAndTheBody() async throws {
        let routes = RoutesUnderTest()
        let seen = Forwarded<LoanAccountsRPC.Pay.Request>()
        routes.services.answer(LoanAccountsRPC.Pay.self, status: 201, json: "{}") { seen.record($0, $1) }
        let loanID = UUID()
        try await routes.test { http in
            let response = try await http.execute(
                uri: "/api/v1/loans/\(loanID.uuidString)/payments", method: .post,
                headers: Principal.signedIn(as: .client).testHeaders([.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"amount": "250.00", "reference": "june"}"#))
            #expect(response.status == .created)
            let badAmount = try await http.execute(
                uri: "/api/v1/loans/\(loanID.uuidString)/payments", method: .post,
                headers: Principal.signedIn(as: .client).testHeaders([.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"amount": 250.5, "reference": "june"}"#))
            #expect(badAmount.status == .unprocessableContent)
        }
        #expect(seen.all.count == 1, "a body that does not decode reaches no service")
        #expect(seen.last?.request.loanID == loanID && seen.last?.request.amount == Money("250.00"))
    }

    @Test func theLedgerTakesItsFiltersFromTheQuery() async throws {
        let routes = RoutesUnderTest()
        let seen = Forwarded<LoanAccountsRPC.Ledger.Request>()
        routes.services.answer(LoanAccountsRPC.Ledger.self, status: 200, json: #"{"items":[],"page":2,"page_size":5,"total":7}"#) {
            seen.record($0, $1)
        }
        let loanID = UUID()
        try await routes.test { http in
            let response = try await http.execute(
                uri: "/api/v1/payments?loan_id=\(loanID.uuidString)&from=2026-01-01&page=2&page_size=5", method: .get,
                headers: Principal.signedIn(as: .admin).testHeaders())
            #expect(response.status == .ok)
            #expect(response.headers[.xPage] == "2" && response.headers[.xTotalCount] == "7")
            let bad = try await http.execute(
                uri: "/api/v1/payments?from=yesterday", method: .get, headers: Principal.signedIn(as: .admin).testHeaders())
            #expect(bad.status == .unprocessableContent)
        }
        #expect(seen.last?.request.loanID == loanID)
        #expect(seen.last?.request.from == CalendarDate("2026-01-01"))
        #expect(seen.last?.request.page == PageRequest(page: 2, pageSize: 5))
    }
}

@Suite struct ApplicationControllerTests {
    @Test func aSubmissionIsForwardedWithTheCallerAndAnswered202() async throws {
        let routes = RoutesUnderTest()
        let seen = Forwarded<ApplicationsRPC.Submit.Request>()
        routes.services.answer(ApplicationsRPC.Submit.self, status: 202, json: #"{"id":"a"}"#) { seen.record($0, $1) }
        let client = Principal.signedIn(as: .client)
        let product = UUID()
        try await routes.test { http in
            let response = try await http.execute(
                uri: "/api/v1/applications", method: .post, headers: client.testHeaders([.contentType: "application/json"]),
                body: ByteBuffer(string: #"{"product_id":"\#(product.uuidString)","amount":"12000.00","term_months":24,"purpose":"car"}"#))
            #expect(response.status == .accepted)
        }
        #expect(seen.last?.request.productID == product && seen.last?.request.termMonths == 24)
        #expect(seen.last?.caller?.userID == client.userID)
    }

    @Test func aStaffListIsJoinedWithRiskScoresAndAClientsIsNot() async throws {
        let routes = RoutesUnderTest()
        let application = UUID()
        routes.services.answer(
            ApplicationsRPC.List.self, status: 200,
            json: #"{"items":[{"id":"\#(application.uuidString.lowercased())"}],"page":1,"page_size":20,"total":1}"#)
        routes.services.answer(
            ApprovalsRPC.RiskScores.self, status: 200,
            json: #"{"items":[{"application_id":"\#(application.uuidString.lowercased())","risk_score":"0.21"}]}"#)
        try await routes.test { http in
            let staff = try await http.execute(
                uri: "/api/v1/applications", method: .get, headers: Principal.signedIn(as: .analyst).testHeaders())
            guard case .array(let items)? = staff.json?["items"] else { Issue.record("no items: \(staff.status)"); return }
            #expect(items.first?["risk_score"] == .string("0.21"))
            let client = try await http.execute(
                uri: "/api/v1/applications", method: .get, headers: Principal.signedIn(as: .client).testHeaders())
            guard case .array(let own)? = client.json?["items"] else { Issue.record("no items"); return }
            #expect(own.first?["risk_score"] == nil)
        }
        #expect(routes.services.calls.filter { $0 == ApprovalsRPC.RiskScores.name }.count == 1)
    }
}

@Suite struct TicketControllerTests {
    @Test func anUpdateSendsTheVersionFromIfMatch() async throws {
        let routes = RoutesUnderTest()
        let seen = Forwarded<TicketsRPC.Update.Request>()
        routes.services.answer(TicketsRPC.Update.self, status: 200, json: #"{"id":"t","version":4}"#) { seen.record($0, $1) }
        let ticket = UUID()
        try await routes.test { http in
            let response = try await http.execute(
                uri: "/api/v1/tickets/\(ticket.uuidString)", method: .patch,
                headers: Principal.signedIn(as: .admin).testHeaders([.contentType: "application/json", .ifMatch: #""3""#]),
                body: ByteBuffer(string: #"{"status":"resolved"}"#))
            #expect(response.status == .ok)
            #expect(response.headers[.eTag] == #""4""#)
            let badETag = try await http.execute(
                uri: "/api/v1/tickets/\(ticket.uuidString)", method: .patch,
                headers: Principal.signedIn(as: .admin).testHeaders([.contentType: "application/json", .ifMatch: "soon"]),
                body: ByteBuffer(string: #"{"status":"resolved"}"#))
            #expect(badETag.status == .badRequest)
        }
        #expect(seen.all.count == 1)
        #expect(seen.last?.request.id == ticket && seen.last?.request.expectedVersion == 3 && seen.last?.request.status == .resolved)
    }
}

@Suite struct AnalyticsControllerTests {
    @Test func aReportIsAFileOfFiguresWhenACSVIsWanted() async throws {
        let routes = RoutesUnderTest()
        let seen = Forwarded<AnalyticsRPC.Window>()
        routes.services.answer(AnalyticsRPC.Portfolio.self, status: 200, json: #"{"total":3,"by_status":{"approved":2}}"#) {
            seen.record($0, $1)
        }
        try await routes.test { http in
            let response = try await http.execute(
                uri: "/api/v1/reports/portfolio?from=2026-01-01&to=2026-01-31", method: .get,
                headers: Principal.signedIn(as: .admin).testHeaders([.accept: "text/csv"]))
            #expect(response.status == .ok)
            #expect(response.headers[.contentDisposition]?.contains("portfolio.csv") == true)
            #expect(String(buffer: response.body).contains("by_status.approved,2"))
        }
        #expect(seen.last?.request.from == CalendarDate("2026-01-01") && seen.last?.request.to == CalendarDate("2026-01-31"))
    }
}

@Suite struct UserControllerTests {
    @Test func aUserListTakesItsFiltersAndAnUnknownRoleIsRefusedHere() async throws {
        let routes = RoutesUnderTest()
        let seen = Forwarded<UsersRPC.List.Request>()
        routes.services.answer(UsersRPC.List.self, status: 200, json: #"{"items":[],"page":1,"page_size":20,"total":0}"#) {
            seen.record($0, $1)
        }
        try await routes.test { http in
            let admin = Principal.signedIn(as: .admin).testHeaders()
            #expect(try await http.execute(uri: "/api/v1/users?role=manager&q=ada", method: .get, headers: admin).status == .ok)
            let unknown = try await http.execute(uri: "/api/v1/users?role=wizard", method: .get, headers: admin)
            #expect(unknown.status == .unprocessableContent)
        }
        #expect(seen.all.count == 1)
        #expect(seen.last?.request.role == .manager && seen.last?.request.q == "ada")
    }
}
