import Foundation
import OpenAPIKit
import Testing

@testable import Gateway

/// The route table, the router's routes and the document's operations are one set, and each
/// route's status and content types are the document's.
@Suite struct RouteCoverageTests {
    let document: ContractDocument

    init() throws {
        document = try ContractDocument.shared.get()
    }

    @Test func everyOperationHasARowAndEveryRowAnOperation() {
        let rows = Set(RouteTable.all.map(\.description))
        #expect(RouteTable.all.count == rows.count, "a route is in the table twice")
        for operation in Set(document.operations.keys).subtracting(rows).sorted() {
            Issue.record("\(operation) is in openapi.json but not in RouteTable")
        }
        for row in rows.subtracting(document.operations.keys).sorted() {
            Issue.record("\(row) is in RouteTable but not in openapi.json")
        }
    }

    @Test func theRouterServesExactlyTheTablesRoutes() throws {
        let served = try ServedRoutes.keys()
        let rows = Set(RouteTable.all.map { RouteKey.unnamed(method: $0.method.rawValue, path: $0.path) })
        for route in served.subtracting(rows).sorted() { Issue.record("the router serves \(route), which RouteTable does not name") }
        for row in rows.subtracting(served).sorted() { Issue.record("RouteTable names \(row), which the router does not serve") }
    }

    @Test(arguments: RouteTable.all)
    func statusAndContentTypesAreTheDocuments(_ route: DocumentedRoute) throws {
        let operation = try #require(document.operations[route.description], "\(route) is not in openapi.json")
        let requestTypes = Set(operation.request.keys)
        #expect(requestTypes == Self.contentTypes(route.request), "\(route): the request's content types")
        let response = try #require(operation.responses[route.status], "\(route): openapi.json has no \(route.status) response")
        #expect(Set(response.keys) == Self.contentTypes(route.response), "\(route): the \(route.status) response's content types")
        let otherSuccesses = operation.responses.keys.filter { (200..<300).contains($0) && $0 != route.status }
        #expect(otherSuccesses.isEmpty, "\(route): openapi.json documents other successes \(otherSuccesses.sorted())")
    }

    private static func contentTypes(_ body: RouteBody?) -> Set<String> {
        guard let body else { return [] }
        return Set(body.otherContentTypes + (body.json == nil ? [] : ["application/json"]))
    }
}
