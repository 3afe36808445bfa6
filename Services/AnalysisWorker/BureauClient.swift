import AsyncHTTPClient
import Foundation
import Logging
import Messaging
import Metrics
import NIOCore
import ServiceKit

/// Asks the external credit bureau for a customer's score: `GET {base}/scores/{customer_id}`,
/// answered `{"score": 712}` (300–900) or `404` when the bureau has no file on the customer.
///
/// An analysis never fails because of the bureau: each attempt has a deadline, timeouts,
/// connection errors and `5xx` are retried with jittered exponential backoff, and a circuit
/// breaker stops asking a bureau that keeps failing. Whatever goes wrong ends as "no score".
struct BureauClient: Sendable {
    struct Settings: Sendable {
        var baseURL: String
        /// For one attempt, connecting included.
        var timeout: Duration = .milliseconds(800)
        /// Attempts after the first one.
        var retries = 2
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(2))
    }

    /// How one lookup ended; its name is the `outcome` of `bureau_requests_total`.
    enum Lookup: Sendable, Equatable {
        case score(Int)
        case notFound
        /// Gave up: the bureau did not answer in time, failed, or answered something unusable.
        case failed
        /// The breaker was open: the bureau was not asked.
        case shortCircuited

        var score: Int? {
            if case .score(let score) = self { score } else { nil }
        }

        var outcome: String {
            switch self {
            case .score: "ok"
            case .notFound: "not_found"
            case .failed: "failed"
            case .shortCircuited: "short_circuited"
            }
        }
    }

    static let scores = 300...900

    let settings: Settings
    let breaker: CircuitBreaker
    let http: HTTPClient
    let logger: Logger

    init(_ settings: Settings, breaker: CircuitBreaker, http: HTTPClient = .shared, logger: Logger) {
        var settings = settings
        while settings.baseURL.hasSuffix("/") { settings.baseURL.removeLast() }
        self.settings = settings
        self.breaker = breaker
        self.http = http
        self.logger = logger
    }

    private static let requests = MetricHandles(counters: "bureau_requests_total", dimensions: ["outcome"])

    func lookup(_ customerID: UUID) async -> Lookup {
        let lookup = await attempts(customerID)
        Self.requests(lookup.outcome).increment()
        return lookup
    }

    private func attempts(_ customerID: UUID) async -> Lookup {
        var attempt = 0
        while true {
            // Refused at the first attempt, the bureau was not asked; refused on a retry, it was asked and failed.
            guard breaker.permit() else { return attempt == 0 ? .shortCircuited : .failed }
            do {
                let answer = try await withDeadline(settings.timeout) { try await self.ask(customerID) }
                breaker.recordSuccess()
                return answer
            } catch {
                breaker.recordFailure()
                guard Self.isWorthRetrying(error), attempt < settings.retries, !Task.isCancelled else {
                    logger.warning(
                        "bureau lookup failed, analysing without a bureau score",
                        metadata: ["customer_id": "\(customerID)", "attempts": "\(attempt + 1)", "error": "\(error)"])
                    return .failed
                }
                try? await Task.sleep(for: settings.backoff.delay(attempt: attempt))
                attempt += 1
            }
        }
    }

    private func ask(_ customerID: UUID) async throws -> Lookup {
        var request = HTTPClientRequest(url: "\(settings.baseURL)/scores/\(customerID.uuidString.lowercased())")
        request.headers.add(name: "accept", value: "application/json")
        // `withDeadline` bounds the whole attempt, reading the body included.
        let response = try await http.execute(request, deadline: .distantFuture)
        // Read whatever the status, so the connection can serve the next lookup.
        let body = try await response.body.collect(upTo: 16 * 1024)
        switch response.status.code {
        case 200:
            guard let file = try? JSONDecoder().decode(ScoreFile.self, from: body), Self.scores.contains(file.score) else {
                throw BureauError.unusableAnswer
            }
            return .score(file.score)
        case 404:
            return .notFound
        case 500...:
            throw BureauError.serverError(status: Int(response.status.code))
        default:
            throw BureauError.refused(status: Int(response.status.code))
        }
    }

    /// Timeouts, connection errors and server errors may pass; a refusal or a bad answer would
    /// only come again.
    private static func isWorthRetrying(_ error: any Error) -> Bool {
        switch error {
        case BureauError.refused, BureauError.unusableAnswer, is CancellationError: false
        default: true
        }
    }

    /// `bureau_breaker_state` (0 closed, 1 half-open, 2 open), `bureau_breaker_transitions_total{state}`
    /// (a gauge scraped every few seconds misses a breaker that flaps) and a log line.
    static func reportTransitions(to logger: Logger) -> @Sendable (CircuitBreaker.State) -> Void {
        let gauge = Gauge(label: "bureau_breaker_state")
        let transitions = MetricHandles(counters: "bureau_breaker_transitions_total", dimensions: ["state"])
        return { state in
            let level: Double =
                switch state {
                case .closed: 0
                case .halfOpen: 1
                case .open: 2
                }
            gauge.record(level)
            transitions(state.rawValue).increment()
            logger.log(level: state == .open ? .warning : .info, "bureau circuit breaker \(state.rawValue)")
        }
    }
}

private struct ScoreFile: Decodable {
    let score: Int
}

enum BureauError: Error {
    case serverError(status: Int)
    case refused(status: Int)
    case unusableAnswer
}
