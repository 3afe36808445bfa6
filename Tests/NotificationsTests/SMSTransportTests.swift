import Contracts
import Foundation
import Hummingbird
import Synchronization
import TestSupport
import Testing

@testable import Notifications

/// Texts leave through the configured transport: a folder in local mode, or a provider's HTTP
/// API, here a real HTTP server on loopback.
@Suite struct SMSTransportTests {
    private let text = NotificationCommands.SendSMS(to: "+14155550123", text: "Your verification code is 123456.")

    /// What the provider received: each request's headers of interest and its JSON body.
    private final class Provider: Sendable {
        struct Call: Sendable {
            let authorization: String?
            let idempotencyKey: String?
            let body: [String: String]
        }

        let calls = Mutex<[Call]>([])
        let status: HTTPResponse.Status

        init(answering status: HTTPResponse.Status) {
            self.status = status
        }

        func router() -> Router<BasicRequestContext> {
            let router = Router()
            router.post("/messages") { request, _ -> Response in
                let bytes = try await request.body.collect(upTo: 64 * 1024)
                let body = try JSONDecoder().decode([String: String].self, from: Data(buffer: bytes))
                self.calls.withLock {
                    $0.append(
                        Call(
                            authorization: request.headers[.authorization],
                            idempotencyKey: request.headers.first { $0.name.canonicalName == "idempotency-key" }?.value,
                            body: body))
                }
                return Response(status: self.status)
            }
            return router
        }
    }

    @Test func theHTTPProviderGetsTheTextWithItsTokenAndAReference() async throws {
        let provider = Provider(answering: .accepted)
        try await servingOnLoopback(provider.router()) { url in
            let transport = try SMSTransports.configured(
                provider: "http", directory: "/nonexistent",
                http: .init(url: "\(url)/messages", token: "local-test-token", sender: "Lending"))
            try await transport.deliver(text, messageID: "message-1")
        }
        let call = try #require(provider.calls.withLock { $0 }.first)
        #expect(call.authorization == "Bearer local-test-token")
        #expect(call.idempotencyKey == "message-1")
        #expect(
            call.body == ["from": "Lending", "to": "+14155550123", "text": "Your verification code is 123456.", "reference": "message-1"])
    }

    @Test func aProviderThatRefusesFailsTheSendSoTheCommandIsRetried() async throws {
        let provider = Provider(answering: .serviceUnavailable)
        await #expect(throws: SMSError.self) {
            try await servingOnLoopback(provider.router()) { url in
                try await HTTPSMSProvider(settings: .init(url: "\(url)/messages", token: nil, sender: "Lending")).deliver(
                    text, messageID: "m")
            }
        }
        #expect(provider.calls.withLock { $0 }.first?.authorization == nil)
    }

    @Test func localModeWritesOneFilePerMessage() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sms-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let transport = try SMSTransports.configured(provider: "local", directory: directory, http: nil)
        try await transport.deliver(text, messageID: "message-2")
        // A redelivered command writes no second message.
        try await transport.deliver(text, messageID: "message-2")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(files == ["message-2.txt"])
        let written = try String(contentsOfFile: "\(directory)/message-2.txt", encoding: .utf8)
        #expect(written == "To: +14155550123\n\nYour verification code is 123456.\n")
    }

    @Test func anUnknownProviderOrAMissingURLStopsTheService() {
        #expect(throws: SMSError.self) { try SMSTransports.configured(provider: "carrier-pigeon", directory: "/tmp", http: nil) }
        #expect(throws: SMSError.self) { try SMSTransports.configured(provider: "http", directory: "/tmp", http: nil) }
    }
}
