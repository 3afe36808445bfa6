import Contracts
import Foundation

/// Product reads through the shared cache (`GenerationCache`): every product write voids the
/// catalogue's entries, so an edit is visible on the next read from any replica.
struct ProductCatalogue: Sendable {
    let store: ProductStore
    let cache: any ReadThroughCache
    private static let namespace = "loans:products"

    func product(id: UUID) async throws -> Product? {
        try await cache.read(Self.namespace, "product:\(id.uuidString.lowercased())") { try await store.product(id: id) }
    }

    func list(_ request: ProductsRPC.List.Request) async throws -> Page<Product> {
        let query = String(decoding: try JSON.encode(request), as: UTF8.self)
        return try await cache.read(Self.namespace, "list:\(query)") { try await store.list(request) }
    }

    /// Call after every committed write.
    func invalidate() async throws {
        try await cache.invalidate(Self.namespace)
    }
}
