import Persistence

enum AuthMigrations {
    static let all: [Migration] = [
        Migration(id: "auth-0001-users", statements: [
            """
            CREATE TABLE auth.users (
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
            CREATE TABLE auth.verification_codes (
                user_id uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
                code_hash text NOT NULL,
                expires_at timestamptz NOT NULL,
                attempts integer NOT NULL DEFAULT 0,
                created_at timestamptz NOT NULL DEFAULT now())
            """,
        ]),
        // A phone proves itself with a code sent there by SMS; the code is kept beside the number
        // it was sent to, so a code for an old number never verifies a new one.
        Migration(id: "auth-0002-phone-verification", statements: [
            "ALTER TABLE auth.users ADD COLUMN phone_verified_at timestamptz",
            """
            CREATE TABLE auth.phone_codes (
                user_id uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
                phone text NOT NULL,
                code_hash text NOT NULL,
                expires_at timestamptz NOT NULL,
                attempts integer NOT NULL DEFAULT 0,
                sent_at timestamptz NOT NULL DEFAULT now())
            """,
        ]),
    ]
}
