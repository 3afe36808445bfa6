import Contracts
import Foundation
import Hummingbird
import Messaging
import ServiceKit

/// `/api/v1/sync/*` for clients that work offline, and `POST /admin/broadcast`. (docs/SYNC.md)
struct SyncController {
    let support: RouteSupport
    let batch: SyncBatch
    let stats: SyncStats
    let publisher: AMQPConnection

    static let defaultLimit = 100
    static let largestLimit = ChangeFeed.largestPage
    static let longestMaintenanceMessage = 500

    struct Broadcast: Codable, Sendable {
        let message: String
        let startsAt: Date?
    }

    struct BroadcastSent: Codable, Sendable {
        let message: String
        @ExplicitNull var startsAt: Date?
        let sentAt: Date
    }

    var routes: RouteCollection<SignedIn> {
        let routes = RouteCollection(context: SignedIn.self)
        routes.get("sync/changes", use: changes)
        routes.post("sync/batch", use: replay)
        routes.get("sync/summary", use: summary)
        routes.post("admin/broadcast", use: broadcast)
        return routes
    }

    @Sendable func changes(_ request: Request, context: SignedIn) async throws -> Response {
        let query = Query(request: request)
        let limit = try query.int("limit") ?? Self.defaultLimit
        guard (1...Self.largestLimit).contains(limit) else {
            throw Problem.validation(field: "limit", "must be between 1 and \(Self.largestLimit)")
        }
        let cursor =
            try query.string("since").map { text in
                guard let cursor = SyncCursor(text) else { throw Problem.validation(field: "since", "must be a cursor this API gave out") }
                return cursor
            } ?? .start
        let page = try await changes(after: cursor, limit: limit, context: context)
        return try HTTPReply.json(status: 200, body: JSON.encode(page))
    }

    @Sendable func replay(_ request: Request, context: SignedIn) async throws -> Response {
        let body = try await support.body.json(SyncBatch.Body.self, from: request)
        let problems = SyncBatch.problems(body)
        guard problems.isEmpty else { throw Problem.validation(problems) }
        let reply = try await batch.replay(body, for: request, caller: context.caller.userID, context: context)
        return try HTTPReply.json(status: 200, body: JSON.encode(reply))
    }

    @Sendable func summary(_ request: Request, context: SignedIn) async throws -> Response {
        guard [.admin, .superAdmin].contains(context.caller.role) else { throw Problem.forbidden("Only admins read the sync figures.") }
        let query = Query(request: request)
        let to = try query.date("to") ?? .today
        let from = try query.date("from") ?? to.adding(days: -29)
        guard from <= to else { throw Problem.validation(field: "from", "must not be after to") }
        guard from >= to.adding(days: -SyncStats.longestWindowDays) else {
            throw Problem.validation(field: "from", "must be at most \(SyncStats.longestWindowDays) days before to")
        }
        return try HTTPReply.json(status: 200, body: JSON.encode(try await stats.summary(from: from, to: to)))
    }

    @Sendable func broadcast(_ request: Request, context: SignedIn) async throws -> Response {
        guard context.caller.role == .superAdmin else { throw Problem.forbidden("Only a super admin broadcasts to everyone.") }
        let body = try await support.body.json(Broadcast.self, from: request)
        let message = body.message.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...Self.longestMaintenanceMessage).contains(message.count) else {
            throw Problem.validation(field: "message", "must be 1 to \(Self.longestMaintenanceMessage) characters")
        }
        let sent = BroadcastSent(message: message, startsAt: body.startsAt, sentAt: Date())
        var data = ["message": message]
        data["starts_at"] = body.startsAt?.formatted(.iso8601)
        let push = PushMessage(type: "system_maintenance", data: data, at: sent.sentAt)
        try await publisher.publish(
            OutgoingMessage(
                body: try JSON.encode(push),
                properties: MessageProperties(
                    messageID: UUID.random().uuidString.lowercased(), type: PushMessage.type, timestamp: sent.sentAt)),
            exchange: Exchanges.push, routingKey: PushMessage.everyoneRoutingKey)
        return try HTTPReply.json(status: 202, body: JSON.encode(sent))
    }

    /// One page of the merged feed: the three services' pages, read at once.
    private func changes(after cursor: SyncCursor, limit: Int, context: SignedIn) async throws -> SyncChangesPage {
        let forwarder = support.forwarder
        async let loans = forwarder.call(SyncRPC.LoansChanges.self, .init(after: cursor.positions[0], limit: limit), context: context)
        async let approvals = forwarder.call(
            SyncRPC.ApprovalsChanges.self, .init(after: cursor.positions[1], limit: limit), context: context)
        async let notifications = forwarder.call(
            SyncRPC.NotificationsChanges.self, .init(after: cursor.positions[2], limit: limit), context: context)
        let pages = try await [loans, approvals, notifications].map { try $0.decode(SyncRPC.FeedPage.self) }
        let merged = SyncFeed.merge(pages, after: cursor, limit: limit)
        return SyncChangesPage(changes: merged.changes, cursor: merged.cursor.text, hasMore: merged.hasMore)
    }
}
