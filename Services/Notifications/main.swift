import Contracts
import Foundation
import Messaging
import ServiceKit

// Who hears what, on which channel: the in-app inbox, WebSocket pushes (through the gateways) and
// email (the `.eml` folder in local mode), from the domain events; plus the emails other services
// send as commands (`auth`'s one-time codes).
let host = try ServiceHost(
    .notifications,
    topology: PlatformTopology.durableQueue(ServiceName.notifications.commandsQueue)
        + PlatformTopology.durableQueue(ServiceName.notifications.eventsQueue, eventRoutingKeys: Notifier.routingKeys + Recipients.routingKeys))
let database = try host.useDatabase(migrations: NotificationsMigrations.all)
let mail = try MailFolder(
    path: host.configuration.reader.string(forKey: "mail.dir", default: ".run/mail"),
    sender: host.configuration.reader.string(forKey: "mail.from", default: "Lending Platform <no-reply@lending.local>"))

var commands = MessageHandlers()
commands.on(NotificationCommands.SendEmail.self) { email, context in
    try mail.deliver(email, messageID: context.messageID)
    context.logger.info("email written", metadata: ["folder": "\(mail.directory.path)"])
}
host.consume(ServiceName.notifications.commandsQueue, handlers: commands)

let recipients = Recipients(database: database)
var events = MessageHandlers()
recipients.register(on: &events)
Notifier(database: database, recipients: recipients, templates: try Templates()).register(on: &events)
host.consume(ServiceName.notifications.eventsQueue, handlers: events)
InboxOperations(database: database).register(on: &host.rpc)
try await host.run()
