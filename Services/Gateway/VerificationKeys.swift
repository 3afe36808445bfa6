import Contracts
import JWTKit
import ServiceKit
import Synchronization

/// The public keys that verify access tokens, fetched from `auth` on first use and again when a
/// token does not verify (a key rotation), at most once per `refreshInterval`.
final class VerificationKeys: Sendable {
    private struct Cache {
        var keys: JWTKeyCollection?
        var fetchedAt: ContinuousClock.Instant?
    }

    private let caller: ServiceCaller
    private let refreshInterval: Duration
    private let cache = Mutex(Cache())

    init(caller: ServiceCaller, refreshInterval: Duration = .seconds(30)) {
        self.caller = caller
        self.refreshInterval = refreshInterval
    }

    func verify(_ token: String) async throws -> AccessTokenClaims {
        let keys = try await current()
        do {
            return try await keys.verify(token, as: AccessTokenClaims.self)
        } catch {
            guard let refreshed = try await refreshIfStale() else { throw error }
            return try await refreshed.verify(token, as: AccessTokenClaims.self)
        }
    }

    /// The JWK Set as `auth` publishes it, for `/.well-known/jwks.json`.
    func document() async throws -> RPCResult {
        try await caller.call(AuthRPC.Keys.self, Empty(), timeout: .seconds(2))
    }

    private func current() async throws -> JWTKeyCollection {
        if let keys = cache.withLock({ $0.keys }) { return keys }
        return try await fetch()
    }

    private func refreshIfStale() async throws -> JWTKeyCollection? {
        let stale = cache.withLock { cache in
            cache.fetchedAt.map { ContinuousClock.now - $0 > refreshInterval } ?? true
        }
        return stale ? try await fetch() : nil
    }

    private func fetch() async throws -> JWTKeyCollection {
        let result = try await document()
        guard result.status == 200 else {
            throw Problem.unavailable("The signing keys cannot be fetched right now.")
        }
        let keys = JWTKeyCollection()
        try await keys.add(jwksJSON: String(decoding: result.body, as: UTF8.self))
        cache.withLock { $0 = Cache(keys: keys, fetchedAt: .now) }
        return keys
    }
}
