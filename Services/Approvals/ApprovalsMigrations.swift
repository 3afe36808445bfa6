import Persistence

enum ApprovalsMigrations {
    static let all: [Migration] = [
        // Staff as `auth` announces them (a read model: no call to `auth` when assigning work).
        Migration(id: "approvals-0001-staff", statements: [
            """
            CREATE TABLE approvals.staff (
                user_id uuid PRIMARY KEY,
                role text NOT NULL,
                active boolean NOT NULL,
                full_name text,
                last_assigned_at timestamptz,
                updated_at timestamptz NOT NULL DEFAULT now())
            """,
            "CREATE INDEX staff_by_role ON approvals.staff (role) WHERE active",
        ]),
        // One row: the policy as an administrator last saved it (none: the built-in default).
        Migration(id: "approvals-0002-policy", statements: [
            """
            CREATE TABLE approvals.policy (
                singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                document jsonb NOT NULL,
                version integer NOT NULL,
                updated_by uuid NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now())
            """,
        ]),
        Migration(id: "approvals-0003-workflows", statements: [
            """
            CREATE TABLE approvals.workflows (
                application_id uuid PRIMARY KEY,
                customer_id uuid NOT NULL,
                amount numeric(18,2) NOT NULL,
                status text NOT NULL CHECK (status IN ('analysing', 'deciding', 'approved', 'rejected', 'withdrawn')),
                analysis jsonb,
                risk_score numeric(6,4),
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now())
            """,
            """
            CREATE TABLE approvals.stages (
                id uuid PRIMARY KEY,
                application_id uuid NOT NULL REFERENCES approvals.workflows,
                level integer NOT NULL CHECK (level > 0),
                role text NOT NULL,
                status text NOT NULL CHECK (status IN ('waiting', 'open', 'decided', 'cancelled')),
                assignee_id uuid,
                decided_by uuid,
                decision text,
                comment text,
                due_at timestamptz,
                decided_at timestamptz,
                awaiting_documents boolean NOT NULL DEFAULT false,
                escalations integer NOT NULL DEFAULT 0,
                created_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (application_id, level))
            """,
            "CREATE INDEX stages_open_by_assignee ON approvals.stages (assignee_id) WHERE status = 'open'",
            "CREATE INDEX stages_due ON approvals.stages (due_at) WHERE status = 'open' AND NOT awaiting_documents",
            "CREATE INDEX stages_recent ON approvals.stages (created_at DESC)",
        ]),
    ]
}
