/// The names two services must agree on to find each other on the bus.
public enum Exchanges {
    /// Direct exchange; routing key = service name; one classic queue `<service>.rpc` per service.
    public static let rpc = "lending.rpc"
    /// Topic exchange of domain events; routing key = event type without its version.
    public static let events = "lending.events"
    /// Topic exchange of WebSocket pushes; routing key `user.<id>` (see `PushMessage`).
    public static let push = "lending.push"
    /// Where durable queues park what they cannot deliver; routing key = the queue's name.
    public static let deadLetters = "lending.dlx"
}

/// Work queues shared by a pool of competing consumers.
public enum WorkQueues {
    /// Credit requests waiting for an `analysis-worker`.
    public static let analysisRequests = "analysis.requests"
    /// Every event, for `notifications` to turn into webhook deliveries.
    public static let webhooks = "notifications.webhooks"

    /// Every durable queue of the platform; each parks what it cannot deliver in `<queue>.dlq`.
    public static let durable: [String] = [
        analysisRequests, ServiceName.loans.eventsQueue, ServiceName.approvals.eventsQueue, ServiceName.notifications.eventsQueue,
        ServiceName.notifications.commandsQueue, webhooks, ServiceName.analytics.eventsQueue, ServiceName.auth.eventsQueue,
    ]
}

public enum ServiceName: String, Sendable, CaseIterable, Codable {
    case gateway
    case auth
    case loans
    case approvals
    case analysisWorker = "analysis-worker"
    case notifications
    case analytics

    public var rpcQueue: String { "\(rawValue).rpc" }
    public var eventsQueue: String { "\(rawValue).events" }
    /// Commands addressed to one service that must not be lost (e.g. an email to send).
    public var commandsQueue: String { "\(rawValue).commands" }
    /// The PostgreSQL schema the service owns; no other service reads it.
    public var schema: String { rawValue.replacingOccurrences(of: "-", with: "_") }
}
