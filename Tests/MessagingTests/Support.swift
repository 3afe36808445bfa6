import Foundation
import Logging
import Messaging
import TestSupport
import Testing

func amqpConfiguration() throws -> AMQPConfiguration {
    try AMQPConfiguration(url: TestEnvironment.require("RABBITMQ_URL"))
}

/// A started connection that is connected; closed by the caller.
func connectedConnection(_ name: String, topology: Topology = Topology()) async throws -> AMQPConnection {
    let connection = AMQPConnection(
        name: name, configuration: try amqpConfiguration(), topology: topology, logger: Logger(label: "test.\(name)"))
    connection.start()
    try #require(await eventually { connection.isConnected }, "could not connect to RabbitMQ")
    return connection
}

func message(_ text: String, id: String = UUID().uuidString, type: String = "test.message.v1") -> OutgoingMessage {
    OutgoingMessage(body: Array(text.utf8), properties: MessageProperties(messageID: id, type: type))
}
