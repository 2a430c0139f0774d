//! What the hall stored, read straight from its SQLite database (the tests' ground truth for
//! "stored once"), and its staff/operator API read with a bearer credential.

use std::path::Path;

/// One stored application: (id, tracking code, subject code, kiosk id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredApplication {
    /// The hall's id.
    pub id: String,
    /// The tracking code printed on the receipt.
    pub tracking_code: String,
    /// The item or bundle code.
    pub subject_code: String,
    /// The kiosk it came from.
    pub kiosk_id: String,
}

/// One stored rating: (application id, level, reasons as stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRating {
    /// The application rated.
    pub application_id: String,
    /// 1 to 5.
    pub level: i64,
    /// The reasons, as the hall stores them (JSON text).
    pub reasons: String,
}

fn open(db: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open_with_flags(
        db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .expect("open the hall database");
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .expect("busy timeout");
    conn
}

/// Every application the hall stored, oldest first.
pub fn applications(db: &Path) -> Vec<StoredApplication> {
    let conn = open(db);
    let mut stmt = conn
        .prepare(
            "SELECT id, tracking_code, subject_code, kiosk_id FROM applications \
             ORDER BY received_at, id",
        )
        .expect("prepare");
    let rows = stmt
        .query_map([], |r| {
            Ok(StoredApplication {
                id: r.get(0)?,
                tracking_code: r.get(1)?,
                subject_code: r.get(2)?,
                kiosk_id: r.get(3)?,
            })
        })
        .expect("query applications");
    rows.collect::<Result<_, _>>().expect("read applications")
}

/// How many applications the hall stored.
pub fn application_count(db: &Path) -> usize {
    let conn = open(db);
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM applications", [], |r| r.get(0))
        .expect("count applications");
    usize::try_from(n).unwrap_or(0)
}

/// Every rating the hall stored.
pub fn ratings(db: &Path) -> Vec<StoredRating> {
    let conn = open(db);
    let mut stmt = conn
        .prepare("SELECT application_id, level, reasons FROM ratings ORDER BY rated_at")
        .expect("prepare");
    let rows = stmt
        .query_map([], |r| {
            Ok(StoredRating {
                application_id: r.get(0)?,
                level: r.get(1)?,
                reasons: r.get(2)?,
            })
        })
        .expect("query ratings");
    rows.collect::<Result<_, _>>().expect("read ratings")
}

/// GET `{base}{path}` with a bearer credential, as JSON (None on any failure, for polls).
pub fn get_json(base: &str, path: &str, bearer: &str) -> Option<serde_json::Value> {
    let response = reqwest::blocking::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(bearer)
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    response.json().ok()
}

/// The application's details as hall staff read them (`GET /api/v1/applications/{id}/details`
/// with a staff credential); panics if the hall does not answer.
pub fn application_details(base: &str, staff: &str, id: &str) -> serde_json::Value {
    get_json(base, &format!("api/v1/applications/{id}/details"), staff)
        .unwrap_or_else(|| panic!("staff cannot read application {id}"))
}

/// The ratings at the hall once there is at least one (waits up to `limit`); panics if none
/// arrives.
pub fn ratings_when_any(db: &Path, limit: std::time::Duration) -> Vec<StoredRating> {
    crate::eventually(limit, || {
        let r = ratings(db);
        (!r.is_empty()).then_some(r)
    })
    .unwrap_or_else(|| panic!("no rating reached the hall within {limit:?}"))
}

/// The idempotency keys of every stored application: (kiosk id, key), one per application
/// row the key made; a key mapped to no row, or a row with no key, shows as a mismatch in
/// [`application_count`].
pub fn application_keys(db: &Path) -> Vec<(String, String)> {
    let conn = open(db);
    let mut stmt = conn
        .prepare(
            "SELECT i.kiosk_id, i.key FROM idempotency i JOIN applications a \
             ON a.id = i.resource_id",
        )
        .expect("prepare");
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query idempotency keys");
    rows.collect::<Result<_, _>>()
        .expect("read idempotency keys")
}
