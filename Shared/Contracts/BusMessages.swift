/// What every consumer accepts from the bus, so that a message no service sends is told apart
/// from an event a consumer merely does not act on.
public enum BusMessages {
    /// Larger bodies are poison: the platform's messages are a few kilobytes.
    public static let maximumBodyBytes = 1 << 20

    /// Every message type the platform sends. Add each new one here.
    public static let catalogue: [any BusMessage.Type] = [
        AuthEvents.UserRegistered.self, AuthEvents.UserVerified.self, AuthEvents.UserCreated.self,
        AuthEvents.UserUpdated.self, AuthEvents.SecurityEvent.self,
        LoansEvents.ApplicationSubmitted.self, LoansEvents.DocumentUploaded.self, LoansEvents.DocumentWaived.self,
        LoansEvents.ApplicationStatusChanged.self, LoansEvents.CustomerFileChanged.self, LoansEvents.PhoneChanged.self,
        LoansEvents.PaymentReceived.self, LoansEvents.InstalmentOverdue.self, LoansEvents.LoanDisbursed.self,
        AnalysisEvents.Requested.self, AnalysisEvents.Completed.self,
        ApprovalsEvents.AnalysisStarted.self, ApprovalsEvents.AwaitingDecision.self, ApprovalsEvents.DocumentsRequested.self,
        ApprovalsEvents.Approved.self, ApprovalsEvents.Rejected.self, ApprovalsEvents.StageAssigned.self,
        ApprovalsEvents.PolicyUpdated.self, ApprovalsEvents.StageDecided.self, ApprovalsEvents.SLABreached.self,
        TicketEvents.Updated.self, TicketEvents.SLABreached.self,
        NotificationCommands.SendEmail.self, NotificationCommands.SendSMS.self, PushMessage.self, TrafficReport.self,
    ]

    /// The families of the catalogue's types: the types without their version.
    public static let families = Set(catalogue.map { family(of: $0.type) })

    /// A type without its version (`loans.payment.received.v1` → `loans.payment.received`): the
    /// routing key of an event, shared by its versions.
    public static func family(of type: String) -> String {
        let parts = type.split(separator: ".")
        guard let last = parts.last, last.hasPrefix("v"), Int(last.dropFirst()) != nil else { return type }
        return parts.dropLast().joined(separator: ".")
    }

    /// Whether the platform sends messages of this type's family: a version a consumer does not
    /// handle yet (a `.v2` beside the `.v1`) is known; a family nobody sends is poison.
    public static func isKnown(_ type: String) -> Bool {
        families.contains(family(of: type))
    }
}
