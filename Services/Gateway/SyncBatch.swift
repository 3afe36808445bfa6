import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit
import Synchronization

/// `POST /sync/batch`: an offline client's queue of writes, replayed in order through this
/// gateway's own routes, each as if sent alone (the same authentication, defences and rules) with
/// `Idempotency-Key: op_id`. A replayed `op_id` gets its first result back, whatever the route.
struct SyncBatch: Sendable {
    static let largestBatch = 50

    struct Operation: Codable, Sendable {
        let opID: String
        let method: String
        let path: String
        let body: JSONValue?
        let ifMatch: String?
    }

    struct Body: Codable, Sendable {
        let operations: [Operation]
    }

    struct Result: Codable, Sendable {
        enum Status: String, Codable, Sendable {
            case synced, conflict, failed
        }

        let opID: String
        let status: Status
        let httpStatus: Int
        let body: JSONValue
    }

    struct Reply: Codable, Sendable {
        let results: [Result]
    }

    static let methods: Set<String> = ["POST", "PUT", "PATCH", "DELETE"]

    let routes: RouteDispatcher
    let idempotency: Idempotency
    let stats: SyncStats

    /// Why the batch cannot be replayed at all; each operation's own failures are its result.
    static func problems(_ body: Body) -> [Problem.FieldError] {
        guard (1...largestBatch).contains(body.operations.count) else {
            return [.init(field: "operations", message: "must hold 1 to \(largestBatch) operations")]
        }
        var problems: [Problem.FieldError] = []
        for (index, operation) in body.operations.enumerated() {
            let field = "operations[\(index)]"
            if !(1...100).contains(operation.opID.count) {
                problems.append(.init(field: "\(field).op_id", message: "must be 1 to 100 characters"))
            }
            if !methods.contains(operation.method) {
                problems.append(.init(field: "\(field).method", message: "must be POST, PUT, PATCH or DELETE"))
            }
            if !isReplayable(operation.path) {
                problems.append(.init(field: "\(field).path", message: "must be a path below /api/v1 such as /applications, outside /sync"))
            }
            if let body = operation.body, case .object = body {
            } else if operation.body != nil && operation.body != .null {
                problems.append(.init(field: "\(field).body", message: "must be a JSON object"))
            }
        }
        return problems
    }

    static func isReplayable(_ path: String) -> Bool {
        path.hasPrefix("/") && path.count <= 500 && !path.hasPrefix("/sync") && !path.contains("..") && !path.contains("//")
            && !path.contains("#") && !path.unicodeScalars.contains { $0.properties.generalCategory == .control || $0 == " " }
    }

    func replay(_ body: Body, for request: Request, caller: UUID, context: SignedIn) async throws -> Reply {
        var results: [Result] = []
        for operation in body.operations {
            let canonical = Data(try JSON.encode(operation))
            let result: RPCResult
            do {
                result = try await idempotency.once(key: operation.opID, scope: "sync:user:\(caller)", body: canonical) { _ in
                    try await routes.respond(to: operation, from: request, context: context)
                }.result
            } catch let problem as Problem {
                // The op_id reused for another write, or still in flight in another batch.
                result = RPCResult(status: problem.status, body: try JSON.encode(problem))
            }
            let status: Result.Status =
                switch result.status {
                case 200..<300: .synced
                case 412: .conflict
                default: .failed
                }
            let answer = result.body.isEmpty ? JSONValue.null : (try? JSONValue(parsing: result.body)) ?? .null
            results.append(Result(opID: operation.opID, status: status, httpStatus: result.status, body: answer))
        }
        await stats.record(zip(results, body.operations).map { ($0.status, SyncStats.entity(of: $1.path)) })
        return Reply(results: results)
    }
}

/// Runs a request through the gateway's own router, for the sync batch. Installed once the
/// router has every route.
final class RouteDispatcher: Sendable {
    private let responder = Mutex<RouterResponder<GatewayContext>?>(nil)

    func install(_ responder: RouterResponder<GatewayContext>) {
        self.responder.withLock { $0 = responder }
    }

    func respond(to operation: SyncBatch.Operation, from outer: Request, context: SignedIn) async throws -> RPCResult {
        guard let responder = responder.withLock({ $0 }) else { throw Problem.unavailable("The gateway is starting.") }
        var head = HTTPRequest(
            method: .init(operation.method) ?? .post, scheme: "http", authority: outer.head.authority, path: "/api/v1" + operation.path)
        head.headerFields[.authorization] = outer.headers[.authorization]
        head.headerFields[.xForwardedFor] = outer.headers[.xForwardedFor]
        head.headerFields[.idempotencyKey] = operation.opID
        head.headerFields[.ifMatch] = operation.ifMatch
        var bytes = ByteBuffer()
        if let body = operation.body, body != .null {
            head.headerFields[.contentType] = "application/json"
            bytes = ByteBuffer(bytes: try JSON.encode(body))
        }
        let inner = Request(head: head, body: .init(buffer: bytes))
        let response = try await responder.respond(
            to: inner, context: GatewayContext(source: .init(channel: context.channel, logger: context.logger)))
        let collected = CollectedBody()
        try await response.body.write(collected.writer)
        return RPCResult(
            status: Int(response.status.code), body: collected.bytes, retryAfter: response.headers[.retryAfter].flatMap { Int($0) })
    }
}

/// The bytes a response body writes.
private final class CollectedBody: Sendable {
    private let buffer = Mutex(ByteBuffer())
    var bytes: [UInt8] { buffer.withLock { Array($0.readableBytesView) } }

    var writer: Writer { Writer(target: self) }

    struct Writer: ResponseBodyWriter {
        let target: CollectedBody

        mutating func write(_ buffer: ByteBuffer) async throws {
            var buffer = buffer
            target.buffer.withLock { $0.writeBuffer(&buffer) }
        }

        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
