import Persistence

enum AnalyticsMigrations {
    static let all: [Migration] = [
        Migration(id: "analytics-0001-event-store", statements: [
            """
            CREATE TABLE analytics.events (
                seq bigserial PRIMARY KEY,
                message_id text NOT NULL UNIQUE,
                type text NOT NULL,
                routing_key text NOT NULL,
                source text,
                occurred_at timestamptz NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now(),
                payload jsonb NOT NULL)
            """,
            "CREATE INDEX events_type_occurred_at ON analytics.events (type, occurred_at)",
        ])
    ]
}
