import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import Messaging
import NIOCore
import ServiceKit
import Tracing

/// Responses the gateway writes itself or passes through from a service.
enum HTTPReply {
    static func json(status: Int, body: [UInt8], retryAfter: Int? = nil) -> Response {
        var headers = HTTPFields()
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        guard status != 204 else { return Response(status: .noContent, headers: headers) }
        headers[.contentType] = status >= 400 ? "application/problem+json" : "application/json"
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func response(_ result: RPCResult) -> Response {
        json(status: result.status, body: result.body, retryAfter: result.retryAfter)
    }

    static func problem(_ problem: Problem) -> Response {
        json(status: problem.status, body: (try? JSON.encode(problem)) ?? [], retryAfter: problem.retryAfter)
    }

    static func encoded(_ value: some Encodable, status: Int = 200) throws -> Response {
        json(status: status, body: try JSON.encode(value))
    }
}

/// Turns every error into an RFC 9457 problem. A `Problem` passes as it is; Hummingbird's own
/// errors (no such route, body too large) keep their status; anything else is a bug: logged with
/// its details and answered 500 without them.
struct ProblemMiddleware: RouterMiddleware {
    func handle(
        _ request: Request, context: GatewayContext, next: (Request, GatewayContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return HTTPReply.problem(problem)
        } catch let error as HTTPError {
            return HTTPReply.problem(Self.problem(for: error))
        } catch is NIOTooManyBytesError {
            return HTTPReply.problem(Self.tooLarge)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return HTTPReply.problem(.internalError)
        }
    }

    static let tooLarge = Problem(status: 413, slug: "too-large", title: "Body too large", detail: "The request body is too large.")

    static func problem(for error: HTTPError) -> Problem {
        switch error.status {
        case .notFound: .notFound("No such resource.")
        case .contentTooLarge: tooLarge
        case .methodNotAllowed: Problem(status: 405, slug: "method-not-allowed", title: "Method not allowed")
        default: Problem(status: error.status.code, title: error.status.reasonPhrase, detail: error.body)
        }
    }
}

/// Echoes the client's `X-Request-Id` (or makes one) on the response and in the logs.
struct RequestIDMiddleware: RouterMiddleware {
    func handle(
        _ request: Request, context: GatewayContext, next: (Request, GatewayContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        let offered = request.headers[.requestID].map { String($0.prefix(128)) }
        context.requestID = offered.flatMap { $0.isEmpty ? nil : $0 } ?? UUID.random().uuidString.lowercased()
        context.logger[metadataKey: "request_id"] = "\(context.requestID)"
        var response = try await next(request, context)
        response.headers[.requestID] = context.requestID
        return response
    }
}

/// Starts the request's trace, or continues the caller's (`traceparent`), for the whole request:
/// every RPC and message it causes carries it, and every log line on the way names it. The answer
/// says which trace it was (`traceparent`), for a client reporting a problem. With spans recorded
/// (`TraceSpans`), the request is the trace's server span, named after its route.
struct TraceMiddleware: RouterMiddleware {
    func handle(
        _ request: Request, context: GatewayContext, next: (Request, GatewayContext) async throws -> Response
    ) async throws -> Response {
        let incoming = request.headers[.traceparent].flatMap(TraceContext.init(traceparent:))
        return try await TraceSpans.withRequestSpan(request.method.rawValue, continuing: incoming) { trace, span in
            span?.attributes["http.request.method"] = request.method.rawValue
            do {
                var response = try await next(request, context)
                response.headers[.traceparent] = trace.traceparent
                span.map { Self.record(response.status.code, route: context.endpointPath, method: request.method, on: $0) }
                return response
            } catch {
                span.map {
                    Self.record(
                        (error as? any HTTPResponseError)?.status.code ?? 500, route: context.endpointPath, method: request.method, on: $0)
                }
                throw error
            }
        }
    }

    /// Names the span after the route's template, not its path: a path holds ids, and every
    /// request would be an operation of its own. Marks a server error.
    private static func record(_ status: Int, route: String?, method: HTTPRequest.Method, on span: any Span) {
        if let route { span.operationName = "\(method.rawValue) \(route)" }
        span.attributes["http.route"] = route
        span.attributes["http.response.status_code"] = status
        if status >= 500 { span.setStatus(SpanStatus(code: .error)) }
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
    static let traceparent = Self(TraceContext.header)!
}
