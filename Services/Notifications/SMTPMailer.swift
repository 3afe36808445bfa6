import CCurl
import Contracts
import Foundation
import NIOPosix

/// How emails leave: files in a folder (local mode) or SMTP.
protocol MailTransport: Sendable {
    func deliver(_ email: NotificationCommands.SendEmail, messageID: String) async throws
}

extension MailFolder: MailTransport {}

/// Email over SMTP, with libcurl as the transport: `SMTP_URL` (`smtp://host:587` or
/// `smtps://host:465`), optional `SMTP_USERNAME` / `SMTP_PASSWORD`, and `SMTP_STARTTLS`
/// (`required`, the default; `optional`; `none`, for a relay on loopback). A send is one blocking
/// libcurl transfer, run on NIO's thread pool so no event loop waits for a mail server. Delivery
/// is at least once: a command redelivered after a crash between send and ack sends the email again.
struct SMTPMailer: MailTransport {
    enum StartTLS: String, Sendable {
        case required, optional, none

        /// A setting that is not one of the three stops the service at start-up, rather than
        /// sending mail less safely than asked.
        init(_ setting: String) throws {
            guard let value = StartTLS(rawValue: setting) else {
                throw SMTPError.failed("SMTP_STARTTLS must be required, optional or none, not \(setting)")
            }
            self = value
        }
    }

    struct Settings: Sendable {
        var url: String
        var username: String?
        var password: String?
        var startTLS: StartTLS = .required
        var timeout: Duration = .seconds(30)
    }

    let settings: Settings
    let sender: String

    init(settings: Settings, sender: String) {
        _ = CurlSetup.done
        self.settings = settings
        self.sender = sender
    }

    func deliver(_ email: NotificationCommands.SendEmail, messageID: String) async throws {
        let name = messageID.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        let message = Array(MailFormat.render(email, from: sender, messageID: name, date: Date()).utf8)
        let settings = self.settings
        let from = Self.address(in: sender)
        try await NIOThreadPool.singleton.runIfActive {
            try Self.send(message, from: from, to: Self.address(in: email.to), settings: settings)
        }
    }

    /// The bare address of `Name <address>` (or the text itself), for the SMTP envelope.
    static func address(in text: String) -> String {
        guard let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close else {
            return text.trimmingCharacters(in: .whitespaces)
        }
        return String(text[text.index(after: open)..<close])
    }

    private static func send(_ message: [UInt8], from: String, to: String, settings: Settings) throws {
        guard let curl = curl_easy_init() else { throw SMTPError.failed("libcurl could not start a transfer") }
        defer { curl_easy_cleanup(curl) }
        let recipients = curl_slist_append(nil, "<\(to)>")
        defer { curl_slist_free_all(recipients) }
        let upload = Upload(message)
        let context = Unmanaged.passRetained(upload)
        defer { context.release() }
        let security: curl_usessl =
            switch settings.startTLS {
            case .required: CURLUSESSL_ALL
            case .optional: CURLUSESSL_TRY
            case .none: CURLUSESSL_NONE
            }
        var codes = [
            lending_curl_set_string(curl, CURLOPT_URL, settings.url),
            lending_curl_set_string(curl, CURLOPT_MAIL_FROM, "<\(from)>"),
            lending_curl_set_list(curl, CURLOPT_MAIL_RCPT, recipients),
            lending_curl_set_long(curl, CURLOPT_UPLOAD, 1),
            lending_curl_set_long(curl, CURLOPT_USE_SSL, Int(security.rawValue)),
            lending_curl_set_long(curl, CURLOPT_NOSIGNAL, 1),
            lending_curl_set_long(curl, CURLOPT_TIMEOUT_MS, Int(settings.timeout.components.seconds * 1000)),
            lending_curl_set_read_function(curl, readCallback),
            lending_curl_set_pointer(curl, CURLOPT_READDATA, context.toOpaque()),
        ]
        if let username = settings.username { codes.append(lending_curl_set_string(curl, CURLOPT_USERNAME, username)) }
        if let password = settings.password { codes.append(lending_curl_set_string(curl, CURLOPT_PASSWORD, password)) }
        if let failed = codes.first(where: { $0 != CURLE_OK }) { throw SMTPError.failed(describe(failed)) }
        let result = curl_easy_perform(curl)
        guard result == CURLE_OK else { throw SMTPError.failed(describe(result)) }
    }

    private static func describe(_ code: CURLcode) -> String {
        curl_easy_strerror(code).map { String(cString: $0) } ?? "libcurl error \(code.rawValue)"
    }
}

/// The message and how much of it libcurl has read. Only the transfer's thread touches it.
private final class Upload {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let length = min(capacity, bytes.count - offset)
        guard length > 0 else { return 0 }
        bytes.withUnsafeBufferPointer { source in
            UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + offset, byteCount: length)
        }
        offset += length
        return length
    }
}

/// libcurl asks for the next piece of the message until it gets 0.
private let readCallback: lending_curl_read_callback = { buffer, size, count, context in
    guard let buffer, let context else { return 0 }
    return Unmanaged<Upload>.fromOpaque(context).takeUnretainedValue().read(into: buffer, capacity: size * count)
}

enum SMTPError: Error, CustomStringConvertible {
    case failed(String)

    var description: String {
        switch self {
        case .failed(let reason): "SMTP delivery failed: \(reason)"
        }
    }
}
