import Foundation
import PostgresNIO

public enum DatabaseConfigurationError: Error, CustomStringConvertible {
    case invalidURL(String)

    public var description: String {
        switch self {
        case .invalidURL(let url): "invalid database URL (want postgres://user:password@host:port/database): \(url)"
        }
    }
}

extension PostgresClient.Configuration {
    /// Reads `postgres://user:password@host:port/database[?sslmode=disable|prefer|require]`.
    /// Without `sslmode`, loopback hosts use plain TCP and every other host requires TLS.
    ///
    /// - Throws: ``DatabaseConfigurationError/invalidURL(_:)`` for another scheme, or a URL without
    ///   a host or a user.
    public init(url: String, maximumConnections: Int = 20) throws {
        guard let components = URLComponents(string: url),
            components.scheme == "postgres" || components.scheme == "postgresql",
            let host = components.host, let user = components.user
        else { throw DatabaseConfigurationError.invalidURL(url) }
        let database = String(components.path.dropFirst())
        let sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value
        let isLoopback = host == "127.0.0.1" || host == "localhost" || host == "::1"
        let tls: TLS =
            switch sslMode ?? (isLoopback ? "disable" : "require") {
            case "disable": .disable
            case "prefer": .prefer(.makeClientConfiguration())
            default: .require(.makeClientConfiguration())
            }
        self.init(
            host: host, port: components.port ?? 5432, username: user, password: components.password,
            database: database.isEmpty ? nil : database, tls: tls)
        options.maximumConnections = maximumConnections
        options.connectTimeout = .seconds(5)
    }
}
