import struct Foundation.URLComponents

/// Where and how to connect, parsed from a URL:
/// - `redis://[[user]:password@]host[:port][/db]`: one server;
/// - `redis+sentinel://[[user]:password@]host:port,host:port,…/primary-name[/db]`: the sentinels
///   that watch the primary named `primary-name`. The client asks them for the primary's address
///   at every connect, so it follows a failover. The credentials are the data servers'; the
///   sentinels are asked without them.
struct RedisEndpoint: Sendable {
    struct Address: Sendable, Hashable, CustomStringConvertible {
        let host: String
        let port: Int

        var description: String { "\(host):\(port)" }
    }

    enum Servers: Sendable {
        case single(Address)
        case sentinels([Address], primaryName: String)
    }

    let servers: Servers
    let username: String?
    let password: String?
    let database: Int

    init(url: String) throws(RedisError) {
        self = url.hasPrefix("redis+sentinel://") ? try Self.parse(sentinelURL: url) : try Self.parse(url: url)
    }

    private init(servers: Servers, username: String?, password: String?, database: Int) {
        self.servers = servers
        self.username = username
        self.password = password
        self.database = database
    }

    private static func parse(url: String) throws(RedisError) -> RedisEndpoint {
        guard let components = URLComponents(string: url), components.scheme == "redis",
            let host = components.host, !host.isEmpty
        else { throw .invalidURL(url) }
        let path = components.path.drop(while: { $0 == "/" })
        guard let database = path.isEmpty ? 0 : Int(path), database >= 0 else { throw .invalidURL(url) }
        // `redis://:secret@host` has an empty user: plain `AUTH secret`, not ACL `AUTH user secret`.
        return RedisEndpoint(
            servers: .single(Address(host: host, port: components.port ?? 6379)),
            username: components.user.flatMap { $0.isEmpty ? nil : $0 }, password: components.password, database: database)
    }

    /// URLComponents takes one host only, so the sentinel form is split by hand; the credentials
    /// part is read by URLComponents on a one-host stand-in, which also decodes percent escapes.
    private static func parse(sentinelURL url: String) throws(RedisError) -> RedisEndpoint {
        var rest = url.dropFirst("redis+sentinel://".count)
        var credentials: URLComponents?
        if let at = rest.lastIndex(of: "@") {
            credentials = URLComponents(string: "redis://\(rest[..<at])@stand-in")
            guard credentials != nil else { throw .invalidURL(url) }
            rest = rest[rest.index(after: at)...]
        }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, !parts[1].isEmpty else { throw .invalidURL(url) }
        var sentinels: [Address] = []
        for hostPort in parts[0].split(separator: ",") {
            guard let colon = hostPort.lastIndex(of: ":"), let port = Int(hostPort[hostPort.index(after: colon)...]),
                colon > hostPort.startIndex
            else { throw .invalidURL(url) }
            sentinels.append(Address(host: String(hostPort[..<colon]), port: port))
        }
        guard !sentinels.isEmpty else { throw .invalidURL(url) }
        let database = parts.count == 3 ? Int(parts[2]) : 0
        guard let database, database >= 0 else { throw .invalidURL(url) }
        return RedisEndpoint(
            servers: .sentinels(sentinels, primaryName: String(parts[1])),
            username: credentials?.user.flatMap { $0.isEmpty ? nil : $0 }, password: credentials?.password, database: database)
    }

    /// For logs and errors: never includes the password.
    var description: String {
        switch servers {
        case .single(let address): "\(address)/\(database)"
        case .sentinels(let sentinels, let name): "primary '\(name)' of sentinels \(sentinels.map(\.description).joined(separator: ","))"
        }
    }
}
