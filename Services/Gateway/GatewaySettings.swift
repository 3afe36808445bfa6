import Configuration

struct GatewaySettings: Sendable {
    let port: Int
    /// The largest JSON body accepted (larger → 413).
    let maximumBodyBytes: Int
    /// How long the gateway waits for a service before answering 504.
    let serviceTimeout: Duration

    init(_ reader: ConfigReader) {
        port = reader.int(forKey: "gateway.port", default: 8080)
        maximumBodyBytes = reader.int(forKey: "gateway.max.body.bytes", default: 1_048_576)
        serviceTimeout = .milliseconds(reader.int(forKey: "gateway.service.timeout.ms", default: 5000))
    }
}
