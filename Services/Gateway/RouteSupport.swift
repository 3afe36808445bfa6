import Contracts
import Foundation
import Hummingbird
import ServiceKit

/// What every route needs: forwarding, body decoding, idempotency and the sign-in budgets.
struct RouteSupport: Sendable {
    let forwarder: Forwarder
    let body: RequestBody
    let admission: Admission
    let limits: GatewaySettings.RateLimits
    let idempotency: Idempotency

    /// Sign-in and code attempts spend from two small budgets: the address's and the account's,
    /// so neither one address nor many addresses can hammer one account.
    func signInAttempt(email: String, _ context: some CallerContext) async throws {
        let account = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        try await admission.spend([
            .init(key: "sign-in:ip:\(context.clientIP)", limit: limits.signInPerAddress, what: "sign-in attempts from your address"),
            .init(key: "sign-in:account:\(account)", limit: limits.signInPerAccount, what: "sign-in attempts for this account"),
        ])
    }

    /// The `:id` of the path; a malformed one names nothing, so it is not found.
    static func pathID(_ context: some RequestContext, _ what: String) throws -> UUID {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw Problem.notFound("No such \(what).") }
        return id
    }

    /// A list: JSON one page at a time, or with `Accept: text/csv` every page at once. `build`
    /// makes the operation's request, filters included, for a page. `join` adds other services'
    /// facts to each page (a CSV has a column for each, empty where nothing was joined).
    func list<Operation: ServiceOperation>(
        _ operation: Operation.Type, _ request: Request, _ context: some CallerContext, csv: CSVExport,
        join: @escaping @Sendable (RPCResult) async throws -> RPCResult = { $0 },
        build: @escaping @Sendable (PageRequest) -> Operation.Request
    ) async throws -> Response {
        guard CSVExport.isWanted(request) else {
            let page = try await forwarder.call(operation, build(try Query(request: request).page()), context: context)
            return Forwarder.list(try await join(page))
        }
        return try await csv.response { [forwarder] page in
            try await join(forwarder.call(operation, build(PageRequest(page: page, pageSize: PageRequest.maximumSize)), context: context))
        }
    }

    /// A creating POST whose body is the operation's request.
    func create<Operation: ServiceOperation>(
        _ operation: Operation.Type, _ request: Request, _ context: some CallerContext
    ) async throws -> Response where Operation.Request: Encodable {
        try await create(operation, request, context, body: Operation.Request.self) { $0 }
    }

    /// A creating POST: honours `Idempotency-Key`, scoped to the caller and the route. `build`
    /// completes the body into the operation's request (with ids from the path, say).
    func create<Operation: ServiceOperation, Body: Codable & Sendable>(
        _ operation: Operation.Type, _ request: Request, _ context: some CallerContext, body type: Body.Type,
        build: @Sendable (Body) -> Operation.Request
    ) async throws -> Response {
        try await once(request, context, body: type) { value, serviceKey in
            try await forwarder.call(operation, build(value), context: context, idempotencyKey: serviceKey)
        }
    }

    /// A POST that honours `Idempotency-Key`, scoped to the caller and the route: `perform` gets
    /// the decoded body and the key to hand every service it calls.
    func once<Body: Codable & Sendable>(
        _ request: Request, _ context: some CallerContext, body type: Body.Type,
        perform: (Body, _ serviceKey: String?) async throws -> RPCResult
    ) async throws -> Response {
        let value = try await body.json(type, from: request)
        let caller = context.principal.map { "user:\($0.userID)" } ?? "ip:\(context.clientIP)"
        // The body as decoded, re-encoded with sorted keys: the same body in another key order or
        // spacing is the same request.
        let canonical = Data(try JSON.encode(value))
        return try await idempotency.run(
            key: request.headers[.idempotencyKey], scope: "\(caller):\(request.uri.path)", body: canonical
        ) { serviceKey in
            try await perform(value, serviceKey)
        }
    }
}

/// Typed query parameters; a value that does not parse is a 422 naming the parameter.
struct Query {
    let request: Request
    private let parameters: [Substring: String]

    init(request: Request) {
        self.request = request
        self.parameters = Self.formDecoded(request.uri.query ?? "")
    }

    /// The query as HTML forms encode it: `+` is a space (`q=Ada+Lovelace`), then percent escapes
    /// (`%2B` is a plus). The first of repeated names counts.
    static func formDecoded(_ query: String) -> [Substring: String] {
        var parameters: [Substring: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (part: Substring) in
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let name = decode(parts[0])
            guard parameters[name[...]] == nil else { continue }
            parameters[name[...]] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return parameters
    }

    /// The parameter's text; one holding a NUL character (no filter's value does) is a 422.
    func string(_ name: String) throws -> String? {
        guard let text = parameters[name[...]], !text.isEmpty else { return nil }
        guard !text.contains("\u{0}") else { throw Problem.validation(field: name, "must not contain NUL characters") }
        return text
    }

    func int(_ name: String) throws -> Int? {
        guard let text = try string(name) else { return nil }
        guard let value = Int(text) else { throw Problem.validation(field: name, "must be a whole number") }
        return value
    }

    func value<Value: RawRepresentable>(_ name: String, as type: Value.Type) throws -> Value? where Value.RawValue == String {
        guard let text = try string(name) else { return nil }
        guard let value = Value(rawValue: text) else { throw Problem.validation(field: name, "is not a known value") }
        return value
    }

    func money(_ name: String) throws -> Money? {
        guard let text = try string(name) else { return nil }
        guard let value = Money(text) else { throw Problem.validation(field: name, "must be an amount such as 25000.00") }
        return value
    }

    func date(_ name: String) throws -> CalendarDate? {
        guard let text = try string(name) else { return nil }
        guard let value = CalendarDate(text) else { throw Problem.validation(field: name, "must be a date such as 2026-01-31") }
        return value
    }

    func uuid(_ name: String) throws -> UUID? {
        guard let text = try string(name) else { return nil }
        guard let value = UUID(uuidString: text) else { throw Problem.validation(field: name, "must be an id") }
        return value
    }

    func bool(_ name: String) throws -> Bool? {
        guard let text = try string(name) else { return nil }
        guard let value = Bool(text) else { throw Problem.validation(field: name, "must be true or false") }
        return value
    }

    func page() throws -> PageRequest {
        let page = PageRequest(page: try int("page") ?? 1, pageSize: try int("page_size") ?? PageRequest.defaultSize)
        let problems = page.problems
        guard problems.isEmpty else { throw Problem.validation(problems) }
        return page
    }

    /// The version in `If-Match` (`"3"`, `W/"3"` or `3`), if sent.
    func expectedVersion() throws -> Int? {
        guard let header = request.headers[.ifMatch] else { return nil }
        let digits = header.replacingOccurrences(of: "W/", with: "").trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        guard let version = Int(digits) else {
            throw Problem.badRequest("If-Match must be an ETag this API gave out, such as \"3\".", slug: "bad-if-match")
        }
        return version
    }
}
