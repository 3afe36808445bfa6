import Mustache

/// The words of every notice: for each type a title (inbox, push and email subject), an inbox
/// body and an email text, as Mustache templates over the notice's words (`NoticeWords`), never
/// its raw `data`. Plain text: values go in with triple braces, unescaped. No template ever
/// includes a one-time code (those travel only in `auth`'s own emails).
struct Templates: Sendable {
    enum Channel: String, CaseIterable {
        case title, inbox, email
    }

    /// Every notice type that has words.
    static var types: Set<String> { Set(texts.keys) }

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

    /// The text of `notice` for `channel`; a type without templates reads as its name.
    func render(_ notice: Notice, _ channel: Channel) -> String {
        library.render(NoticeWords.of(notice.data), withTemplate: "\(notice.type).\(channel.rawValue)") ?? notice.type
    }

    private static let footer = "\n\nYou can turn email notifications off in your notification preferences.\n"

    private static let texts: [String: (title: String, inbox: String, email: String)] = [
        "application_status_changed": (
            "Your application is now {{{status}}}",
            "Your application, reference {{{application_reference}}}, moved{{#from}} from {{{from}}}{{/from}} to {{{status}}}.",
            "Hello,\n\nYour credit application, reference {{{application_reference}}}, is now {{{status}}}." + footer
        ),
        "documents_requested": (
            "Documents needed for your application",
            "Your approver asked for more documents for your application, reference {{{application_reference}}}. Upload them to continue.",
            "Hello,\n\nTo continue with your credit application, reference {{{application_reference}}}, please upload the documents your "
                + "approver asked for." + footer
        ),
        "stage_assigned": (
            "An application waits for your decision as {{{role}}}",
            "Application {{{application_reference}}} waits for your decision at level {{{level}}} ({{{reason}}}). It is due by {{{due_at}}}.",
            "Hello,\n\nCredit application {{{application_reference}}} waits for your decision as {{{role}}} (level {{{level}}}).\n"
                + "It is due by {{{due_at}}}." + footer
        ),
        "new_application": (
            "New application waiting for {{{a_role}}}",
            "Application {{{application_reference}}} waits at level {{{level}}} and nobody has it yet.",
            "Hello,\n\nCredit application {{{application_reference}}} waits for {{{a_role}}} at level {{{level}}}." + footer
        ),
        "sla_breached": (
            "An approval is overdue",
            "The {{{role}}} level of application {{{application_reference}}} passed its deadline and was escalated.",
            "Hello,\n\nThe {{{role}}} level of credit application {{{application_reference}}} passed its deadline; it was handed to "
                + "another {{{role}}}." + footer
        ),
        "ticket_updated": (
            "Your support ticket is {{{status}}}",
            "Your support ticket, reference {{{ticket_reference}}}, is now {{{status}}}. {{{change}}}",
            "Hello,\n\nYour support ticket, reference {{{ticket_reference}}}, is now {{{status}}}." + footer
        ),
        "ticket_assigned": (
            "Support ticket for you",
            "Support ticket {{{ticket_reference}}} is yours to answer.",
            "Hello,\n\nSupport ticket {{{ticket_reference}}} was given to you to answer." + footer
        ),
        "ticket_sla_breached": (
            "A support ticket is overdue",
            "Support ticket {{{ticket_reference}}} passed its deadline.",
            "Hello,\n\nSupport ticket {{{ticket_reference}}} passed its deadline." + footer
        ),
        "instalment_overdue": (
            "An instalment is overdue",
            "Instalment {{{number}}} of your loan, reference {{{loan_reference}}}{{#due_date}}, due on {{{due_date}}}{{/due_date}}, "
                + "is overdue: {{{amount_due}}} to pay.",
            "Hello,\n\nInstalment {{{number}}} of your loan, reference {{{loan_reference}}}{{#due_date}}, due on {{{due_date}}}{{/due_date}}, "
                + "is overdue; {{{amount_due}}} is due." + footer
        ),
        "security_alert": (
            "Security notice: {{{kind_summary}}}",
            "{{{kind_sentence}}}{{#client_ip}} The request came from the address {{{client_ip}}}.{{/client_ip}}",
            "Hello,\n\n{{{kind_sentence}}}{{#client_ip}} The request came from the address {{{client_ip}}}.{{/client_ip}}\n"
                + "If this was not you, change your password and contact support." + footer
        ),
        "loan_disbursed": (
            "Your loan was paid out",
            "Your loan of {{{principal}}}, reference {{{loan_reference}}}, was paid out.",
            "Hello,\n\nYour loan of {{{principal}}}, reference {{{loan_reference}}}, was paid out. Your repayment schedule is in the app."
                + footer
        ),
    ]
}
