import Contracts
import Foundation
import ServiceKit

let host = try ServiceHost(.notifications, topology: PlatformTopology.durableQueue(ServiceName.notifications.commandsQueue))
_ = try host.useDatabase(migrations: [])
let mail = try MailFolder(
    path: host.configuration.reader.string(forKey: "mail.dir", default: ".run/mail"),
    sender: host.configuration.reader.string(forKey: "mail.from", default: "Lending Platform <no-reply@lending.local>"))

var commands = MessageHandlers()
commands.on(NotificationCommands.SendEmail.self) { email, context in
    try mail.deliver(email, messageID: context.messageID)
    context.logger.info("email written", metadata: ["folder": "\(mail.directory.path)"])
}
host.consume(ServiceName.notifications.commandsQueue, handlers: commands)
try await host.run()
