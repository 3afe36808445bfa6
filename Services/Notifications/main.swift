import Contracts
import Foundation
import Messaging
import ServiceKit
import ServiceLifecycle

// Who hears what, on which channel: the in-app inbox, WebSocket pushes (through the gateways) and
// email (the `.eml` folder in local mode), from the domain events; plus the emails and texts other
// services send as commands (`auth`'s one-time codes); and signed webhooks of any event to outside systems.
let webhookQueue = WorkQueues.webhooks
let host = try ServiceHost(
    .notifications,
    topology: PlatformTopology.durableQueue(ServiceName.notifications.commandsQueue)
        + PlatformTopology.durableQueue(
            ServiceName.notifications.eventsQueue, eventRoutingKeys: Notifier.routingKeys + Recipients.routingKeys)
        // Bound to what the webhooks want, by WebhookRouting.
        + PlatformTopology.durableQueue(webhookQueue))
let database = try host.useDatabase(migrations: NotificationsMigrations.all)
let reader = host.configuration.reader
let sender = reader.string(forKey: "mail.from", default: "Lending Platform <no-reply@lending.local>")
let mail: any MailTransport =
    if let url = reader.string(forKey: "smtp.url") {
        SMTPMailer(
            settings: .init(
                url: url, username: reader.string(forKey: "smtp.username"), password: reader.string(forKey: "smtp.password"),
                startTLS: try SMTPMailer.StartTLS(reader.string(forKey: "smtp.starttls", default: "required"))),
            sender: sender)
    } else {
        try MailFolder(path: reader.string(forKey: "mail.dir", default: ".run/mail"), sender: sender)
    }
let sms = try SMSTransports.configured(
    provider: reader.string(forKey: "sms.provider", default: "local"), directory: reader.string(forKey: "sms.dir", default: ".run/sms"),
    http: reader.string(forKey: "sms.http.url").map {
        HTTPSMSProvider.Settings(
            url: $0, token: reader.string(forKey: "sms.http.token"), sender: reader.string(forKey: "sms.sender", default: "Lending"))
    })

var commands = MessageHandlers()
commands.on(NotificationCommands.SendEmail.self) { email, context in
    try await mail.deliver(email, messageID: context.messageID)
    // Never the address or the text: an email may carry a one-time code.
    context.logger.info("email sent")
}
commands.on(NotificationCommands.SendSMS.self) { text, context in
    try await sms.deliver(text, messageID: context.messageID)
    // Never the number or the text: a text may carry a one-time code.
    context.logger.info("sms sent")
}
host.consume(ServiceName.notifications.commandsQueue, handlers: commands)

let service = NotificationsService(database: database, templates: try Templates())
var events = MessageHandlers()
service.register(on: &events)
host.consume(ServiceName.notifications.eventsQueue, handlers: events)
service.register(on: &host.rpc)
host.serveChanges(SyncRPC.NotificationsChanges.self, from: database, scope: { ChangeFeed.Scope(owner: $0.userID) }) { _, id in
    try ChangeFeed.current(try await service.inbox.notification(id))
}

let routing = WebhookRouting(database: database, broker: host.publisher, queue: webhookQueue)
host.addStartupTask { try await routing.sync() }
host.addWork(PeriodicTask("webhook routing", every: .seconds(30), logger: host.logger) { try await routing.sync() })
let webhooks = Webhooks(
    database: database, routing: routing,
    targets: WebhookTargetSettings(
        allowHTTP: reader.bool(forKey: "webhook.allow.http", default: false),
        allowedInternal: Set(
            reader.string(forKey: "webhook.allowed.internal.addresses", default: "").split(separator: ",")
                .compactMap { WebhookTargetPolicy.numericAddress($0.trimmingCharacters(in: .whitespaces)) })),
    retryBase: .milliseconds(host.configuration.reader.int(forKey: "notifications.webhook.retry.base.ms", default: 1000)))
webhooks.register(on: &host.rpc)
let logger = host.logger
host.addWork(
    QueueConsumer(connection: host.consumer, queue: webhookQueue, prefetch: 32, logger: logger) { delivery in
        do {
            return try await webhooks.fanOut(delivery)
        } catch {
            logger.warning("cannot queue webhook deliveries, will retry", metadata: ["error": "\(String(reflecting: error))"])
            return .retry
        }
    })
host.addWork(
    PeriodicTask("webhook sender", every: .milliseconds(200), logger: logger) {
        // Rounds until nothing is due, but not past a shutdown: what is left is claimed again later.
        while !Task.isShuttingDownGracefully, try await webhooks.sendDue() > 0 {}
    })
try await host.run()
