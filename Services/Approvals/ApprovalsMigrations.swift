import Persistence

enum ApprovalsMigrations {
    static let all: [Migration] = [
        // Staff as `auth` announces them (a read model: no call to `auth` when assigning work).
        Migration(
            id: "approvals-0001-staff",
            statements: [
                """
                CREATE TABLE staff (
                    user_id uuid PRIMARY KEY,
                    role text NOT NULL,
                    active boolean NOT NULL,
                    full_name text,
                    last_assigned_at timestamptz,
                    updated_at timestamptz NOT NULL DEFAULT now())
                """,
                "CREATE INDEX staff_by_role ON staff (role) WHERE active",
            ]),
        // One row: the policy as an administrator last saved it (none: the built-in default).
        Migration(
            id: "approvals-0002-policy",
            statements: [
                """
                CREATE TABLE policy (
                    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                    document jsonb NOT NULL,
                    version integer NOT NULL,
                    updated_by uuid NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now())
                """
            ]),
        Migration(
            id: "approvals-0003-workflows",
            statements: [
                """
                CREATE TABLE workflows (
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
                CREATE TABLE stages (
                    id uuid PRIMARY KEY,
                    application_id uuid NOT NULL REFERENCES workflows,
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
                "CREATE INDEX stages_open_by_assignee ON stages (assignee_id) WHERE status = 'open'",
                "CREATE INDEX stages_due ON stages (due_at) WHERE status = 'open' AND NOT awaiting_documents",
                "CREATE INDEX stages_recent ON stages (created_at DESC)",
            ]),
        Migration(
            id: "approvals-0004-tickets",
            statements: [
                "ALTER TABLE staff ADD COLUMN last_ticket_assigned_at timestamptz",
                """
                CREATE TABLE tickets (
                    id uuid PRIMARY KEY,
                    customer_id uuid NOT NULL,
                    subject text NOT NULL,
                    description text NOT NULL,
                    priority text NOT NULL CHECK (priority IN ('low', 'medium', 'high')),
                    status text NOT NULL CHECK (status IN ('open', 'in_progress', 'resolved')),
                    application_id uuid,
                    assignee_id uuid,
                    due_at timestamptz NOT NULL,
                    escalated_at timestamptz,
                    version integer NOT NULL DEFAULT 1,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    resolved_at timestamptz)
                """,
                "CREATE INDEX tickets_by_customer ON tickets (customer_id, created_at DESC)",
                "CREATE INDEX tickets_by_assignee ON tickets (assignee_id, status)",
                "CREATE INDEX tickets_recent ON tickets (created_at DESC)",
                "CREATE INDEX tickets_due ON tickets (due_at) WHERE status <> 'resolved' AND escalated_at IS NULL",
                """
                CREATE TABLE ticket_comments (
                    id uuid PRIMARY KEY,
                    ticket_id uuid NOT NULL REFERENCES tickets,
                    author_id uuid NOT NULL,
                    author_role text NOT NULL,
                    body text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now())
                """,
                "CREATE INDEX ticket_comments_by_ticket ON ticket_comments (ticket_id, created_at)",
            ]),
        // The number of the last event that moved the application in `loans` (ApplicationMoveEvent).
        Migration(
            id: "approvals-0005-event-sequence",
            statements: [
                "ALTER TABLE workflows ADD COLUMN event_sequence integer NOT NULL DEFAULT 0"
            ]),
        // The sync feed: tickets, with their comments.
        ChangeLog.migration(
            id: "approvals-0006-change-log",
            sources: [
                .init(table: "tickets", entity: "ticket", owner: "r.customer_id"),
                .init(
                    table: "ticket_comments", entity: "ticket", owner: "(SELECT customer_id FROM tickets WHERE id = r.ticket_id)",
                    entityID: "r.ticket_id"),
            ]),
    ]
}
