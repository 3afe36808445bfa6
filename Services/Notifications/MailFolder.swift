import Contracts
import Foundation

/// Local-mode email: each message becomes one RFC 5322 `.eml` file in a folder, named by the bus
/// message id, so a redelivered command writes the same file again instead of a second email.
struct MailFolder: Sendable {
    let directory: URL
    let sender: String

    init(path: String, sender: String) throws {
        directory = URL(fileURLWithPath: path, isDirectory: true)
        self.sender = sender
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Writes the email atomically (a temporary file renamed into place); readers never see half a file.
    func deliver(_ email: NotificationCommands.SendEmail, messageID: String) async throws {
        let name = messageID.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        let target = directory.appendingPathComponent("\(name).eml")
        guard !FileManager.default.fileExists(atPath: target.path) else { return }
        let temporary = directory.appendingPathComponent(".\(name).tmp")
        try Data(MailFormat.render(email, from: sender, messageID: name, date: Date()).utf8).write(to: temporary)
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
