import Persistence

enum NotificationsMigrations {
    static let all: [Migration] = [
        // Who can be told, as `auth` announces them: emails and roles (a read model).
        Migration(id: "notifications-0001-recipients", statements: [
            """
            CREATE TABLE notifications.recipients (
                user_id uuid PRIMARY KEY,
                email text NOT NULL,
                role text NOT NULL,
                active boolean NOT NULL DEFAULT true,
                updated_at timestamptz NOT NULL DEFAULT now())
            """,
            "CREATE INDEX recipients_by_role ON notifications.recipients (role) WHERE active",
        ]),
        Migration(id: "notifications-0002-inbox", statements: [
            """
            CREATE TABLE notifications.inbox (
                id uuid PRIMARY KEY,
                user_id uuid NOT NULL,
                type text NOT NULL,
                title text NOT NULL,
                body text NOT NULL,
                data jsonb NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                read_at timestamptz)
            """,
            "CREATE INDEX inbox_by_user ON notifications.inbox (user_id, created_at DESC)",
            "CREATE INDEX inbox_unread ON notifications.inbox (user_id) WHERE read_at IS NULL",
            """
            CREATE TABLE notifications.preferences (
                user_id uuid PRIMARY KEY,
                email boolean NOT NULL,
                websocket boolean NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now())
            """,
        ]),
    ]
}
