/// An RFC 9457 problem: the one error shape of the platform, on the public API and in RPC replies.
public struct Problem: Error, Codable, Sendable, Equatable {
    public struct FieldError: Codable, Sendable, Equatable {
        public var field: String
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?
    public var errors: [FieldError]?
    /// With a `412`: the resource as it now is, so a client can show both versions and decide.
    public var current: JSONValue?
    /// Seconds a client should wait before trying again (sent as `Retry-After`, not in the body).
    public var retryAfter: Int?

    /// - Parameters:
    ///   - status: the HTTP status the gateway answers with.
    ///   - slug: names the kind of problem: `type` becomes `/problems/<slug>`, which clients test
    ///     for (`about:blank` when nil).
    ///   - title: the same for every problem of the kind.
    ///   - detail: what happened this time, in words a client can show.
    ///   - errors: the invalid fields, by the names clients use.
    ///   - retryAfter: seconds before a retry may succeed, sent as `Retry-After`.
    public init(
        status: Int, slug: String? = nil, title: String, detail: String? = nil, errors: [FieldError]? = nil,
        retryAfter: Int? = nil
    ) {
        self.type = slug.map { "/problems/\($0)" } ?? "about:blank"
        self.title = title
        self.status = status
        self.detail = detail
        self.errors = errors
        self.retryAfter = retryAfter
    }

    private enum CodingKeys: String, CodingKey {
        case type, title, status, detail, errors, current
    }

    public static func badRequest(_ detail: String, slug: String = "bad-request") -> Problem {
        Problem(status: 400, slug: slug, title: "Bad request", detail: detail)
    }

    public static func validation(_ errors: [FieldError], detail: String = "Some fields are invalid.") -> Problem {
        Problem(status: 422, slug: "validation", title: "Invalid request", detail: detail, errors: errors)
    }

    public static func validation(field: String, _ message: String) -> Problem {
        validation([FieldError(field: field, message: message)], detail: "\(field): \(message)")
    }

    public static func unauthorized(_ detail: String, slug: String = "unauthorized") -> Problem {
        Problem(status: 401, slug: slug, title: "Unauthorized", detail: detail)
    }

    public static func forbidden(_ detail: String, slug: String = "forbidden") -> Problem {
        Problem(status: 403, slug: slug, title: "Forbidden", detail: detail)
    }

    public static func notFound(_ detail: String) -> Problem {
        Problem(status: 404, slug: "not-found", title: "Not found", detail: detail)
    }

    public static func conflict(_ detail: String, slug: String = "conflict") -> Problem {
        Problem(status: 409, slug: slug, title: "Conflict", detail: detail)
    }

    /// A write with an `If-Match` version that is no longer current; `current` is the resource as
    /// it now is.
    ///
    /// - Parameters:
    ///   - what: the resource, as the detail names it (`"ticket"`).
    ///   - current: the resource as its `GET` shows it; left out if it does not encode.
    public static func staleVersion(_ what: String, current: some Encodable) -> Problem {
        var problem = Problem(
            status: 412, slug: "stale-version", title: "Precondition failed",
            detail: "The \(what) changed since you read it; read it again.")
        problem.current = try? JSONValue(encoding: current)
        return problem
    }

    public static func tooManyRequests(_ detail: String, retryAfter: Int) -> Problem {
        Problem(status: 429, slug: "too-many-requests", title: "Too many requests", detail: detail, retryAfter: retryAfter)
    }

    public static func unavailable(_ detail: String, retryAfter: Int = 1) -> Problem {
        Problem(status: 503, slug: "unavailable", title: "Service unavailable", detail: detail, retryAfter: retryAfter)
    }

    public static func timeout(_ detail: String) -> Problem {
        Problem(status: 504, slug: "timeout", title: "Gateway timeout", detail: detail)
    }

    public static let mfaSetupRequired = Problem(
        status: 403, slug: "mfa-setup-required", title: "MFA setup required",
        detail: "Staff accounts must turn on MFA first: POST /auth/mfa/setup, then /auth/mfa/confirm, then sign in again.")

    /// For failures that are ours, not the caller's. The detail stays in the logs.
    public static let internalError = Problem(
        status: 500, slug: "internal", title: "Internal error", detail: "Something went wrong on our side.")
}
