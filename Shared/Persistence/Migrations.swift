import Logging
import PostgresNIO

/// One step of a schema's history. Applied once, in order, in a transaction of its own; its id is
/// recorded in `<schema>.schema_migrations`. Never edit an applied migration: add the next one.
public struct Migration: Sendable {
    public let id: String
    public let statements: [String]

    /// - Parameters:
    ///   - id: unique in the schema's history and never reused, e.g. `loans-0007-payments`.
    ///   - statements: SQL run in order in one transaction; unqualified names are in the schema.
    public init(id: String, statements: [String]) {
        self.id = id
        self.statements = statements
    }
}

/// Brings a service's schema up to date at start-up. Replicas starting together serialise on a
/// PostgreSQL advisory lock, so each migration runs exactly once.
public struct Migrator: Sendable {
    let database: Database
    let migrations: [Migration]

    /// `migrations` are the service's own; the outbox and inbox tables every service has come first.
    public init(database: Database, migrations: [Migration]) {
        self.database = database
        self.migrations = Self.platformMigrations(schema: database.schema) + migrations
    }

    /// Creates the schema if it is missing and applies every migration not yet recorded, in order.
    ///
    /// - Throws: the error of the first migration that failed; it is rolled back, those before it
    ///   stay applied, and the next run starts from it.
    public func run() async throws {
        let schema = database.schema
        let logger = database.logger
        try await database.client.withConnection { connection in
            let lock = "migrations:\(schema)"
            try await connection.query("SELECT pg_advisory_lock(hashtext(\(lock)))", logger: logger)
            do {
                try await connection.query("CREATE SCHEMA IF NOT EXISTS \(unescaped: schema)", logger: logger)
                try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                    """, logger: logger)
                var applied = Set<String>()
                for try await id in try await connection.query("SELECT id FROM schema_migrations", logger: logger).decode(String.self) {
                    applied.insert(id)
                }
                for migration in migrations where !applied.contains(migration.id) {
                    try await connection.withTransaction(logger: logger) { connection in
                        for statement in migration.statements {
                            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                        try await connection.query("INSERT INTO schema_migrations (id) VALUES (\(migration.id))", logger: logger)
                    }
                    logger.info("applied migration", metadata: ["migration": "\(migration.id)", "schema": "\(schema)"])
                }
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(hashtext(\(lock)))", logger: logger)
                throw error
            }
            try await connection.query("SELECT pg_advisory_unlock(hashtext(\(lock)))", logger: logger)
        }
    }

    static func platformMigrations(schema: String) -> [Migration] {
        [
            Migration(
                id: "platform-0001-outbox",
                statements: [
                    """
                    CREATE TABLE outbox (
                        id bigserial PRIMARY KEY,
                        message_id uuid NOT NULL UNIQUE,
                        exchange text NOT NULL,
                        routing_key text NOT NULL,
                        type text NOT NULL,
                        body text NOT NULL,
                        headers jsonb NOT NULL DEFAULT '{}',
                        created_at timestamptz NOT NULL DEFAULT now())
                    """,
                    """
                    CREATE FUNCTION notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN PERFORM pg_notify('\(Outbox.channel(schema: schema))', ''); RETURN NULL; END $$
                    """,
                    """
                    CREATE TRIGGER outbox_written AFTER INSERT ON outbox
                    FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox()
                    """,
                ]),
            Migration(
                id: "platform-0002-inbox",
                statements: [
                    """
                    CREATE TABLE processed_messages (
                        message_id text PRIMARY KEY,
                        processed_at timestamptz NOT NULL DEFAULT now())
                    """
                ]),
            Migration(
                id: "platform-0003-idempotent-replies",
                statements: [
                    """
                    CREATE TABLE idempotent_replies (
                        key text PRIMARY KEY,
                        status integer,
                        body text,
                        created_at timestamptz NOT NULL DEFAULT now())
                    """,
                    "CREATE INDEX idempotent_replies_age ON idempotent_replies (created_at)",
                ]),
        ]
    }
}
