//! The PostgreSQL twin of `sqlite/migrations.rs`: the same numbers, tables, columns,
//! constraints and indexes, in PostgreSQL's idiom. Times are `TIMESTAMPTZ` and dates `DATE`
//! where SQLite keeps RFC 3339 text (microseconds on both sides), flags `BOOLEAN` where SQLite
//! keeps 0/1, counters `BIGINT`, bytes `BYTEA`; SQLite's `INTEGER PRIMARY KEY AUTOINCREMENT`
//! is an identity column. The applied versions are rows of `hall_schema` (SQLite's
//! `user_version`); each migration runs in its own transaction under an advisory lock, so
//! several halls starting at once on one database migrate it once. `tests/store.rs` compares
//! the two schemas; append to both files together, never edit a migration that has shipped.

use tokio_postgres::Client;

use crate::error::HallError;

/// The advisory lock key the migrations hold ("hallmigr" in ASCII).
const LOCK_KEY: i64 = 0x6861_6c6c_6d69_6772;

/// (version, SQL) in order.
const MIGRATIONS: &[(u32, &str)] = &[
    (
        1,
        r#"
CREATE TABLE catalog (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version TEXT NOT NULL UNIQUE,
    json TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE principals (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    label TEXT NOT NULL,
    secret_hash BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE TABLE kiosk_state (
    kiosk_id TEXT PRIMARY KEY,
    last_seen TIMESTAMPTZ NOT NULL,
    heartbeat TEXT NOT NULL
);
CREATE TABLE idempotency (
    kiosk_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    body_mac BYTEA NOT NULL,
    resource_id TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (kiosk_id, kind, key)
);
CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    kiosk_id TEXT NOT NULL,
    tracking_code TEXT NOT NULL UNIQUE,
    verifier_hash BYTEA NOT NULL,
    subject_type TEXT NOT NULL,
    subject_code TEXT NOT NULL,
    subject_name TEXT NOT NULL,
    catalog_version TEXT NOT NULL,
    applicant_key BYTEA NOT NULL,
    payload BYTEA NOT NULL,
    mailed BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    promised_by DATE NOT NULL
);
CREATE TABLE timeline (
    application_id TEXT NOT NULL REFERENCES applications(id),
    seq BIGINT NOT NULL,
    status TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    note TEXT,
    PRIMARY KEY (application_id, seq)
);
CREATE TABLE material_holdings (
    applicant_key BYTEA NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications(id),
    handed_in_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX material_holdings_by_applicant ON material_holdings (applicant_key, code);
CREATE TABLE ratings (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL UNIQUE REFERENCES applications(id),
    subject_code TEXT NOT NULL,
    level BIGINT NOT NULL CHECK (level BETWEEN 1 AND 5),
    reasons TEXT NOT NULL,
    sealed BYTEA,
    body_mac BYTEA NOT NULL,
    kiosk_id TEXT,
    rated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL,
    item_code TEXT,
    kiosk_id TEXT NOT NULL,
    sealed BYTEA NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL DEFAULT 'open'
);
CREATE TABLE bookings (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    slot_id TEXT NOT NULL,
    item_code TEXT,
    kiosk_id TEXT NOT NULL,
    sealed BYTEA NOT NULL,
    booked_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX bookings_by_slot ON bookings (slot_id);
"#,
    ),
    (
        2,
        r#"
CREATE INDEX applications_by_applicant ON applications (applicant_key, received_at);
ALTER TABLE principals ADD COLUMN revoked_at TIMESTAMPTZ;
CREATE TABLE catalog_withdrawals (
    item_code TEXT PRIMARY KEY,
    withdrawn_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE generations (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO generations (name, value) VALUES ('catalog', 0), ('credentials', 0);
CREATE TABLE id_lookups (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kiosk_id TEXT NOT NULL,
    route TEXT NOT NULL,
    applicant_key BYTEA NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX id_lookups_by_kiosk ON id_lookups (kiosk_id, at);
"#,
    ),
    (
        3,
        r#"
CREATE TABLE staff_accounts (
    name TEXT PRIMARY KEY,
    display TEXT NOT NULL,
    role TEXT NOT NULL,
    departments TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    failed_sign_ins BIGINT NOT NULL DEFAULT 0,
    locked_until TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE staff_sessions (
    token_hash BYTEA PRIMARY KEY,
    staff TEXT NOT NULL REFERENCES staff_accounts(name),
    csrf TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen TIMESTAMPTZ NOT NULL
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff);
CREATE TABLE staff_audit (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    staff TEXT NOT NULL,
    action TEXT NOT NULL,
    application_id TEXT,
    detail TEXT
);
CREATE INDEX staff_audit_by_application ON staff_audit (application_id, seq);
CREATE TABLE application_work (
    application_id TEXT PRIMARY KEY REFERENCES applications(id),
    accepted_at TIMESTAMPTZ,
    due_on DATE,
    handler TEXT
);
CREATE INDEX application_work_by_due ON application_work (due_on);
CREATE TABLE application_steps (
    application_id TEXT NOT NULL REFERENCES applications(id),
    seq BIGINT NOT NULL,
    staff TEXT NOT NULL,
    sealed_detail BYTEA,
    PRIMARY KEY (application_id, seq)
);
CREATE INDEX applications_by_status ON applications (status, received_at);
"#,
    ),
    (
        4,
        r#"
CREATE TABLE notice_events (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    sealed BYTEA
);
CREATE TABLE notice_deliveries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES notice_events(id),
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    claimed_by TEXT,
    claimed_until TIMESTAMPTZ,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    delivered_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (event_id, target)
);
CREATE INDEX notice_deliveries_due ON notice_deliveries (status, next_attempt_at);
"#,
    ),
    (
        5,
        r#"
ALTER TABLE applications ADD COLUMN channel TEXT NOT NULL DEFAULT 'kiosk'
    CONSTRAINT applications_channel_check CHECK (channel IN ('kiosk', 'counter', 'department'));
CREATE INDEX applications_by_received
    ON applications (received_at, subject_type, subject_code, channel, kiosk_id);
CREATE INDEX applications_subject ON applications (id, subject_type, subject_code);
CREATE INDEX timeline_by_status ON timeline (status, at);
CREATE INDEX ratings_by_time ON ratings (rated_at);
CREATE INDEX tickets_by_time ON tickets (received_at);
"#,
    ),
    (
        6,
        r#"
ALTER TABLE tickets ADD COLUMN claimed_by TEXT;
ALTER TABLE tickets ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
CREATE INDEX tickets_by_status ON tickets (status, received_at);
CREATE TABLE rating_cases (
    rating_id TEXT PRIMARY KEY REFERENCES ratings(id),
    stage TEXT NOT NULL CHECK (stage IN ('verify', 'rectify', 'callback', 'closed')),
    version BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX rating_cases_by_stage ON rating_cases (stage);
INSERT INTO rating_cases (rating_id, stage) SELECT id, 'verify' FROM ratings WHERE level <= 2;
CREATE TABLE followup_steps (
    subject_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    staff TEXT NOT NULL,
    action TEXT NOT NULL,
    sealed_detail BYTEA,
    PRIMARY KEY (subject_id, seq)
);
"#,
    ),
    (
        7,
        // SQLite's `CHECK (sms_notices IN (0, 1))` is the BOOLEAN type here.
        r#"
CREATE TABLE IF NOT EXISTS application_consents (
    application_id TEXT PRIMARY KEY REFERENCES applications(id),
    sms_notices BOOLEAN NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
"#,
    ),
    (
        8,
        r#"
CREATE TABLE IF NOT EXISTS catalog_schedule (
    version TEXT PRIMARY KEY REFERENCES catalog(version),
    effective_at TIMESTAMPTZ NOT NULL,
    source TEXT NOT NULL,
    author TEXT
);
INSERT INTO catalog_schedule (version, effective_at, source)
    SELECT version, created_at, 'seed' FROM catalog
    ON CONFLICT DO NOTHING;
CREATE INDEX IF NOT EXISTS catalog_schedule_by_time ON catalog_schedule (effective_at);
"#,
    ),
    (
        9,
        // The report's facts are kept by triggers, as in SQLite (PL/pgSQL functions here).
        r#"
ALTER TABLE staff_accounts ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE application_facts (
    application_id TEXT PRIMARY KEY REFERENCES applications(id),
    subject_type TEXT NOT NULL,
    subject_code TEXT NOT NULL,
    status TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    accepted_at TIMESTAMPTZ,
    due_on DATE,
    concluded_at TIMESTAMPTZ,
    revisited_at TIMESTAMPTZ
);
CREATE INDEX application_facts_by_concluded
    ON application_facts (concluded_at, subject_type, subject_code, accepted_at, due_on,
                          revisited_at)
    WHERE concluded_at IS NOT NULL;
CREATE INDEX application_facts_by_due
    ON application_facts (due_on, subject_type, subject_code, concluded_at)
    WHERE due_on IS NOT NULL;
CREATE INDEX application_facts_open_by_due
    ON application_facts (status, due_on, received_at, subject_code)
    WHERE due_on IS NOT NULL;
INSERT INTO application_facts (application_id, subject_type, subject_code, status, received_at,
                               accepted_at, due_on, concluded_at, revisited_at)
    SELECT a.id, a.subject_type, a.subject_code, a.status, a.received_at, w.accepted_at,
           w.due_on,
           (SELECT MIN(t.at) FROM timeline t
            WHERE t.application_id = a.id AND t.status = 'concluded'),
           (SELECT MIN(t.at) FROM timeline t
            WHERE t.application_id = a.id AND t.status = 'revisited')
    FROM applications a LEFT JOIN application_work w ON w.application_id = a.id;

CREATE FUNCTION application_facts_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO application_facts (application_id, subject_type, subject_code, status,
                                   received_at)
        VALUES (NEW.id, NEW.subject_type, NEW.subject_code, NEW.status, NEW.received_at);
    RETURN NULL;
END $$;
CREATE TRIGGER application_facts_new AFTER INSERT ON applications
    FOR EACH ROW EXECUTE FUNCTION application_facts_new();

CREATE FUNCTION application_facts_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE application_facts SET status = NEW.status WHERE application_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER application_facts_status AFTER UPDATE OF status ON applications
    FOR EACH ROW EXECUTE FUNCTION application_facts_status();

CREATE FUNCTION application_facts_work() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE application_facts SET accepted_at = NEW.accepted_at, due_on = NEW.due_on
        WHERE application_id = NEW.application_id;
    RETURN NULL;
END $$;
CREATE TRIGGER application_facts_work_new AFTER INSERT ON application_work
    FOR EACH ROW EXECUTE FUNCTION application_facts_work();
CREATE TRIGGER application_facts_work AFTER UPDATE OF accepted_at, due_on ON application_work
    FOR EACH ROW EXECUTE FUNCTION application_facts_work();

CREATE FUNCTION application_facts_timeline() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE application_facts SET
        concluded_at = CASE WHEN NEW.status = 'concluded'
                             AND (concluded_at IS NULL OR NEW.at < concluded_at)
                            THEN NEW.at ELSE concluded_at END,
        revisited_at = CASE WHEN NEW.status = 'revisited'
                             AND (revisited_at IS NULL OR NEW.at < revisited_at)
                            THEN NEW.at ELSE revisited_at END
        WHERE application_id = NEW.application_id;
    RETURN NULL;
END $$;
CREATE TRIGGER application_facts_timeline AFTER INSERT ON timeline
    FOR EACH ROW WHEN (NEW.status IN ('concluded', 'revisited'))
    EXECUTE FUNCTION application_facts_timeline();

DROP INDEX applications_by_status;
CREATE INDEX applications_by_status
    ON applications (status, received_at, subject_code, id);

CREATE INDEX ratings_by_time_covering ON ratings (rated_at, application_id, level);

CREATE TABLE due_soon_notices (
    application_id TEXT NOT NULL REFERENCES applications(id),
    due_on DATE NOT NULL,
    event_id TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (application_id, due_on)
);
"#,
    ),
    (
        10,
        r#"
CREATE TABLE IF NOT EXISTS sites (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('county', 'township', 'village')),
    parent TEXT REFERENCES sites(code),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS kiosk_sites (
    kiosk_id TEXT PRIMARY KEY,
    site_code TEXT NOT NULL REFERENCES sites(code),
    assigned_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS site_item_rules (
    site_code TEXT NOT NULL REFERENCES sites(code),
    item_code TEXT NOT NULL,
    rule TEXT NOT NULL CHECK (rule IN ('hide', 'only')),
    PRIMARY KEY (site_code, rule, item_code)
);
"#,
    ),
    (
        11,
        // Widening the channel's CHECK is a plain constraint swap here.
        r#"
ALTER TABLE applications DROP CONSTRAINT applications_channel_check,
    ADD CONSTRAINT applications_channel_check
        CHECK (channel IN ('kiosk', 'counter', 'department', 'partner'));
CREATE TABLE IF NOT EXISTS partners (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    url TEXT NOT NULL,
    token_sealed BYTEA,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS partner_links (
    application_id TEXT PRIMARY KEY REFERENCES applications(id),
    direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
    partner_code TEXT NOT NULL,
    partner_name TEXT NOT NULL,
    partner_name_en TEXT NOT NULL,
    remote_id TEXT,
    remote_tracking_code TEXT,
    applied_steps BIGINT NOT NULL DEFAULT 0,
    finished BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX IF NOT EXISTS partner_links_open
    ON partner_links (direction, finished, partner_code);
CREATE UNIQUE INDEX IF NOT EXISTS partner_links_origin
    ON partner_links (partner_code, remote_id) WHERE direction = 'in';
"#,
    ),
    (
        12,
        // `offset` is a reserved word in PostgreSQL: quoted.
        r#"
CREATE TABLE IF NOT EXISTS attachments (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    owner_key BYTEA NOT NULL UNIQUE,
    sha_key BYTEA NOT NULL,
    sha_sealed BYTEA NOT NULL,
    kind TEXT CHECK (kind IN ('pdf', 'jpeg')),
    total BIGINT NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    complete BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    completed_at TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS attachments_by_sha ON attachments (sha_key, complete);
CREATE TABLE IF NOT EXISTS attachment_chunks (
    attachment_id TEXT NOT NULL REFERENCES attachments(id) ON DELETE CASCADE,
    "offset" BIGINT NOT NULL,
    len BIGINT NOT NULL,
    sealed BYTEA NOT NULL,
    PRIMARY KEY (attachment_id, "offset")
);
CREATE TABLE IF NOT EXISTS application_attachments (
    application_id TEXT NOT NULL REFERENCES applications(id),
    position BIGINT NOT NULL,
    material_code TEXT NOT NULL,
    attachment_id TEXT NOT NULL REFERENCES attachments(id),
    applicant_key BYTEA NOT NULL,
    reused BOOLEAN NOT NULL DEFAULT FALSE,
    attached_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (application_id, position)
);
CREATE INDEX IF NOT EXISTS application_attachments_by_applicant
    ON application_attachments (applicant_key, attachment_id);
CREATE TABLE IF NOT EXISTS result_documents (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications(id),
    attachment_id TEXT NOT NULL REFERENCES attachments(id),
    title TEXT NOT NULL,
    copies_allowed BIGINT NOT NULL,
    attached_by TEXT NOT NULL,
    attached_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS result_documents_by_application
    ON result_documents (application_id, attached_at);
CREATE TABLE IF NOT EXISTS result_prints (
    document_id TEXT NOT NULL REFERENCES result_documents(id),
    copy BIGINT NOT NULL,
    kiosk_id TEXT NOT NULL,
    printed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (document_id, copy)
);
"#,
    ),
    (
        13,
        // Fleet operations (issue 22), as SQLite's migration 13.
        r#"
CREATE TABLE IF NOT EXISTS update_bundles (
    sha256 TEXT PRIMARY KEY,
    version TEXT NOT NULL UNIQUE,
    compatible TEXT NOT NULL,
    size BIGINT NOT NULL,
    signer TEXT NOT NULL,
    added_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS rollouts (
    id TEXT PRIMARY KEY,
    version TEXT NOT NULL REFERENCES update_bundles(version),
    target TEXT NOT NULL,
    waves TEXT NOT NULL,
    max_failure_pct INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('active', 'halted', 'done', 'superseded')),
    wave INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS rollouts_by_state ON rollouts (state, created_at);
CREATE TABLE IF NOT EXISTS rollout_kiosks (
    rollout_id TEXT NOT NULL REFERENCES rollouts(id),
    kiosk_id TEXT NOT NULL,
    wave INTEGER NOT NULL,
    outcome TEXT NOT NULL
        CHECK (outcome IN ('pending', 'downloading', 'installed', 'succeeded', 'failed')),
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (rollout_id, kiosk_id)
);
CREATE TABLE IF NOT EXISTS kiosk_actions (
    id TEXT PRIMARY KEY,
    kiosk_id TEXT NOT NULL,
    request TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    ok BOOLEAN,
    output TEXT
);
CREATE INDEX IF NOT EXISTS kiosk_actions_by_kiosk ON kiosk_actions (kiosk_id, requested_at);
"#,
    ),
    (
        14,
        // Copies given back by a kiosk whose printer failed, as SQLite's migration 14.
        r#"
ALTER TABLE result_prints ADD COLUMN IF NOT EXISTS failed_at TIMESTAMPTZ;
ALTER TABLE result_prints ADD COLUMN IF NOT EXISTS failure TEXT;
"#,
    ),
];

/// Brings the schema up to date, each migration in its own transaction; another hall
/// migrating the same database at the same moment waits on the advisory lock, then finds
/// the work done.
pub async fn migrate(client: &mut Client) -> Result<u32, HallError> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS hall_schema (
                 version INTEGER PRIMARY KEY,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
             )",
        )
        .await
        .map_err(|e| fail(0, &e))?;
    let mut version = 0;
    for &(v, sql) in MIGRATIONS {
        let tx = client.transaction().await.map_err(|e| fail(v, &e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
            .await
            .map_err(|e| fail(v, &e))?;
        let done = tx
            .query_opt(
                "SELECT 1 FROM hall_schema WHERE version = $1",
                &[&i32::try_from(v).unwrap_or(i32::MAX)],
            )
            .await
            .map_err(|e| fail(v, &e))?
            .is_some();
        if !done {
            tx.batch_execute(sql).await.map_err(|e| fail(v, &e))?;
            tx.execute(
                "INSERT INTO hall_schema (version) VALUES ($1)",
                &[&i32::try_from(v).unwrap_or(i32::MAX)],
            )
            .await
            .map_err(|e| fail(v, &e))?;
        }
        tx.commit().await.map_err(|e| fail(v, &e))?;
        version = v;
    }
    Ok(version)
}

fn fail(version: u32, e: &tokio_postgres::Error) -> HallError {
    HallError::Migration {
        version,
        message: super::describe(e),
    }
}

/// The newest schema version this build knows (equal to SQLite's: they move together).
pub fn latest() -> u32 {
    MIGRATIONS.last().map_or(0, |(v, _)| *v)
}
