import Contracts
import Foundation
import Persistence
import PostgresNIO

extension Outbox {
    /// Queues a domain event for `lending.events`, published once the transaction commits; returns
    /// the message id it will carry.
    @discardableResult
    public func publish<Event: DomainEvent>(_ event: Event, on connection: PostgresConnection) async throws -> String {
        let message = OutboxMessage(
            exchange: Exchanges.events, routingKey: Event.routingKey, type: Event.type,
            body: String(decoding: try JSON.encode(event), as: UTF8.self))
        try await enqueue(message, on: connection)
        return message.wireID
    }

    /// Queues a command for a service's durable commands queue (through the default exchange).
    ///
    /// - Parameters:
    ///   - service: the recipient, whose `<service>.commands` queue takes it.
    ///   - connection: the transaction that causes the command: it is sent only if it commits.
    public func send<Command: BusMessage>(
        _ command: Command, to service: ServiceName, on connection: PostgresConnection
    ) async throws {
        try await enqueue(
            OutboxMessage(
                exchange: "", routingKey: service.commandsQueue, type: Command.type,
                body: String(decoding: try JSON.encode(command), as: UTF8.self)),
            on: connection)
    }
}

extension Outbox {
    /// Queues a WebSocket push to `user`, for whichever gateway holds their sockets.
    public func push(_ message: PushMessage, to user: UUID, on connection: PostgresConnection) async throws {
        try await enqueue(
            OutboxMessage(
                exchange: Exchanges.push, routingKey: PushMessage.routingKey(for: user), type: PushMessage.type,
                body: String(decoding: try JSON.encode(message), as: UTF8.self)),
            on: connection)
    }
}
