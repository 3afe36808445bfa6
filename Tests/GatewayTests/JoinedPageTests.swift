import Contracts
import Foundation
import ServiceKit
import Testing

@testable import Gateway

/// A list page with other services' facts added: the service's own fields and numbers pass
/// through, and each batch asks about each id once.
@Suite struct JoinedPageTests {
    let first = UUID()
    let second = UUID()

    func page(_ items: String) -> RPCResult {
        RPCResult(status: 200, body: Array(#"{"items": [\#(items)], "page": 2, "page_size": 3, "total": 7}"#.utf8))
    }

    @Test func idsAreDistinctInPageOrder() throws {
        let joined = try #require(
            JoinedPage(
                page(
                    #"{"application_id": "\#(second)"}, {"application_id": "\#(first)"}, {"application_id": "\#(second)"}, {"other": 1}"#)))
        #expect(joined.ids("application_id") == [second, first])
        #expect(joined.ids("assignee_id").isEmpty)
    }

    @Test func addedFieldsSitBesideTheItemsOwn() throws {
        var joined = try #require(JoinedPage(page(#"{"id": "\#(first)", "status": "open", "level": 2}, {"id": "\#(second)"}"#)))
        try joined.add { item in ApplicationListView.StaffFields(riskScore: JoinedPage.id(item, "id") == first ? "0.4213" : nil) }
        let result = try joined.result()
        #expect(result.status == 200)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.body)) as? [String: Any])
        #expect(json["page"] as? Int == 2 && json["page_size"] as? Int == 3 && json["total"] as? Int == 7)
        let items = try #require(json["items"] as? [[String: Any]])
        #expect(items[0]["status"] as? String == "open" && items[0]["level"] as? Int == 2)
        #expect(items[0]["risk_score"] as? String == "0.4213")
        #expect(items[1]["risk_score"] is NSNull)
    }

    @Test func onlyAPageOfObjectsIsJoined() {
        #expect(JoinedPage(RPCResult(status: 403, body: Array(#"{"status": 403}"#.utf8))) == nil)
        #expect(JoinedPage(RPCResult(status: 200, body: Array(#"{"id": "x"}"#.utf8))) == nil)
        #expect(JoinedPage(page(#""not an object""#)) == nil)
    }
}
