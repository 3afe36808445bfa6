import Persistence

enum LoansMigrations {
    static let all: [Migration] = [
        Migration(
            id: "loans-0001-products",
            statements: [
                """
                CREATE TABLE products (
                    id uuid PRIMARY KEY,
                    name text NOT NULL,
                    type text NOT NULL,
                    min_amount numeric(18,2) NOT NULL CHECK (min_amount > 0),
                    max_amount numeric(18,2) NOT NULL CHECK (max_amount >= min_amount),
                    min_term_months integer NOT NULL CHECK (min_term_months > 0),
                    max_term_months integer NOT NULL CHECK (max_term_months >= min_term_months),
                    annual_rate numeric(5,2) NOT NULL CHECK (annual_rate BETWEEN 0 AND 100),
                    processing_fee_percent numeric(5,2) NOT NULL CHECK (processing_fee_percent BETWEEN 0 AND 100),
                    prepayment_fee_percent numeric(5,2) NOT NULL CHECK (prepayment_fee_percent BETWEEN 0 AND 100),
                    required_documents text[] NOT NULL DEFAULT '{}',
                    active boolean NOT NULL DEFAULT true,
                    version integer NOT NULL DEFAULT 1,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now())
                """,
                "CREATE INDEX products_listing ON products (active, type, created_at DESC)",
            ]),
        // The three sections of a customer's file are replaced whole and read whole: JSON documents
        // (validated by the service, money as exact decimal strings) beside one version.
        Migration(
            id: "loans-0002-customers",
            statements: [
                """
                CREATE TABLE customers (
                    user_id uuid PRIMARY KEY,
                    profile jsonb,
                    financial jsonb,
                    employment jsonb,
                    version integer NOT NULL DEFAULT 1,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now())
                """,
                "CREATE INDEX customers_recent ON customers (updated_at DESC)",
            ]),
        Migration(
            id: "loans-0003-applications",
            statements: [
                """
                CREATE TABLE applications (
                    id uuid PRIMARY KEY,
                    customer_id uuid NOT NULL,
                    product_id uuid NOT NULL REFERENCES products (id),
                    amount numeric(18,2) NOT NULL CHECK (amount > 0),
                    term_months integer NOT NULL CHECK (term_months > 0),
                    annual_rate numeric(5,2) NOT NULL,
                    purpose text NOT NULL,
                    status text NOT NULL,
                    snapshot jsonb NOT NULL,
                    required_documents text[] NOT NULL DEFAULT '{}',
                    requested_documents text[] NOT NULL DEFAULT '{}',
                    version integer NOT NULL DEFAULT 1,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now())
                """,
                "CREATE INDEX applications_by_customer ON applications (customer_id, created_at DESC)",
                "CREATE INDEX applications_by_status ON applications (status, created_at DESC)",
                """
                CREATE TABLE application_timeline (
                    id bigserial PRIMARY KEY,
                    application_id uuid NOT NULL REFERENCES applications (id),
                    status text NOT NULL,
                    actor_id uuid,
                    at timestamptz NOT NULL DEFAULT now())
                """,
                "CREATE INDEX application_timeline_by_application ON application_timeline (application_id, id)",
            ]),
        Migration(
            id: "loans-0004-documents",
            statements: [
                """
                CREATE TABLE documents (
                    id uuid PRIMARY KEY,
                    application_id uuid NOT NULL REFERENCES applications (id),
                    document_type text NOT NULL,
                    filename text NOT NULL,
                    content_type text NOT NULL,
                    size integer NOT NULL,
                    sha256 text NOT NULL,
                    blob_key text NOT NULL,
                    uploaded_by uuid NOT NULL,
                    uploaded_at timestamptz NOT NULL DEFAULT now())
                """,
                "CREATE INDEX documents_by_application ON documents (application_id, uploaded_at)",
            ]),
        Migration(
            id: "loans-0005-loans",
            statements: [
                """
                CREATE TABLE loans (
                    id uuid PRIMARY KEY,
                    application_id uuid NOT NULL UNIQUE REFERENCES applications (id),
                    customer_id uuid NOT NULL,
                    principal numeric(18,2) NOT NULL,
                    annual_rate numeric(5,2) NOT NULL,
                    term_months integer NOT NULL,
                    emi numeric(18,2) NOT NULL,
                    disbursed_on date NOT NULL,
                    status text NOT NULL DEFAULT 'active',
                    fees_outstanding numeric(18,2) NOT NULL DEFAULT 0,
                    version integer NOT NULL DEFAULT 1,
                    created_at timestamptz NOT NULL DEFAULT now())
                """,
                "CREATE INDEX loans_by_customer ON loans (customer_id, created_at DESC)",
                """
                CREATE TABLE instalments (
                    loan_id uuid NOT NULL REFERENCES loans (id),
                    number integer NOT NULL,
                    due_date date NOT NULL,
                    payment numeric(18,2) NOT NULL,
                    principal numeric(18,2) NOT NULL,
                    interest numeric(18,2) NOT NULL,
                    balance numeric(18,2) NOT NULL,
                    paid_principal numeric(18,2) NOT NULL DEFAULT 0,
                    paid_interest numeric(18,2) NOT NULL DEFAULT 0,
                    PRIMARY KEY (loan_id, number))
                """,
            ]),
        Migration(
            id: "loans-0006-payments",
            statements: [
                """
                CREATE TABLE payments (
                    id uuid PRIMARY KEY,
                    loan_id uuid NOT NULL REFERENCES loans (id),
                    amount numeric(18,2) NOT NULL CHECK (amount > 0),
                    reference text NOT NULL,
                    fees numeric(18,2) NOT NULL,
                    interest numeric(18,2) NOT NULL,
                    principal numeric(18,2) NOT NULL,
                    received_by uuid NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now())
                """,
                "CREATE INDEX payments_by_loan ON payments (loan_id, created_at DESC)",
            ]),
        Migration(
            id: "loans-0007-overdue",
            statements: [
                "ALTER TABLE instalments ADD COLUMN overdue_since date",
                "CREATE INDEX instalments_unpaid_due ON instalments (due_date) WHERE overdue_since IS NULL AND paid_principal + paid_interest < payment",
            ]),
        // The sequence number of the last of approvals' events applied (ApplicationMoveEvent).
        Migration(
            id: "loans-0008-approvals-sequence",
            statements: [
                "ALTER TABLE applications ADD COLUMN approvals_sequence integer NOT NULL DEFAULT 0"
            ]),
        Migration(
            id: "loans-0009-waivers",
            statements: [
                """
                CREATE TABLE waivers (
                    id uuid PRIMARY KEY,
                    application_id uuid NOT NULL REFERENCES applications (id),
                    document_type text NOT NULL,
                    reason text NOT NULL,
                    waived_by uuid NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    UNIQUE (application_id, document_type))
                """
            ]),
        // The sync feed: applications (with their documents and waivers), loans, payments and
        // customer files, each as the user it belongs to sees it.
        ChangeLog.migration(
            id: "loans-0010-change-log",
            sources: [
                .init(table: "applications", entity: "application", owner: "r.customer_id"),
                .init(
                    table: "documents", entity: "application", owner: "(SELECT customer_id FROM applications WHERE id = r.application_id)",
                    entityID: "r.application_id"),
                .init(
                    table: "waivers", entity: "application", owner: "(SELECT customer_id FROM applications WHERE id = r.application_id)",
                    entityID: "r.application_id"),
                .init(table: "loans", entity: "loan", owner: "r.customer_id"),
                .init(table: "payments", entity: "payment", owner: "(SELECT customer_id FROM loans WHERE id = r.loan_id)"),
                .init(table: "customers", entity: "profile", idColumn: "user_id", owner: "r.user_id"),
            ]),
        Migration(
            id: "loans-0011-document-library",
            statements: [
                """
                CREATE TABLE library_documents (
                    id uuid PRIMARY KEY,
                    customer_id uuid NOT NULL,
                    document_type text NOT NULL,
                    filename text NOT NULL,
                    content_type text NOT NULL,
                    size integer NOT NULL,
                    sha256 text NOT NULL,
                    blob_key text NOT NULL,
                    uploaded_at timestamptz NOT NULL DEFAULT now())
                """,
                "CREATE INDEX library_by_customer ON library_documents (customer_id, uploaded_at DESC)",
                "CREATE INDEX documents_by_blob ON documents (blob_key)",
            ] + ChangeLog.triggers(sources: [.init(table: "library_documents", entity: "document", owner: "r.customer_id")])),
    ]
}
