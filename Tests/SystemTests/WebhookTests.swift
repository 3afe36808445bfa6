import Crypto
import Foundation
import Hummingbird
import Synchronization
import TestSupport
import Testing

/// Webhooks through the gateway, delivered to a real HTTP receiver this test runs on loopback.
@Suite struct WebhookTests {
    let api: API
    let approvers: Approvers

    init() throws {
        api = try API()
        approvers = try Approvers()
    }

    @Test func aSubscriberGetsSignedDeliveriesAndFailuresAreRetried() async throws {
        let root = try await SuperAdmin.session.value.access
        let secret = "a-webhook-secret-\(UUID().uuidString.prefix(8))"
        try await Receiver.serving(failFirst: 1) { url, receiver in
            let created = try await api.post(
                "/api/v1/webhooks", ["url": url, "events": ["approvals.application.*"], "secret": secret], token: root)
            #expect(created.status == 201, "\(created.text)")
            let webhook = try #require(created["id"])
            #expect(created["secret"] == nil)  // never echoed

            let (id, _, _) = try await approvers.pending()
            #expect(try await approvers.decide(id, "approve", token: root).status == 200)
            // The first delivery is refused (500) and retried; the retry gets through.
            var approved: Receiver.Request?
            #expect(
                await eventually(timeout: .seconds(20)) {
                    approved = receiver.received.first { $0.body.contains(id) && $0.body.contains("approvals.application.approved") }
                    return approved != nil && receiver.received.filter { $0.body.contains(id) }.count >= 2
                })
            let delivery = try #require(approved)
            let expected =
                "sha256="
                + HMAC<SHA256>.authenticationCode(for: Array(delivery.body.utf8), using: SymmetricKey(data: Data(secret.utf8)))
                .map { String(format: "%02x", $0) }.joined()
            #expect(delivery.signature == expected)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(delivery.body.utf8)) as? [String: Any])
            #expect(json["type"] as? String == "approvals.application.approved.v1")
            #expect((json["data"] as? [String: Any])?["application_id"] as? String == id)

            var log: [[String: Any]] = []
            #expect(
                await eventually {
                    log =
                        (try? await api.get("/api/v1/webhooks/\(webhook)/deliveries?page_size=100", token: root).json["items"]
                            as? [[String: Any]]) ?? []
                    return log.contains { $0["status"] as? String == "delivered" && ($0["attempts"] as? Int ?? 0) >= 2 }
                }, "\(log)")
            #expect(try await api.send(.DELETE, "/api/v1/webhooks/\(webhook)", token: root).status == 204)
            #expect(try await api.send(.DELETE, "/api/v1/webhooks/\(webhook)", token: root).status == 404)
        }
    }

    @Test func onlyAdministratorsManageWebhooksAndBadOnesAreRefused() async throws {
        let root = try await SuperAdmin.session.value.access
        let analyst = try await approvers.member("analyst")
        #expect(try await api.get("/api/v1/webhooks", token: analyst.token).status == 403)
        let bad = try await api.post("/api/v1/webhooks", ["url": "ftp://example.com", "events": [], "secret": "short"], token: root)
        #expect(bad.status == 422)
        #expect(Set(bad.fieldErrors) == ["url", "events", "secret"])
        #expect(try await api.get("/api/v1/webhooks", token: root).status == 200)
    }
}

/// A webhook receiver on loopback (ephemeral port) that records what it is sent and answers `500`
/// to the first `failFirst` requests. It listens on 127.0.0.2 by default: the one internal address
/// the test stack lets webhooks reach (`WEBHOOK_ALLOWED_INTERNAL_ADDRESSES`).
final class Receiver: Sendable {
    struct Request: Sendable {
        let body: String
        let signature: String?
    }

    private let requests = Mutex<[Request]>([])
    private let failFirst: Int

    var received: [Request] { requests.withLock { $0 } }

    private init(failFirst: Int) {
        self.failFirst = failFirst
    }

    static func serving(
        failFirst: Int, address: String = "127.0.0.2", _ body: (_ url: String, _ receiver: Receiver) async throws -> Void
    ) async throws {
        let receiver = Receiver(failFirst: failFirst)
        let router = Router()
        router.post("/hooks") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let count = receiver.requests.withLock {
                $0.append(Request(body: String(buffer: bytes), signature: request.headers[.init("X-Signature")!]))
                return $0.count
            }
            return Response(status: count <= receiver.failFirst ? .internalServerError : .ok)
        }
        try await servingOnLoopback(router, address: address) { url in try await body("\(url)/hooks", receiver) }
    }
}
