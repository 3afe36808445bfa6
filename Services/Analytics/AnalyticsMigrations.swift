import Persistence

enum AnalyticsMigrations {
    static let all: [Migration] = [
        Migration(
            id: "analytics-0001-event-store",
            statements: [
                """
                CREATE TABLE events (
                    seq bigserial PRIMARY KEY,
                    message_id text NOT NULL UNIQUE,
                    type text NOT NULL,
                    routing_key text NOT NULL,
                    source text,
                    occurred_at timestamptz NOT NULL,
                    recorded_at timestamptz NOT NULL DEFAULT now(),
                    payload jsonb NOT NULL)
                """,
                "CREATE INDEX events_type_occurred_at ON events (type, occurred_at)",
            ]),
        // The audit log: a hash chain. Each entry's hash covers its fields and the hash before it,
        // computed by one SQL function for writing and for verifying, so both read the stored values
        // the same way.
        Migration(
            id: "analytics-0002-audit-log",
            statements: [
                """
                CREATE TABLE audit_log (
                    seq bigint PRIMARY KEY,
                    at timestamptz NOT NULL,
                    actor_id uuid,
                    actor_role text,
                    action text NOT NULL,
                    entity text NOT NULL,
                    entity_id text,
                    details text NOT NULL,
                    message_id text NOT NULL UNIQUE,
                    prev_hash text NOT NULL,
                    hash text NOT NULL)
                """,
                "CREATE INDEX audit_log_by_actor ON audit_log (actor_id, seq)",
                "CREATE INDEX audit_log_by_action ON audit_log (action, seq)",
                """
                CREATE FUNCTION audit_hash(
                    seq bigint, at timestamptz, actor_id uuid, actor_role text, action text, entity text, entity_id text, details text,
                    prev_hash text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
                    SELECT encode(sha256(convert_to(concat_ws(E'\\n', seq::text, extract(epoch FROM at)::text, coalesce(actor_id::text, ''),
                        coalesce(actor_role, ''), action, entity, coalesce(entity_id, ''), details, prev_hash), 'UTF8')), 'hex')
                $$
                """,
            ]),
        // Request counts as the gateways report them every few seconds (not one row per request).
        Migration(
            id: "analytics-0003-traffic",
            statements: [
                """
                CREATE TABLE traffic (
                    message_id text NOT NULL,
                    window_end timestamptz NOT NULL,
                    method text NOT NULL,
                    path text NOT NULL,
                    status_class text NOT NULL,
                    role text NOT NULL,
                    count integer NOT NULL,
                    latency integer[] NOT NULL,
                    PRIMARY KEY (message_id, method, path, status_class, role))
                """,
                "CREATE INDEX traffic_by_time ON traffic (window_end)",
            ]),
    ]
}
