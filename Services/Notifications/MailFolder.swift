import Contracts
import Foundation

/// Local-mode email: each message becomes one RFC 5322 `.eml` file in a folder.
struct MailFolder: Sendable {
    let folder: MessageFolder
    let sender: String

    init(path: String, sender: String) throws {
        folder = try MessageFolder(path: path)
        self.sender = sender
    }

    func deliver(_ email: NotificationCommands.SendEmail, messageID: String) async throws {
        try folder.writeOnce(messageID: messageID, fileExtension: "eml") { name in
            Data(MailFormat.render(email, from: sender, messageID: name, date: Date()).utf8)
        }
    }
}

/// A local-mode outbox: one file per bus message, named by the message id, so a redelivered
/// command writes no second message.
struct MessageFolder: Sendable {
    let directory: URL

    init(path: String) throws {
        directory = URL(fileURLWithPath: path, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Writes `<id>.<fileExtension>` unless it is there already: to a temporary file renamed into
    /// place, so readers never see half a message. `contents` gets the id as used in the name.
    func writeOnce(messageID: String, fileExtension: String, contents: (_ name: String) throws -> Data) throws {
        let name = messageID.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        let target = directory.appendingPathComponent("\(name).\(fileExtension)")
        guard !FileManager.default.fileExists(atPath: target.path) else { return }
        let temporary = directory.appendingPathComponent(".\(name).tmp")
        try contents(name).write(to: temporary)
        try FileManager.default.moveItem(at: temporary, to: target)
    }
}

enum MailFormat {
    /// A `text/plain` UTF-8 message. Header values lose any line breaks (no header injection).
    static func render(_ email: NotificationCommands.SendEmail, from sender: String, messageID: String, date: Date) -> String {
        func header(_ value: String) -> String {
            value.components(separatedBy: .newlines).joined(separator: " ")
        }
        let body = email.text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        return [
            "From: \(header(sender))",
            "To: \(header(email.to))",
            "Subject: \(header(email.subject))",
            "Date: \(rfc5322Date(date))",
            "Message-ID: <\(messageID)@lending.local>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "",
            body,
        ].joined(separator: "\r\n") + "\r\n"
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
