import Contracts
import Foundation

/// The words a notice is written with, derived from its machine-readable `data`: statuses and roles
/// as words, ids as short references, amounts in pounds, times as dates. Templates see only these,
/// so no snake_case code or full UUID reaches an inbox or an email, while `data` itself travels to
/// clients unchanged (they link with `application_id`).
enum NoticeWords {
    static func of(_ data: [String: String]) -> [String: String] {
        var words: [String: String] = [:]
        for (key, value) in data {
            switch key {
            case "application_id", "loan_id", "ticket_id": words[key.dropLast(3) + "_reference"] = reference(value)
            case "status", "from": words[key] = plain(value)
            case "role":
                words["role"] = plain(value)
                words["a_role"] = withArticle(plain(value))
            case "principal", "amount_due": words[key] = Money(value).map(Sterling.format) ?? value
            case "due_at": words[key] = (try? Date(value, strategy: .iso8601)).map(dateAndTime) ?? value
            case "due_date": words[key] = CalendarDate(value).map(day) ?? value
            case "reason": words[key] = assignmentReasons[value] ?? plain(value)
            case "change": words[key] = ticketChanges[value] ?? plain(value)
            case "kind":
                let security = securityKinds[value] ?? (plain(value), plain(value) + ".")
                words["kind_summary"] = security.summary
                words["kind_sentence"] = security.sentence
            case "level", "number", "client_ip": words[key] = value
            // `stage_id` and whatever is added later stay out of the words until they have some.
            default: break
            }
        }
        return words
    }

    /// A short upper-case handle for an id, its first 8 characters: enough to find the thing on a
    /// page or over the phone, without a 36-character UUID in a sentence.
    static func reference(_ id: String) -> String { String(id.prefix(8)).uppercased() }

    /// `pending_approval` → `pending approval`, `super_admin` → `super admin`: the web app's labels, in lower case.
    static func plain(_ code: String) -> String { code.replacingOccurrences(of: "_", with: " ") }

    private static func withArticle(_ noun: String) -> String {
        (noun.first.map { "aeiou".contains($0) } ?? false ? "an " : "a ") + noun
    }

    private static let assignmentReasons = [
        "opened": "newly opened", "resumed": "the documents asked for came in", "reassigned": "reassigned to you",
        "escalated": "escalated to you",
    ]

    /// Sentences, each ending with its full stop, about what happened to a ticket.
    private static let ticketChanges = [
        "created": "We received it.", "status_changed": "Its status changed.", "priority_changed": "Its priority changed.",
        "commented": "There is a new comment on it.", "assigned": "It was given to a member of our team.",
    ]

    private static let securityKinds: [String: (summary: String, sentence: String)] = [
        "login_failed": ("a failed sign-in", "Someone tried to sign in to your account with a wrong password."),
        "account_locked": ("your account was locked", "Your account was locked after too many failed sign-ins in a row."),
        "password_changed": ("your password was changed", "Your password was changed and your other sessions were signed out."),
        "mfa_enabled": ("two-step verification is on", "Two-step verification was turned on for your account."),
        "sessions_revoked": ("you were signed out everywhere", "You were signed out on all your devices."),
    ]

    private static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]

    /// `26 November 2026`.
    private static func day(_ date: CalendarDate) -> String { "\(date.day) \(months[date.month - 1]) \(date.year)" }

    /// `26 November 2026 at 10:00 UTC`: the platform's times are UTC, and the words say so.
    private static func dateAndTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let time = String(format: "%02d:%02d", parts.hour!, parts.minute!)
        return "\(parts.day!) \(months[parts.month! - 1]) \(parts.year!) at \(time) UTC"
    }
}
