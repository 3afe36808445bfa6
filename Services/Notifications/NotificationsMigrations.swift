import Persistence

enum NotificationsMigrations {
    static let all: [Migration] = [
        // Who can be told, as `auth` announces them: emails and roles (a read model).
        Migration(
            id: "notifications-0001-recipients",
            statements: [
                """
                CREATE TABLE recipients (
                    user_id uuid PRIMARY KEY,
                    email text NOT NULL,
                    role text NOT NULL,
                    active boolean NOT NULL DEFAULT true,
                    updated_at timestamptz NOT NULL DEFAULT now())
                """,
                "CREATE INDEX recipients_by_role ON recipients (role) WHERE active",
            ]),
        Migration(
            id: "notifications-0002-inbox",
            statements: [
                """
                CREATE TABLE inbox (
                    id uuid PRIMARY KEY,
                    user_id uuid NOT NULL,
                    type text NOT NULL,
                    title text NOT NULL,
                    body text NOT NULL,
                    data jsonb NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    read_at timestamptz)
                """,
                "CREATE INDEX inbox_by_user ON inbox (user_id, created_at DESC)",
                "CREATE INDEX inbox_unread ON inbox (user_id) WHERE read_at IS NULL",
                """
                CREATE TABLE preferences (
                    user_id uuid PRIMARY KEY,
                    email boolean NOT NULL,
                    websocket boolean NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now())
                """,
            ]),
        Migration(
            id: "notifications-0003-webhooks",
            statements: [
                """
                CREATE TABLE webhooks (
                    id uuid PRIMARY KEY,
                    url text NOT NULL,
                    events text[] NOT NULL,
                    secret text NOT NULL,
                    active boolean NOT NULL DEFAULT true,
                    created_by uuid NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now())
                """,
                """
                CREATE TABLE webhook_deliveries (
                    id uuid PRIMARY KEY,
                    webhook_id uuid NOT NULL REFERENCES webhooks,
                    message_id text NOT NULL,
                    event_type text NOT NULL,
                    body text NOT NULL,
                    status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
                    attempts integer NOT NULL DEFAULT 0,
                    next_attempt_at timestamptz NOT NULL DEFAULT now(),
                    last_status_code integer,
                    last_error text,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    delivered_at timestamptz,
                    UNIQUE (webhook_id, message_id))
                """,
                "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'",
                "CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, created_at DESC)",
            ]),
        // The sync feed: each user's inbox.
        ChangeLog.migration(
            id: "notifications-0004-change-log",
            sources: [
                .init(table: "inbox", entity: "notification", owner: "r.user_id")
            ]),
    ]
}
