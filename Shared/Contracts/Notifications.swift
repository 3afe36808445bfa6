/// A command to `notifications`, sent to its durable `notifications.commands` queue (not to the
/// events exchange: an email may carry a one-time code that no event store should keep).
public protocol NotificationCommand: BusMessage {}

public enum NotificationCommands {
    public struct SendEmail: NotificationCommand, Equatable {
        public static let type = "notifications.email.send.v1"
        public var to: String
        public var subject: String
        public var text: String

        public init(to: String, subject: String, text: String) {
            self.to = to
            self.subject = subject
            self.text = text
        }
    }
}
