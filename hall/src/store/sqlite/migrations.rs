//! The embedded schema migrations, applied in order at start-up and tracked with SQLite's
//! `user_version`. Append new migrations; never edit one that has shipped.

use rusqlite::Connection;

use crate::error::HallError;

/// (version, SQL) in order.
const MIGRATIONS: &[(u32, &str)] = &[
    (
        1,
        r#"
CREATE TABLE catalog (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    version TEXT NOT NULL UNIQUE,
    json TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE principals (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    label TEXT NOT NULL,
    secret_hash BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE TABLE kiosk_state (
    kiosk_id TEXT PRIMARY KEY,
    last_seen TEXT NOT NULL,
    heartbeat TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE idempotency (
    kiosk_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    body_mac BLOB NOT NULL,
    resource_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (kiosk_id, kind, key)
) WITHOUT ROWID;
CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    kiosk_id TEXT NOT NULL,
    tracking_code TEXT NOT NULL UNIQUE,
    verifier_hash BLOB NOT NULL,
    subject_type TEXT NOT NULL,
    subject_code TEXT NOT NULL,
    subject_name TEXT NOT NULL,
    catalog_version TEXT NOT NULL,
    applicant_key BLOB NOT NULL,
    payload BLOB NOT NULL,
    mailed INTEGER NOT NULL,
    status TEXT NOT NULL,
    received_at TEXT NOT NULL,
    promised_by TEXT NOT NULL
);
CREATE TABLE timeline (
    application_id TEXT NOT NULL REFERENCES applications(id),
    seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    at TEXT NOT NULL,
    note TEXT,
    PRIMARY KEY (application_id, seq)
) WITHOUT ROWID;
CREATE TABLE material_holdings (
    applicant_key BLOB NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications(id),
    handed_in_at TEXT NOT NULL
);
CREATE INDEX material_holdings_by_applicant ON material_holdings (applicant_key, code);
CREATE TABLE ratings (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL UNIQUE REFERENCES applications(id),
    subject_code TEXT NOT NULL,
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    reasons TEXT NOT NULL,
    sealed BLOB,
    body_mac BLOB NOT NULL,
    kiosk_id TEXT,
    rated_at TEXT NOT NULL
);
CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL,
    item_code TEXT,
    kiosk_id TEXT NOT NULL,
    sealed BLOB NOT NULL,
    received_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open'
);
CREATE TABLE bookings (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    slot_id TEXT NOT NULL,
    item_code TEXT,
    kiosk_id TEXT NOT NULL,
    sealed BLOB NOT NULL,
    booked_at TEXT NOT NULL
);
CREATE INDEX bookings_by_slot ON bookings (slot_id);
"#,
    ),
    (
        2,
        // Issue 15: look-ups by ID number use an index; credentials can be revoked; items can
        // be withdrawn from the served catalog and restored; look-ups by ID number are
        // audited (keyed hash only); `generations` tells a running hall that another process
        // (the CLI) changed credentials or the catalog.
        r#"
CREATE INDEX applications_by_applicant ON applications (applicant_key, received_at);
ALTER TABLE principals ADD COLUMN revoked_at TEXT;
CREATE TABLE catalog_withdrawals (
    item_code TEXT PRIMARY KEY,
    withdrawn_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE generations (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO generations (name, value) VALUES ('catalog', 0), ('credentials', 0);
CREATE TABLE id_lookups (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kiosk_id TEXT NOT NULL,
    route TEXT NOT NULL,
    applicant_key BLOB NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX id_lookups_by_kiosk ON id_lookups (kiosk_id, at);
"#,
    ),
    (
        3,
        r#"
-- The staff workbench (issue 16): accounts, shared sessions, the audit trail of staff
-- actions, each application's due date and handler, and who did each step.
CREATE TABLE staff_accounts (
    name TEXT PRIMARY KEY,
    display TEXT NOT NULL,
    role TEXT NOT NULL,
    departments TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    revoked_at TEXT,
    created_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE staff_sessions (
    token_hash BLOB PRIMARY KEY,
    staff TEXT NOT NULL REFERENCES staff_accounts(name),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff);
CREATE TABLE staff_audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    staff TEXT NOT NULL,
    action TEXT NOT NULL,
    application_id TEXT,
    detail TEXT
);
CREATE INDEX staff_audit_by_application ON staff_audit (application_id, seq);
CREATE TABLE application_work (
    application_id TEXT PRIMARY KEY REFERENCES applications(id),
    accepted_at TEXT,
    due_on TEXT,
    handler TEXT
) WITHOUT ROWID;
CREATE INDEX application_work_by_due ON application_work (due_on);
CREATE TABLE application_steps (
    application_id TEXT NOT NULL REFERENCES applications(id),
    seq INTEGER NOT NULL,
    staff TEXT NOT NULL,
    sealed_detail BLOB,
    PRIMARY KEY (application_id, seq)
) WITHOUT ROWID;
CREATE INDEX applications_by_status ON applications (status, received_at);
"#,
    ),
    (
        4,
        // Notices (issue 16): each event once, its JSON sealed and erased when every target
        // is done; the delivery log (no bodies, no personal data) with the claim lease.
        r#"
CREATE TABLE notice_events (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sealed BLOB
);
CREATE TABLE notice_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL REFERENCES notice_events(id),
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_by TEXT,
    claimed_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    delivered_at TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (event_id, target)
);
CREATE INDEX notice_deliveries_due ON notice_deliveries (status, next_attempt_at);
"#,
    ),
    (
        5,
        // The supervisor's report (issue 16): where each application was taken in (every
        // earlier row came from a kiosk), and the indexes its period queries use.
        r#"
ALTER TABLE applications ADD COLUMN channel TEXT NOT NULL DEFAULT 'kiosk'
    CHECK (channel IN ('kiosk', 'counter', 'department'));
-- Covers the report's intake query (no lookups into the table's rows).
CREATE INDEX applications_by_received
    ON applications (received_at, subject_type, subject_code, channel, kiosk_id);
-- Looking up an application's subject from a timeline entry, a rating or a work record
-- reads only this index, not the row with its sealed payload.
CREATE INDEX applications_subject ON applications (id, subject_type, subject_code);
CREATE INDEX timeline_by_status ON timeline (status, at);
CREATE INDEX ratings_by_time ON ratings (rated_at);
CREATE INDEX tickets_by_time ON tickets (received_at);
"#,
    ),
    (
        6,
        // Tickets and 差评 cases worked on the workbench (issue 16): who claimed a ticket and
        // its version; one case per 差评 (those stored before this migration get theirs here);
        // the steps of both, details sealed.
        r#"
ALTER TABLE tickets ADD COLUMN claimed_by TEXT;
ALTER TABLE tickets ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tickets_by_status ON tickets (status, received_at);
CREATE TABLE rating_cases (
    rating_id TEXT PRIMARY KEY REFERENCES ratings(id),
    stage TEXT NOT NULL CHECK (stage IN ('verify', 'rectify', 'callback', 'closed')),
    version INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX rating_cases_by_stage ON rating_cases (stage);
INSERT INTO rating_cases (rating_id, stage) SELECT id, 'verify' FROM ratings WHERE level <= 2;
CREATE TABLE followup_steps (
    subject_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    staff TEXT NOT NULL,
    action TEXT NOT NULL,
    sealed_detail BLOB,
    PRIMARY KEY (subject_id, seq)
) WITHOUT ROWID;
"#,
    ),
    (
        7,
        // Notices to citizens (issue 17): whether the citizen ticked "send progress notices
        // to my phone" on the form, for every application taken in from now on (none before:
        // no consent then). The number itself stays in the sealed payload. `IF NOT EXISTS`:
        // a test that re-runs an earlier migration runs this one again harmlessly.
        r#"
CREATE TABLE IF NOT EXISTS application_consents (
    application_id TEXT PRIMARY KEY REFERENCES applications(id),
    sms_notices INTEGER NOT NULL CHECK (sms_notices IN (0, 1)),
    recorded_at TEXT NOT NULL
) WITHOUT ROWID;
"#,
    ),
    (
        8,
        // Catalog as data (issue 17): when each catalog version takes effect (the one served
        // is the latest whose time has come), where it came from (`seed`, `import`, `staff`)
        // and who made it. Versions stored before took effect when stored. Written so that
        // running it again changes nothing.
        r#"
CREATE TABLE IF NOT EXISTS catalog_schedule (
    version TEXT PRIMARY KEY REFERENCES catalog(version),
    effective_at TEXT NOT NULL,
    source TEXT NOT NULL,
    author TEXT
) WITHOUT ROWID;
INSERT OR IGNORE INTO catalog_schedule (version, effective_at, source)
    SELECT version, created_at, 'seed' FROM catalog;
CREATE INDEX IF NOT EXISTS catalog_schedule_by_time ON catalog_schedule (effective_at);
"#,
    ),
    (
        9,
        // Issue 16, remaining parts. A password set by `hall staff add` or `hall staff
        // passwd` must be replaced at the first sign-in (accounts from before keep theirs).
        // The report's facts per application (受理, due date, first 办结 and 回访), kept by
        // triggers in the transaction of every write that changes them (whoever writes), so
        // a period's report reads one covering index range per figure instead of joining
        // the timeline. The inboxes find their rows from a covering index by status. The
        // marker of each "due in 2 working days" notice sent.
        r#"
ALTER TABLE staff_accounts ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;

CREATE TABLE application_facts (
    application_id TEXT PRIMARY KEY REFERENCES applications(id),
    subject_type TEXT NOT NULL,
    subject_code TEXT NOT NULL,
    status TEXT NOT NULL,
    received_at TEXT NOT NULL,
    accepted_at TEXT,
    due_on TEXT,
    concluded_at TEXT,
    revisited_at TEXT
) WITHOUT ROWID;
CREATE INDEX application_facts_by_concluded
    ON application_facts (concluded_at, subject_type, subject_code, accepted_at, due_on,
                          revisited_at)
    WHERE concluded_at IS NOT NULL;
CREATE INDEX application_facts_by_due
    ON application_facts (due_on, subject_type, subject_code, concluded_at)
    WHERE due_on IS NOT NULL;
-- The overdue and due-soon inboxes: open applications by due date.
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
CREATE TRIGGER application_facts_new AFTER INSERT ON applications BEGIN
    INSERT INTO application_facts (application_id, subject_type, subject_code, status,
                                   received_at)
        VALUES (NEW.id, NEW.subject_type, NEW.subject_code, NEW.status, NEW.received_at);
END;
CREATE TRIGGER application_facts_status AFTER UPDATE OF status ON applications BEGIN
    UPDATE application_facts SET status = NEW.status WHERE application_id = NEW.id;
END;
CREATE TRIGGER application_facts_work_new AFTER INSERT ON application_work BEGIN
    UPDATE application_facts SET accepted_at = NEW.accepted_at, due_on = NEW.due_on
        WHERE application_id = NEW.application_id;
END;
CREATE TRIGGER application_facts_work AFTER UPDATE OF accepted_at, due_on ON application_work
BEGIN
    UPDATE application_facts SET accepted_at = NEW.accepted_at, due_on = NEW.due_on
        WHERE application_id = NEW.application_id;
END;
CREATE TRIGGER application_facts_timeline AFTER INSERT ON timeline
    WHEN NEW.status IN ('concluded', 'revisited')
BEGIN
    UPDATE application_facts SET
        concluded_at = CASE WHEN NEW.status = 'concluded'
                             AND (concluded_at IS NULL OR NEW.at < concluded_at)
                            THEN NEW.at ELSE concluded_at END,
        revisited_at = CASE WHEN NEW.status = 'revisited'
                             AND (revisited_at IS NULL OR NEW.at < revisited_at)
                            THEN NEW.at ELSE revisited_at END
        WHERE application_id = NEW.application_id;
END;

DROP INDEX applications_by_status;
CREATE INDEX applications_by_status
    ON applications (status, received_at, subject_code, id);

-- Ratings of a period with their level and application, from the index alone.
CREATE INDEX ratings_by_time_covering ON ratings (rated_at, application_id, level);

-- One "due in 2 working days" notice per application and due date, whatever restarts.
CREATE TABLE due_soon_notices (
    application_id TEXT NOT NULL REFERENCES applications(id),
    due_on TEXT NOT NULL,
    event_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (application_id, due_on)
) WITHOUT ROWID;
"#,
    ),
    (
        10,
        // Sites (issue 17): county → township → village, the site each kiosk stands at (none:
        // the county level) and the items hidden from a site or the only ones it offers (both
        // inherited by the sites under it). `IF NOT EXISTS`: running it again changes nothing.
        r#"
CREATE TABLE IF NOT EXISTS sites (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('county', 'township', 'village')),
    parent TEXT REFERENCES sites(code),
    created_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS kiosk_sites (
    kiosk_id TEXT PRIMARY KEY,
    site_code TEXT NOT NULL REFERENCES sites(code),
    assigned_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS site_item_rules (
    site_code TEXT NOT NULL REFERENCES sites(code),
    item_code TEXT NOT NULL,
    rule TEXT NOT NULL CHECK (rule IN ('hide', 'only')),
    PRIMARY KEY (site_code, rule, item_code)
) WITHOUT ROWID;
"#,
    ),
    (
        11,
        // 跨省通办 (issue 17): the partner halls (the token we call them with is sealed; the
        // one they call us with is a `partner` principal), each application's link to its
        // partner (`out`: taken in here and forwarded; `in`: received from a partner), and
        // the channel `partner`. The forwards themselves ride the notice queue's tables
        // (kind `partner_forward`). Widening the channel's CHECK uses SQLite's documented
        // procedure for changing a CHECK in place (the rows already there satisfy the new
        // one); the CREATE TABLEs after it bump the schema cookie, so every connection reads
        // the schema again. Running it again changes nothing.
        r#"
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
    SET sql = replace(sql, '''kiosk'', ''counter'', ''department'')',
                           '''kiosk'', ''counter'', ''department'', ''partner'')')
    WHERE type = 'table' AND name = 'applications' AND sql NOT LIKE '%''partner''%';
PRAGMA writable_schema = OFF;
CREATE TABLE IF NOT EXISTS partners (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL,
    url TEXT NOT NULL,
    token_sealed BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS partner_links (
    application_id TEXT PRIMARY KEY REFERENCES applications(id),
    direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
    partner_code TEXT NOT NULL,
    partner_name TEXT NOT NULL,
    partner_name_en TEXT NOT NULL,
    remote_id TEXT,
    remote_tracking_code TEXT,
    applied_steps INTEGER NOT NULL DEFAULT 0,
    finished INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS partner_links_open
    ON partner_links (direction, finished, partner_code);
CREATE UNIQUE INDEX IF NOT EXISTS partner_links_origin
    ON partner_links (partner_code, remote_id) WHERE direction = 'in';
"#,
    ),
    (
        12,
        // Attachments (issue 19): uploads kept per owner (a kiosk's namespace, or a staff
        // member's result document), addressed by a keyed hash of (owner, SHA-256) so the
        // database holds no plain document hash; each chunk sealed on its own. The links of
        // an application to its attachments (with the applicant's keyed hash, for reuse), the
        // result documents for 自助打印 and every copy printed. `IF NOT EXISTS`: re-runnable.
        r#"
CREATE TABLE IF NOT EXISTS attachments (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    owner_key BLOB NOT NULL UNIQUE,
    sha_key BLOB NOT NULL,
    sha_sealed BLOB NOT NULL,
    kind TEXT CHECK (kind IN ('pdf', 'jpeg')),
    total INTEGER NOT NULL,
    received INTEGER NOT NULL DEFAULT 0,
    complete INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    completed_at TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS attachments_by_sha ON attachments (sha_key, complete);
CREATE TABLE IF NOT EXISTS attachment_chunks (
    attachment_id TEXT NOT NULL REFERENCES attachments(id) ON DELETE CASCADE,
    offset INTEGER NOT NULL,
    len INTEGER NOT NULL,
    sealed BLOB NOT NULL,
    PRIMARY KEY (attachment_id, offset)
);
CREATE TABLE IF NOT EXISTS application_attachments (
    application_id TEXT NOT NULL REFERENCES applications(id),
    position INTEGER NOT NULL,
    material_code TEXT NOT NULL,
    attachment_id TEXT NOT NULL REFERENCES attachments(id),
    applicant_key BLOB NOT NULL,
    reused INTEGER NOT NULL DEFAULT 0,
    attached_at TEXT NOT NULL,
    PRIMARY KEY (application_id, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS application_attachments_by_applicant
    ON application_attachments (applicant_key, attachment_id);
CREATE TABLE IF NOT EXISTS result_documents (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications(id),
    attachment_id TEXT NOT NULL REFERENCES attachments(id),
    title TEXT NOT NULL,
    copies_allowed INTEGER NOT NULL,
    attached_by TEXT NOT NULL,
    attached_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS result_documents_by_application
    ON result_documents (application_id, attached_at);
CREATE TABLE IF NOT EXISTS result_prints (
    document_id TEXT NOT NULL REFERENCES result_documents(id),
    copy INTEGER NOT NULL,
    kiosk_id TEXT NOT NULL,
    printed_at TEXT NOT NULL,
    PRIMARY KEY (document_id, copy)
) WITHOUT ROWID;
"#,
    ),
    (
        13,
        // Fleet operations (issue 22): RAUC bundles (the files are content-addressed in the
        // bundle folder), rollouts in waves with each kiosk's progress, and remote actions
        // queued per kiosk with their results. `IF NOT EXISTS`: re-runnable.
        r#"
CREATE TABLE IF NOT EXISTS update_bundles (
    sha256 TEXT PRIMARY KEY,
    version TEXT NOT NULL UNIQUE,
    compatible TEXT NOT NULL,
    size INTEGER NOT NULL,
    signer TEXT NOT NULL,
    added_at TEXT NOT NULL
) WITHOUT ROWID;
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
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rollouts_by_state ON rollouts (state, created_at);
CREATE TABLE IF NOT EXISTS rollout_kiosks (
    rollout_id TEXT NOT NULL REFERENCES rollouts(id),
    kiosk_id TEXT NOT NULL,
    wave INTEGER NOT NULL,
    outcome TEXT NOT NULL
        CHECK (outcome IN ('pending', 'downloading', 'installed', 'succeeded', 'failed')),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (rollout_id, kiosk_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS kiosk_actions (
    id TEXT PRIMARY KEY,
    kiosk_id TEXT NOT NULL,
    request TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    finished_at TEXT,
    ok INTEGER CHECK (ok IN (0, 1)),
    output TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kiosk_actions_by_kiosk ON kiosk_actions (kiosk_id, requested_at);
"#,
    ),
    (
        14,
        // 自助打印 that did not come out (issue 19): the kiosk gives the copy back; the row
        // stays as the record of the attempt, no longer counted against the copies.
        r#"
ALTER TABLE result_prints ADD COLUMN failed_at TEXT;
ALTER TABLE result_prints ADD COLUMN failure TEXT;
"#,
    ),
];

/// Brings the schema up to date; each migration in its own transaction.
pub fn migrate(conn: &mut Connection) -> Result<u32, HallError> {
    let current: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let mut version = current;
    for &(v, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        let fail = |e: rusqlite::Error| HallError::Migration {
            version: v,
            message: e.to_string(),
        };
        let tx = conn.transaction().map_err(fail)?;
        match tx.execute_batch(sql) {
            Ok(()) => {}
            // SQLite has no `ADD COLUMN IF NOT EXISTS`. Each migration is one transaction, so
            // a column it adds that is there already means it was applied whole before (a
            // schema version taken back by hand, as the tests do): nothing to do again.
            Err(e) if e.to_string().contains("duplicate column name") => {
                drop(tx);
                conn.pragma_update(None, "user_version", v).map_err(fail)?;
                version = v;
                continue;
            }
            Err(e) => return Err(fail(e)),
        }
        tx.pragma_update(None, "user_version", v).map_err(fail)?;
        tx.commit().map_err(fail)?;
        version = v;
    }
    Ok(version)
}

/// The migration whose SQL contains `marker` (tests take a database back to just before
/// one, whatever its number after renumbering).
pub fn version_containing(marker: &str) -> Option<u32> {
    MIGRATIONS
        .iter()
        .find(|(_, sql)| sql.contains(marker))
        .map(|(v, _)| *v)
}

/// The newest schema version this build knows.
pub fn latest() -> u32 {
    MIGRATIONS.last().map_or(0, |(v, _)| *v)
}
