import Foundation
import TestSupport
import Testing

/// What staff lists show beyond ids, through the gateway: the task list names the assignee and
/// the application it decides, the application list carries the risk score, and staff can still
/// name the product of an application made under a product since withdrawn.
@Suite struct StaffListTests {
    let api: API
    let approvers: Approvers

    init() throws {
        api = try API()
        approvers = try Approvers()
    }

    @Test func aTaskNamesItsAssigneeAndTheApplicationItDecides() async throws {
        let analyst = try await approvers.member("analyst")
        let (id, client, detail) = try await approvers.pending(amount: "12345.60")
        _ = try await approvers.reassignOpenStage(of: id, to: analyst.id, seenBy: client)
        let product = try await api.get("/api/v1/products/\(try #require(detail["product_id"]))")

        let tasks = try await api.get("/api/v1/approvals/tasks?application_id=\(id)&status=open", token: analyst.token)
        #expect(tasks.status == 200, "\(tasks.text)")
        let task = try #require((tasks.json["items"] as? [[String: Any]])?.first, "\(tasks.text)")
        // The stage's own fields stay as they were.
        #expect(task["application_id"] as? String == id)
        #expect(task["assignee_id"] as? String == analyst.id)
        let assignee = try #require(task["assignee"] as? [String: Any], "\(tasks.text)")
        #expect(assignee["id"] as? String == analyst.id)
        #expect(assignee["full_name"] as? String == "Approver analyst")
        let application = try #require(task["application"] as? [String: Any], "\(tasks.text)")
        #expect(application["amount"] as? String == "12345.60")
        #expect(application["product_name"] as? String == product["name"])
        #expect(application["applicant_name"] as? String == CustomerTests.profile["full_name"] as? String)
        #expect(tasks.headers.first(name: "X-Total-Count") == "1")
    }

    @Test func staffListsCarryTheRiskScoreAndClientListsLeaveItOut() async throws {
        let (id, client, detail) = try await approvers.pending()
        let risk = try #require((detail.json["analysis"] as? [String: Any])?["risk_score"] as? String, "\(detail.text)")
        let customer = try #require(detail["customer_id"])
        let root = try await SuperAdmin.session.value.access

        let staffList = try await api.get("/api/v1/applications?customer_id=\(customer)", token: root)
        #expect(staffList.status == 200, "\(staffList.text)")
        let asStaff = try #require((staffList.json["items"] as? [[String: Any]])?.first { $0["id"] as? String == id }, "\(staffList.text)")
        #expect(asStaff["risk_score"] as? String == risk)
        #expect(asStaff["status"] as? String == "pending_approval")

        let ownList = try await api.get("/api/v1/applications", token: client)
        let asClient = try #require((ownList.json["items"] as? [[String: Any]])?.first { $0["id"] as? String == id }, "\(ownList.text)")
        #expect(asClient["risk_score"] == nil)
    }

    @Test func everyStaffRoleReadsAnInactiveProduct() async throws {
        let product = try await approvers.applications.product()
        let root = try await SuperAdmin.session.value.access
        #expect(try await api.patch("/api/v1/products/\(product)", ["active": false], token: root).status == 200)
        for role in ["analyst", "manager", "director", "admin"] {
            let staff = try await approvers.member(role)
            let read = try await api.get("/api/v1/products/\(product)", token: staff.token)
            #expect(read.status == 200, "\(role): \(read.text)")
            #expect(read.json["active"] as? Bool == false, "\(role)")
        }
        #expect(try await api.get("/api/v1/products/\(product)", token: root).status == 200)
        let client = try await approvers.accounts.login(try await approvers.accounts.activeClient()).access
        #expect(try await api.get("/api/v1/products/\(product)", token: client).status == 404)
        #expect(try await api.get("/api/v1/products/\(product)").status == 404)
    }
}
