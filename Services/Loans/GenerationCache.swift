import Contracts
import Foundation
import Logging
import Redis

/// A read-through cache of namespaces: `read` answers from the cache or loads and keeps the value;
/// `invalidate` voids everything a namespace holds, so that no read after a committed write sees
/// what was cached before it. `GenerationCache` keeps it in Redis; tests of the operations use
/// an in-memory twin.
protocol ReadThroughCache: Sendable {
    func read<Value: Codable & Sendable>(_ namespace: String, _ key: String, load: () async throws -> Value) async throws -> Value
    /// Call after every committed write that changes what the namespace holds.
    func invalidate(_ namespace: String) async throws
}

/// Read-through caching in Redis, shared by every `loans` replica. Each namespace has a
/// generation number that is part of every key in it; a write bumps the generation, so the next
/// read anywhere misses and goes to the database: a caller never reads stale data after a write.
/// When Redis is away, reads go to the database.
///
/// The Redis server's run id is part of every key too. A crash (the last second of writes) or a
/// failover (what had not reached the replica) can lose a bump while keeping what was cached
/// before it; entries written before a restart or a failover are under the old run id, and no
/// read on the new server ever finds them.
struct GenerationCache: ReadThroughCache {
    let redis: RedisClient
    let logger: Logger
    var lifetime: Duration = .seconds(300)

    /// KEYS[1]: the namespace's generation. ARGV: the namespace, the key, the server's run id.
    /// Returns the prefix of this generation's keys on this server, and the cached value or nil.
    private static let readScript = RedisScript(
        """
        local prefix = ARGV[1] .. ':' .. ARGV[3] .. ':' .. (redis.call('GET', KEYS[1]) or '0') .. ':'
        return {prefix, redis.call('GET', prefix .. ARGV[2])}
        """)

    func read<Value: Codable & Sendable>(_ namespace: String, _ key: String, load: () async throws -> Value) async throws -> Value {
        let prefix: String
        do {
            let reply = try await redis.evaluate(
                Self.readScript, keys: ["\(namespace):generation"], arguments: [namespace, key], appendingRunID: true)
            guard let parts = reply.arrayValue, let first = parts.first?.stringValue else {
                throw RedisError.unexpectedReply(command: "EVALSHA", reply: reply)
            }
            if parts.count == 2, let hit = parts[1].stringValue {
                return try JSON.decode(Value.self, from: Array(hit.utf8))
            }
            prefix = first
        } catch {
            logger.warning("cache unavailable, reading the database", metadata: ["namespace": "\(namespace)", "error": "\(error)"])
            return try await load()
        }
        let value = try await load()
        let encoded = String(decoding: try JSON.encode(value), as: UTF8.self)
        _ = try? await redis.set(prefix + key, encoded, expiresIn: lifetime)
        return value
    }

    func invalidate(_ namespace: String) async throws {
        try await redis.increment("\(namespace):generation")
    }
}

/// A client's own lists (applications, loans): read often, changed only by that client's own
/// actions and by decisions about them, so worth caching per client.
struct ClientLists: Sendable {
    let cache: any ReadThroughCache
    let logger: Logger

    static func namespace(_ customerID: UUID) -> String { "loans:lists:\(customerID.uuidString.lowercased())" }

    func read<Value: Codable & Sendable>(
        _ customerID: UUID, _ request: some Encodable, load: () async throws -> Value
    ) async throws -> Value {
        try await cache.read(Self.namespace(customerID), String(decoding: try JSON.encode(request), as: UTF8.self), load: load)
    }

    /// Something about this client changed: their cached lists are void. A failure here must not
    /// fail the write that already committed, but it is logged.
    func invalidate(_ customerID: UUID) async {
        do {
            try await cache.invalidate(Self.namespace(customerID))
        } catch {
            logger.error("could not invalidate a client's cached lists", metadata: ["customer_id": "\(customerID)", "error": "\(error)"])
        }
    }
}
