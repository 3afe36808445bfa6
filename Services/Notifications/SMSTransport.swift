import Contracts
import Foundation
import NIOPosix

/// How text messages leave: files in a folder (local mode) or an SMS provider's HTTP API, chosen
/// by `SMS_PROVIDER` (`local`, the default, or `http`). Delivery is at least once: a command
/// redelivered after a crash between send and ack is sent again, with the same `reference`.
protocol SMSTransport: Sendable {
    func deliver(_ sms: NotificationCommands.SendSMS, messageID: String) async throws
}

enum SMSTransports {
    /// The transport the configuration names; an unknown provider, or `http` without its URL,
    /// stops the service at start-up rather than dropping texts.
    static func configured(provider: String, directory: String, http: HTTPSMSProvider.Settings?) throws -> any SMSTransport {
        switch provider {
        case "local": return try SMSFolder(path: directory)
        case "http":
            guard let http else { throw SMSError("SMS_PROVIDER=http needs SMS_HTTP_URL") }
            return HTTPSMSProvider(settings: http)
        default: throw SMSError("SMS_PROVIDER must be local or http, not \(provider)")
        }
    }
}

/// Local mode: each text becomes `<message id>.txt` in a folder (`SMS_DIR`, `.run/sms`), a
/// `To:` line, a blank line and the text.
struct SMSFolder: SMSTransport {
    let folder: MessageFolder

    init(path: String) throws {
        folder = try MessageFolder(path: path)
    }

    func deliver(_ sms: NotificationCommands.SendSMS, messageID: String) async throws {
        let to = sms.to.components(separatedBy: .newlines).joined()
        try folder.writeOnce(messageID: messageID, fileExtension: "txt") { _ in Data("To: \(to)\n\n\(sms.text)\n".utf8) }
    }
}

/// An SMS provider's HTTP API: `POST SMS_HTTP_URL` with the JSON `{from, to, text, reference}`,
/// `Authorization: Bearer SMS_HTTP_TOKEN` when set, and the bus message id as `reference` and
/// `Idempotency-Key`, so a provider that deduplicates sends a redelivered text once. Any `2xx`
/// is sent; anything else (or no answer within the timeout) fails the command, which is retried
/// until the queue's delivery limit parks it in `notifications.commands.dlq`.
struct HTTPSMSProvider: SMSTransport {
    struct Settings: Sendable {
        var url: String
        var token: String?
        /// The sender id or number the provider shows (`SMS_SENDER`).
        var sender: String
        var timeout: Duration = .seconds(10)
    }

    private struct Message: Encodable {
        let from: String
        let to: String
        let text: String
        let reference: String
    }

    let settings: Settings

    func deliver(_ sms: NotificationCommands.SendSMS, messageID: String) async throws {
        let body = String(
            decoding: try JSON.encode(Message(from: settings.sender, to: sms.to, text: sms.text, reference: messageID)), as: UTF8.self)
        let headers =
            [("Content-Type", "application/json"), ("Idempotency-Key", messageID)]
            + (settings.token.map { [("Authorization", "Bearer \($0)")] } ?? [])
        let settings = self.settings
        let status = try await NIOThreadPool.singleton.runIfActive {
            try HTTPPoster.post(body, headers: headers, to: settings.url, timeout: settings.timeout)
        }
        guard (200..<300).contains(status) else { throw SMSError("the SMS provider answered \(status)") }
    }
}

struct SMSError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
