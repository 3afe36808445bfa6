import Contracts
import Crypto
import Foundation

/// What a webhook subscription matches, how a delivery is signed, and when it is tried again.
/// Pure, so each rule is unit-tested.
enum WebhookRules {
    /// Attempts before a delivery is given up as failed.
    static let maximumAttempts = 8

    /// AMQP topic semantics: words split on `.`, `*` is exactly one word, `#` zero or more.
    static func matches(_ pattern: String, _ routingKey: String) -> Bool {
        func match(_ pattern: ArraySlice<Substring>, _ key: ArraySlice<Substring>) -> Bool {
            guard let head = pattern.first else { return key.isEmpty }
            if head == "#" {
                return (0...key.count).contains { match(pattern.dropFirst(), key.dropFirst($0)) }
            }
            guard let word = key.first, head == "*" || head == word else { return false }
            return match(pattern.dropFirst(), key.dropFirst())
        }
        return match(
            ArraySlice(pattern.split(separator: ".", omittingEmptySubsequences: false)),
            ArraySlice(routingKey.split(separator: ".", omittingEmptySubsequences: false)))
    }

    /// `sha256=<hex>` of the body, keyed with the webhook's secret.
    static func signature(of body: [UInt8], secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// How long to wait after failed attempt number `attempt` (1 for the first): doubling from
    /// `base`, at most an hour.
    static func retryDelay(after attempt: Int, base: Duration) -> Duration {
        min(base * (1 << min(attempt - 1, 20)), .seconds(3600))
    }

    /// What is wrong with a subscription's events and secret; its URL is `WebhookTarget`'s to judge.
    static func problems(_ request: WebhooksRPC.Create.Request) -> [Problem.FieldError] {
        var problems: [Problem.FieldError] = []
        let wellFormed = request.events.allSatisfy { event in
            !event.isEmpty && event.count <= 200 && event.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty }
        }
        if request.events.isEmpty || request.events.count > 50 || !wellFormed {
            problems.append(.init(field: "events", message: "must list 1 to 50 event routing keys or patterns"))
        }
        if !(16...256).contains(request.secret.count) {
            problems.append(.init(field: "secret", message: "must be 16 to 256 characters"))
        }
        return problems
    }
}
