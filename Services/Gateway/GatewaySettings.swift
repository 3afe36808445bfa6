import Configuration

struct GatewaySettings: Sendable {
    let port: Int
    /// The largest JSON body accepted (larger → 413).
    let maximumBodyBytes: Int
    /// How long the gateway waits for a service before answering 504.
    let serviceTimeout: Duration
    /// Peers whose `X-Forwarded-For` is believed (load balancers); nobody by default.
    let trustedProxies: Set<String>
    /// Origins allowed to call the API from a browser (CORS); none by default.
    let allowedOrigins: Set<String>
    let limits: RateLimits
    /// Where uploaded documents are kept (a folder; see `BlobStore`).
    let blobDirectory: String
    /// The web front end's files (see `WebFrontEnd`).
    let webRoot: String
    /// How often an open WebSocket gets a heartbeat.
    let heartbeat: Duration
    /// How often the replica sends its traffic figures to analytics.
    let trafficReportInterval: Duration

    struct RateLimits: Sendable {
        /// Requests per minute per client address, on every `/api/v1` route.
        let perAddress: Int
        /// Requests per minute per signed-in user.
        let perUser: Int
        /// Sign-in and code attempts per minute per client address.
        let signInPerAddress: Int
        /// Sign-in and code attempts per minute per account (email).
        let signInPerAccount: Int
    }

    init(_ reader: ConfigReader) {
        port = reader.int(forKey: "gateway.port", default: 8080)
        maximumBodyBytes = reader.int(forKey: "gateway.max.body.bytes", default: 1_048_576)
        serviceTimeout = .milliseconds(reader.int(forKey: "gateway.service.timeout.ms", default: 5000))
        trustedProxies = Self.list(reader.string(forKey: "gateway.trusted.proxies", default: ""))
        allowedOrigins = Self.list(reader.string(forKey: "gateway.cors.origins", default: ""))
        blobDirectory = reader.string(forKey: "blob.dir", default: ".run/blobs")
        webRoot = reader.string(forKey: "gateway.web.root", default: "Services/Gateway/Web")
        heartbeat = .seconds(reader.int(forKey: "gateway.ws.heartbeat.seconds", default: 30))
        trafficReportInterval = .seconds(reader.int(forKey: "gateway.traffic.report.seconds", default: 5))
        limits = RateLimits(
            perAddress: reader.int(forKey: "gateway.rate.limit.per.ip", default: 600),
            perUser: reader.int(forKey: "gateway.rate.limit.per.user", default: 1200),
            signInPerAddress: reader.int(forKey: "gateway.rate.limit.sign.in.per.ip", default: 30),
            signInPerAccount: reader.int(forKey: "gateway.rate.limit.sign.in.per.account", default: 10))
    }

    private static func list(_ value: String) -> Set<String> {
        Set(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }
}
