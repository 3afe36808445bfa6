import struct Foundation.URLComponents

/// Where and how to connect, parsed from `redis://[[user]:password@]host[:port][/db]`.
struct RedisEndpoint: Sendable {
    let host: String
    let port: Int
    let username: String?
    let password: String?
    let database: Int

    init(url: String) throws(RedisError) {
        guard let components = URLComponents(string: url), components.scheme == "redis",
            let host = components.host, !host.isEmpty
        else { throw .invalidURL(url) }
        let path = components.path.drop(while: { $0 == "/" })
        guard let database = path.isEmpty ? 0 : Int(path), database >= 0 else { throw .invalidURL(url) }
        self.host = host
        self.port = components.port ?? 6379
        // `redis://:secret@host` has an empty user: plain `AUTH secret`, not ACL `AUTH user secret`.
        self.username = components.user.flatMap { $0.isEmpty ? nil : $0 }
        self.password = components.password
        self.database = database
    }

    /// For logs and errors: never includes the password.
    var address: String { "\(host):\(port)/\(database)" }
}
