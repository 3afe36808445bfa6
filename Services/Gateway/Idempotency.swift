import Contracts
import Crypto
import Foundation
import Hummingbird
import Redis
import ServiceKit

/// `Idempotency-Key` on creating POSTs: the first answer is kept in Redis for 24 hours and a retry
/// with the same key and body gets it again; the same key with another body is refused (422).
/// Keys are scoped to the caller (user, or address when anonymous) and the route.
///
/// The record here is released when the answer is unknown (a `504`: the service may still have
/// committed), so the service gets the key too and keeps its own reply with the effects
/// (`Database.transaction(once:)`): the retry then replays that reply instead of acting twice.
/// For the same reason the record of a request still running lives only as long as a request
/// may take (`pendingLifetime`): a gateway killed mid-request leaves its record behind, and the
/// client's retry must not be told "still being processed" for a day.
struct Idempotency: Sendable {
    let redis: RedisClient
    /// As long as a request's call may take (its timeout, and a margin). A slower request whose
    /// record expired meanwhile may meet its retry at the service, which runs the key once.
    let pendingLifetime: Duration
    static let lifetime = 24 * 3600

    private struct Record: Codable {
        var bodyHash: String
        var status: Int?
        var body: Data?
        var retryAfter: Int?
    }

    /// Runs `perform` once per key, handing it the key to send to the service (scoped to the
    /// caller, the route and the body); a nil key means the client asked for no idempotency.
    func run(key: String?, scope: String, body: Data, perform: (_ serviceKey: String?) async throws -> RPCResult) async throws -> Response {
        guard let key else { return HTTPReply.response(try await perform(nil)) }
        let (result, replayed) = try await once(key: key, scope: scope, body: body, perform: perform)
        var response = HTTPReply.response(result)
        if replayed { response.headers[.idempotentReplayed] = "true" }
        return response
    }

    /// `perform`'s result, or the first one's when the key was used before with the same body.
    func once(
        key: String, scope: String, body: Data, perform: (_ serviceKey: String?) async throws -> RPCResult
    ) async throws -> (result: RPCResult, replayed: Bool) {
        guard (1...255).contains(key.count) else {
            throw Problem.validation(field: "Idempotency-Key", "must be 1 to 255 characters")
        }
        let hash = Self.hex(SHA256.hash(data: body))
        let storeKey = "idempotency:\(scope):\(key)"
        let pending = String(decoding: try JSONEncoder().encode(Record(bodyHash: hash)), as: UTF8.self)
        guard try await redis.set(storeKey, pending, expiresIn: pendingLifetime, onlyIfAbsent: true) else {
            return (try await replay(storeKey, hash: hash), true)
        }
        let result: RPCResult
        do {
            result = try await perform(Self.hex(SHA256.hash(data: Data("\(storeKey)\n\(hash)".utf8))))
        } catch {
            // Nothing was decided, or it is unknown (504): the client may try again with the key.
            _ = try? await redis.delete([storeKey])
            throw error
        }
        if result.status >= 500 {
            _ = try? await redis.delete([storeKey])
        } else {
            let record = Record(bodyHash: hash, status: result.status, body: Data(result.body), retryAfter: result.retryAfter)
            _ = try? await redis.set(
                storeKey, String(decoding: try JSONEncoder().encode(record), as: UTF8.self), expiresIn: .seconds(Self.lifetime))
        }
        return (result, false)
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    private func replay(_ storeKey: String, hash: String) async throws -> RPCResult {
        guard let text = try await redis.get(storeKey),
            let record = try? JSONDecoder().decode(Record.self, from: Data(text.utf8))
        else { throw Problem.conflict("A request with this Idempotency-Key is still being processed.", slug: "idempotency-in-progress") }
        guard record.bodyHash == hash else {
            throw Problem.validation(field: "Idempotency-Key", "was already used with a different request body")
        }
        guard let status = record.status else {
            throw Problem.conflict("A request with this Idempotency-Key is still being processed.", slug: "idempotency-in-progress")
        }
        return RPCResult(status: status, body: Array(record.body ?? Data()), retryAfter: record.retryAfter)
    }
}
