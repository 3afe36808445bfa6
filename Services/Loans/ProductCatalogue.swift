import Contracts
import Foundation
import Logging
import Redis

/// Product reads through a Redis cache shared by every `loans` replica. Every write bumps a
/// generation number that is part of each cache key, so the next read after a write, on any
/// replica, misses and reads the database: an edit is never followed by a stale read.
struct ProductCatalogue: Sendable {
    let store: ProductStore
    let redis: RedisClient
    let logger: Logger
    static let lifetime: Duration = .seconds(300)
    private static let generationKey = "loans:products:generation"

    func product(id: UUID) async throws -> Product? {
        try await cached("product:\(id.uuidString.lowercased())") { try await store.product(id: id) }
    }

    func list(_ request: ProductsRPC.List.Request) async throws -> Page<Product> {
        let query = String(decoding: try JSON.encode(request), as: UTF8.self)
        return try await cached("list:\(query)") { try await store.list(request) } ?? Page(items: [], request: request.page, total: 0)
    }

    /// Call after every committed write.
    func invalidate() async throws {
        try await redis.increment(Self.generationKey)
    }

    private func cached<Value: Codable & Sendable>(_ key: String, load: () async throws -> Value?) async throws -> Value? {
        let generation: String
        do {
            generation = try await redis.get(Self.generationKey) ?? "0"
            if let hit = try await redis.get("loans:products:\(generation):\(key)") {
                return try JSON.decode(Value?.self, from: Array(hit.utf8))
            }
        } catch {
            logger.warning("product cache unavailable, reading the database", metadata: ["error": "\(error)"])
            return try await load()
        }
        let value = try await load()
        let encoded = String(decoding: try JSON.encode(value), as: UTF8.self)
        _ = try? await redis.set("loans:products:\(generation):\(key)", encoded, expiresIn: Self.lifetime)
        return value
    }
}
