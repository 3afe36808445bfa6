import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// Turns a route into an RPC to the owning service and its reply into the HTTP response, body
/// passed through unchanged. The services are one method (`ServiceCalling`): the bus in the
/// gateway, answers in memory in the routes' tests.
struct Forwarder: Sendable {
    let services: any ServiceCalling
    let timeout: Duration

    func call<Operation: ServiceOperation>(
        _ operation: Operation.Type, _ request: Operation.Request, context: some CallerContext, idempotencyKey: String? = nil
    ) async throws -> RPCResult {
        try await services.call(
            operation, request, principal: context.principal, requestID: context.requestID, clientIP: context.clientIP,
            idempotencyKey: idempotencyKey, timeout: timeout)
    }

    func forward<Operation: ServiceOperation>(
        _ operation: Operation.Type, _ request: Operation.Request, context: some CallerContext
    ) async throws -> Response {
        HTTPReply.response(try await call(operation, request, context: context))
    }

    /// An editable resource: its `version` also goes into `ETag`, for `If-Match` on the next write.
    func forwardResource<Operation: ServiceOperation>(
        _ operation: Operation.Type, _ request: Operation.Request, context: some CallerContext
    ) async throws -> Response {
        let result = try await call(operation, request, context: context)
        var response = HTTPReply.response(result)
        if result.status < 300, let resource = try? JSON.decode(Versioned.self, from: result.body) {
            response.headers[.eTag] = "\"\(resource.version)\""
        }
        return response
    }

    /// What `operation` knows about `ids`, asked in one call, keyed by `key` (nothing asked, and
    /// nothing known, without ids): the facts a staff list joins from another service.
    func lookUp<Operation: ServiceOperation, Item: Codable & Sendable>(
        _ operation: Operation.Type, _ ids: [UUID], key: KeyPath<Item, UUID>, context: some CallerContext
    ) async throws -> [UUID: Item] where Operation.Request == IDBatch, Operation.Response == BatchAnswer<Item> {
        guard !ids.isEmpty else { return [:] }
        let answer = try await call(operation, IDBatch(ids: ids), context: context)
        return Dictionary(try answer.decode(Operation.Response.self).items.map { ($0[keyPath: key], $0) }) { first, _ in first }
    }

    /// A list: the page's numbers also go into `X-Total-Count`, `X-Page` and `X-Page-Size`.
    func forwardList<Operation: ServiceOperation>(
        _ operation: Operation.Type, _ request: Operation.Request, context: some CallerContext
    ) async throws -> Response {
        Self.list(try await call(operation, request, context: context))
    }

    /// The response of a list page, with its numbers in the headers.
    static func list(_ result: RPCResult) -> Response {
        var response = HTTPReply.response(result)
        if result.status == 200, let numbers = try? JSON.decode(PageNumbers.self, from: result.body) {
            response.headers[.xTotalCount] = String(numbers.total)
            response.headers[.xPage] = String(numbers.page)
            response.headers[.xPageSize] = String(numbers.pageSize)
        }
        return response
    }
}

/// The numbers of a `Page`, read without decoding its items.
private struct PageNumbers: Decodable {
    let page: Int
    let pageSize: Int
    let total: Int
}

private struct Versioned: Decodable {
    let version: Int
}
