import Contracts
import Foundation
import Logging
import Redis

/// The figures of `GET /sync/summary`, shared by every gateway replica through Redis: batches and
/// their operations' outcomes per day (kept 400 days), and the WebSockets each replica has open
/// (each replica refreshes its own count; a replica that stops refreshing drops out in 30 s).
struct SyncStats: Sendable {
    static let presenceLifetime = 30
    static let dayLifetime = 400 * 86_400
    static let presenceRefresh = Duration.seconds(5)

    let redis: RedisClient
    let instance: String
    let logger: Logger

    /// The entity an operation's path writes: its first segment, singular (`/applications/…` →
    /// `application`, `/me/profile` → `profile`).
    static func entity(of path: String) -> String {
        let segments = path.split(separator: "/").map(String.init)
        guard let first = segments.first else { return "other" }
        if first == "me", segments.count > 1 { return segments[1] == "documents" ? "document" : "profile" }
        return first.hasSuffix("s") ? String(first.dropLast()) : first
    }

    private static func dayKey(_ date: CalendarDate) -> String { "sync:stats:\(date)" }

    /// Counts one batch and its operations' outcomes; a lost count is logged, never a failed batch.
    func record(_ outcomes: [(SyncBatch.Result.Status, String)]) async {
        let key = Self.dayKey(.today)
        var commands = [["HINCRBY", key, "batches", "1"]]
        for (status, entity) in outcomes {
            commands.append(["HINCRBY", key, status.rawValue, "1"])
            if status == .conflict { commands.append(["HINCRBY", key, "conflict:\(entity)", "1"]) }
        }
        commands.append(["EXPIRE", key, String(Self.dayLifetime)])
        do {
            _ = try await redis.pipeline(commands)
        } catch {
            logger.warning("sync figures not counted", metadata: ["error": "\(error)"])
        }
    }

    /// Publishes this replica's open sockets by role.
    func publishPresence(_ counts: [Role: Int]) async throws {
        let key = "sync:presence:\(instance)"
        var commands = [["DEL", key]]
        if !counts.isEmpty { commands.append(["HSET", key] + counts.flatMap { [$0.key.rawValue, String($0.value)] }) }
        commands.append(["EXPIRE", key, String(Self.presenceLifetime)])
        commands.append(["SADD", "sync:presence", key])
        _ = try await redis.pipeline(commands)
    }

    struct Summary: Codable, Sendable {
        struct Operations: Codable, Sendable {
            var synced = 0
            var conflict = 0
            var failed = 0
        }

        struct Connections: Codable, Sendable {
            var total = 0
            var byRole: [String: Int] = [:]
        }

        var batches = 0
        var operations = Operations()
        var conflictsByEntity: [String: Int] = [:]
        var activeConnections = Connections()
    }

    static let longestWindowDays = 366

    func summary(from: CalendarDate, to: CalendarDate) async throws -> Summary {
        var summary = Summary()
        var day = from
        var days: [String] = []
        while day <= to {
            days.append(Self.dayKey(day))
            day = day.adding(days: 1)
        }
        for reply in try await redis.pipeline(days.map { ["HGETALL", $0] }) {
            for (field, value) in Self.pairs(try reply.get()) {
                switch field {
                case "batches": summary.batches += value
                case "synced": summary.operations.synced += value
                case "conflict": summary.operations.conflict += value
                case "failed": summary.operations.failed += value
                default:
                    if field.hasPrefix("conflict:") {
                        summary.conflictsByEntity[String(field.dropFirst("conflict:".count)), default: 0] += value
                    }
                }
            }
        }
        let replicas = try await redis.send(["SMEMBERS", "sync:presence"]).arrayValue?.compactMap(\.stringValue) ?? []
        for (replica, reply) in zip(replicas, try await redis.pipeline(replicas.map { ["HGETALL", $0] })) {
            let counts = Self.pairs(try reply.get())
            if counts.isEmpty, try await !redis.exists(replica) { _ = try? await redis.send(["SREM", "sync:presence", replica]) }
            for (role, count) in counts {
                summary.activeConnections.total += count
                summary.activeConnections.byRole[role, default: 0] += count
            }
        }
        return summary
    }

    private static func pairs(_ value: RedisValue) -> [(String, Int)] {
        let items = value.arrayValue?.compactMap(\.stringValue) ?? []
        return stride(from: 0, to: items.count - 1, by: 2).compactMap { index in Int(items[index + 1]).map { (items[index], $0) } }
    }
}
