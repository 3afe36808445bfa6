import Mustache

/// The words of every notice: for each type a title (inbox, push and email subject), an inbox
/// body and an email text, as Mustache templates over the notice's `data`. Plain text: values go
/// in with triple braces, unescaped. No template ever includes a one-time code (those travel only
/// in `auth`'s own emails).
struct Templates: Sendable {
    enum Channel: String, CaseIterable {
        case title, inbox, email
    }

    private let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        for (type, texts) in Self.texts {
            for (channel, text) in zip(Channel.allCases, [texts.title, texts.inbox, texts.email]) {
                try library.register(text, named: "\(type).\(channel.rawValue)")
            }
        }
        self.library = library
    }

    /// The text of `type` for `channel`; a type without templates reads as its name.
    func render(_ type: String, _ channel: Channel, data: [String: String]) -> String {
        library.render(data, withTemplate: "\(type).\(channel.rawValue)") ?? type
    }

    private static let footer = "\n\nYou can turn email notifications off in your notification preferences.\n"

    private static let texts: [String: (title: String, inbox: String, email: String)] = [
        "application_status_changed": (
            "Your application is now {{{status}}}",
            "Application {{{application_id}}} moved{{#from}} from {{{from}}}{{/from}} to {{{status}}}.",
            "Hello,\n\nYour credit application {{{application_id}}} is now {{{status}}}." + footer
        ),
        "documents_requested": (
            "Documents needed for your application",
            "Your approver asked for more documents for application {{{application_id}}}. Upload them to continue.",
            "Hello,\n\nTo continue with credit application {{{application_id}}}, please upload the documents your approver asked for."
                + footer
        ),
        "stage_assigned": (
            "Application to decide: level {{{level}}} ({{{role}}})",
            "Application {{{application_id}}} waits for your decision at level {{{level}}}, due {{{due_at}}} ({{{reason}}}).",
            "Hello,\n\nCredit application {{{application_id}}} waits for your decision as {{{role}}} (level {{{level}}}).\n"
                + "It is due by {{{due_at}}}." + footer
        ),
        "new_application": (
            "New application waiting for a {{{role}}}",
            "Application {{{application_id}}} waits at level {{{level}}} and nobody has it yet.",
            "Hello,\n\nCredit application {{{application_id}}} waits for a {{{role}}} at level {{{level}}}." + footer
        ),
        "sla_breached": (
            "An approval is overdue",
            "Level {{{role}}} of application {{{application_id}}} passed its SLA and was escalated.",
            "Hello,\n\nThe {{{role}}} level of credit application {{{application_id}}} passed its SLA; it was handed to another {{{role}}}."
                + footer
        ),
        "ticket_updated": (
            "Your support ticket is {{{status}}}",
            "Ticket {{{ticket_id}}}: {{{change}}}, now {{{status}}}.",
            "Hello,\n\nYour support ticket {{{ticket_id}}} is now {{{status}}}." + footer
        ),
        "ticket_assigned": (
            "Support ticket for you",
            "Ticket {{{ticket_id}}} is yours to answer.",
            "Hello,\n\nSupport ticket {{{ticket_id}}} was given to you." + footer
        ),
        "ticket_sla_breached": (
            "A support ticket is overdue",
            "Ticket {{{ticket_id}}} passed its SLA.",
            "Hello,\n\nSupport ticket {{{ticket_id}}} passed its SLA." + footer
        ),
        "instalment_overdue": (
            "An instalment is overdue",
            "Instalment {{{number}}} of loan {{{loan_id}}} is overdue: {{{amount_due}}} to pay.",
            "Hello,\n\nInstalment {{{number}}} of your loan {{{loan_id}}} is overdue; {{{amount_due}}} is due." + footer
        ),
        "security_alert": (
            "Security notice: {{{kind}}}",
            "Your account: {{{kind}}}{{#client_ip}} (from {{{client_ip}}}){{/client_ip}}.",
            "Hello,\n\nSomething changed in your account's security: {{{kind}}}{{#client_ip}} (from {{{client_ip}}}){{/client_ip}}.\n"
                + "If this was not you, change your password and contact support." + footer
        ),
        "loan_disbursed": (
            "Your loan was paid out",
            "Loan {{{loan_id}}} of {{{principal}}} was disbursed.",
            "Hello,\n\nYour loan {{{loan_id}}} of {{{principal}}} was disbursed. Your repayment schedule is in the app." + footer
        ),
    ]
}
