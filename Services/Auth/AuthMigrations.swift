import Persistence

enum AuthMigrations {
    static let all: [Migration] = [
        Migration(
            id: "auth-0001-users",
            statements: [
                """
                CREATE TABLE users (
                    id uuid PRIMARY KEY,
                    email text NOT NULL UNIQUE,
                    password_hash text NOT NULL,
                    full_name text NOT NULL,
                    phone text,
                    role text NOT NULL,
                    status text NOT NULL,
                    mfa_secret text,
                    mfa_enabled boolean NOT NULL DEFAULT false,
                    failed_logins integer NOT NULL DEFAULT 0,
                    locked_until timestamptz,
                    version integer NOT NULL DEFAULT 1,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now())
                """,
                """
                CREATE TABLE verification_codes (
                    user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                    code_hash text NOT NULL,
                    expires_at timestamptz NOT NULL,
                    attempts integer NOT NULL DEFAULT 0,
                    created_at timestamptz NOT NULL DEFAULT now())
                """,
            ]),
        // A phone proves itself with a code sent there by SMS; the code is kept beside the number
        // it was sent to, so a code for an old number never verifies a new one.
        Migration(
            id: "auth-0002-phone-verification",
            statements: [
                "ALTER TABLE users ADD COLUMN phone_verified_at timestamptz",
                """
                CREATE TABLE phone_codes (
                    user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                    phone text NOT NULL,
                    code_hash text NOT NULL,
                    expires_at timestamptz NOT NULL,
                    attempts integer NOT NULL DEFAULT 0,
                    sent_at timestamptz NOT NULL DEFAULT now())
                """,
            ]),
        // Sessions of record: Redis holds only a cache of the live ones, which a crash or a
        // failover may lose (docs/DECISIONS.md, "Sessions live in the database").
        Migration(
            id: "auth-0003-sessions",
            statements: [
                """
                CREATE TABLE sessions (
                    id text PRIMARY KEY,
                    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    refresh_hash text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    ends_at timestamptz NOT NULL,
                    idle_until timestamptz NOT NULL,
                    ended_at timestamptz)
                """,
                "CREATE INDEX sessions_live_by_user ON sessions (user_id) WHERE ended_at IS NULL",
                "CREATE INDEX sessions_by_end ON sessions (ended_at) WHERE ended_at IS NOT NULL",
            ]),
    ]
}
