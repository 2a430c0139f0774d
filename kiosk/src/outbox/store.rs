//! The outbox's SQLite table and the operations on it.

use std::collections::BTreeMap;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, ErrorCode, OptionalExtension};
use zeroize::Zeroizing;

use super::{OutboxError, OutboxKey, RecordKind};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT    NOT NULL,
    idempotency_key  TEXT    NOT NULL UNIQUE,
    payload          BLOB    NOT NULL,
    created_ms       INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms  INTEGER NOT NULL,
    last_error       TEXT,
    state            TEXT    NOT NULL DEFAULT 'pending'
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_ms);
CREATE TABLE IF NOT EXISTS outbox_attachment (
    record_id  INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    payload    BLOB    NOT NULL,
    PRIMARY KEY (record_id, position)
);
";

/// Added later: when a record was rejected or quarantined (for the retention purge).
const ADD_SET_ASIDE: &str = "ALTER TABLE outbox ADD COLUMN set_aside_ms INTEGER";

/// Longest stored kind name shown in a quarantine reason.
const KIND_SHOWN: usize = 32;

/// A record's row id.
pub type RecordId = i64;

/// Whether a record is still being delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordState {
    /// Waiting for (re)delivery.
    Pending,
    /// The hall refused it for good (its own JSON refusal); kept for a technician.
    Rejected,
    /// This kiosk cannot open or understand it (the outbox key was replaced, the data was
    /// damaged, or a newer firmware wrote a kind this one does not know). Set aside so the
    /// others are delivered; it can never be sent from here.
    Quarantined,
}

impl RecordState {
    /// The name stored in the database and shown by `kioskctl outbox list`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordState::Pending => "pending",
            RecordState::Rejected => "rejected",
            RecordState::Quarantined => "quarantined",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "rejected" => RecordState::Rejected,
            "quarantined" => RecordState::Quarantined,
            _ => RecordState::Pending,
        }
    }
}

impl std::fmt::Display for RecordState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What [`Outbox::requeue`] found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requeued {
    /// It was waiting already; it is due now.
    Pending,
    /// The hall had refused it (`error`, as stored); it is waiting again.
    Rejected {
        /// What the hall said when it refused it.
        error: Option<String>,
    },
    /// Quarantined: left alone, it cannot be sent from this kiosk.
    Quarantined {
        /// Why it was quarantined.
        reason: Option<String>,
    },
    /// No record has this id.
    NotFound,
}

/// A rejected or quarantined record deleted after the retention, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purged {
    /// Row id.
    pub id: RecordId,
    /// The stored kind name.
    pub kind: String,
    /// Rejected or quarantined.
    pub state: RecordState,
    /// How long ago it was set aside.
    pub age: Duration,
}

/// A record due for delivery, its payload opened.
pub struct Pending {
    /// Row id.
    pub id: RecordId,
    /// What it is.
    pub kind: RecordKind,
    /// The key the hall deduplicates by.
    pub idempotency_key: String,
    /// The plaintext payload (wiped when dropped).
    pub payload: Zeroizing<Vec<u8>>,
    /// Failed attempts so far.
    pub attempts: u32,
    /// Attachments stored with it (uploaded before it: [`Outbox::attachments`]).
    pub attachments: u32,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("idempotency_key", &self.idempotency_key)
            .field("payload", &format_args!("<{} bytes>", self.payload.len()))
            .field("attempts", &self.attempts)
            .field("attachments", &self.attachments)
            .finish()
    }
}

/// A record without its payload, for `kioskctl outbox list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSummary {
    /// Row id.
    pub id: RecordId,
    /// What it is: the stored name (a quarantined record may have a kind this firmware
    /// does not know).
    pub kind: String,
    /// The idempotency key.
    pub idempotency_key: String,
    /// When it was saved.
    pub created: SystemTime,
    /// Failed attempts.
    pub attempts: u32,
    /// When the next attempt is due.
    pub next_attempt: SystemTime,
    /// Why the last attempt failed, what the hall refused, or why it was quarantined.
    pub last_error: Option<String>,
    /// Pending, rejected or quarantined.
    pub state: RecordState,
}

/// Counts for `/metrics` and heartbeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxStats {
    /// Records waiting for delivery.
    pub pending: u64,
    /// Records the hall refused for good.
    pub rejected: u64,
    /// Records this kiosk cannot open or understand.
    pub quarantined: u64,
    /// Age of the oldest pending record.
    pub oldest_pending_age: Option<Duration>,
    /// Pending records by kind (kinds with none are absent).
    pub pending_by_kind: BTreeMap<RecordKind, u64>,
}

/// The durable outbox. Cheap to share behind an `Arc`; calls block on SQLite, so async
/// code calls them through `spawn_blocking`.
pub struct Outbox {
    conn: Mutex<Connection>,
    key: OutboxKey,
    path: PathBuf,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox").field("path", &self.path).finish()
    }
}

fn millis(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn from_millis(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

impl Outbox {
    /// Opens (creating if needed, owner-only) the outbox database at `path`.
    pub fn open(path: &Path, key: OutboxKey) -> Result<Self, OutboxError> {
        let open_err = |reason: String| OutboxError::Open {
            path: path.to_path_buf(),
            reason,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| open_err(format!("cannot create its folder: {e}")))?;
        }
        // Create the file owner-only before SQLite does; its -wal and -shm files copy the mode.
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| open_err(e.to_string()))?;
        let conn = Connection::open(path).map_err(|e| open_err(e.to_string()))?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.execute_batch(SCHEMA)?;
        let has_set_aside: bool = conn.query_row(
            "SELECT COUNT(*) FROM pragma_table_info('outbox') WHERE name = 'set_aside_ms'",
            [],
            |r| r.get::<_, i64>(0).map(|n| n > 0),
        )?;
        if !has_set_aside {
            conn.execute_batch(ADD_SET_ASIDE)?;
        }
        Ok(Outbox {
            conn: Mutex::new(conn),
            key,
            path: path.to_path_buf(),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions are
        // atomic), so a poisoned lock is safe to take over.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn map_full(&self, err: rusqlite::Error) -> OutboxError {
        match err.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => OutboxError::DiskFull(self.path.clone()),
            _ => OutboxError::Db(err),
        }
    }

    fn associated(kind: RecordKind, key: &str) -> Vec<u8> {
        format!("{}/{key}", kind.as_str()).into_bytes()
    }

    /// Saves a record durably. Saving the same idempotency key again returns the first
    /// record's id and changes nothing (a double tap cannot make two applications).
    pub fn enqueue(
        &self,
        kind: RecordKind,
        idempotency_key: &str,
        payload: &[u8],
        now: SystemTime,
    ) -> Result<RecordId, OutboxError> {
        self.enqueue_due(kind, idempotency_key, payload, now, now)
    }

    /// As [`Outbox::enqueue`], first due at `due`: a submission the citizen's own attempt is
    /// sending right now is left alone by the delivery worker until then (it would otherwise
    /// take it first, and the citizen be told "saved for later" of what the hall may refuse).
    pub fn enqueue_due(
        &self,
        kind: RecordKind,
        idempotency_key: &str,
        payload: &[u8],
        now: SystemTime,
        due: SystemTime,
    ) -> Result<RecordId, OutboxError> {
        self.enqueue_with_attachments(kind, idempotency_key, payload, &[], now, due)
    }

    /// Saves a record with its attachments (the PDFs of the materials photographed for an
    /// application) in one transaction: the application is never stored without its
    /// attachments, nor they without it. Each attachment is sealed on its own, bound to the
    /// record's key and its position. Saving the same idempotency key again changes nothing
    /// and returns the first record's id. First due at `due` (see [`Outbox::enqueue_due`]).
    pub fn enqueue_with_attachments(
        &self,
        kind: RecordKind,
        idempotency_key: &str,
        payload: &[u8],
        attachments: &[&[u8]],
        now: SystemTime,
        due: SystemTime,
    ) -> Result<RecordId, OutboxError> {
        let sealed = self
            .key
            .seal(payload, &Self::associated(kind, idempotency_key))?;
        let sealed_attachments = attachments
            .iter()
            .enumerate()
            .map(|(i, bytes)| {
                self.key.seal(
                    bytes,
                    &Self::attachment_associated(kind, idempotency_key, i),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(|e| self.map_full(e))?;
        let inserted = tx
            .execute(
                "INSERT INTO outbox (kind, idempotency_key, payload, created_ms, next_attempt_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (idempotency_key) DO NOTHING",
                params![
                    kind.as_str(),
                    idempotency_key,
                    sealed,
                    millis(now),
                    millis(due)
                ],
            )
            .map_err(|e| self.map_full(e))?;
        let id = if inserted == 1 {
            let id = tx.last_insert_rowid();
            for (position, blob) in sealed_attachments.iter().enumerate() {
                tx.execute(
                    "INSERT INTO outbox_attachment (record_id, position, payload)
                     VALUES (?1, ?2, ?3)",
                    params![id, i64::try_from(position).unwrap_or(i64::MAX), blob],
                )
                .map_err(|e| self.map_full(e))?;
            }
            id
        } else {
            tx.query_row(
                "SELECT id FROM outbox WHERE idempotency_key = ?1",
                [idempotency_key],
                |row| row.get(0),
            )?
        };
        tx.commit().map_err(|e| self.map_full(e))?;
        Ok(id)
    }

    fn attachment_associated(kind: RecordKind, key: &str, position: usize) -> Vec<u8> {
        format!("{}/{key}/attachment/{position}", kind.as_str()).into_bytes()
    }

    /// The attachments of a record, opened, in the order they were saved.
    pub fn attachments(
        &self,
        id: RecordId,
        kind: RecordKind,
        idempotency_key: &str,
    ) -> Result<Vec<Zeroizing<Vec<u8>>>, OutboxError> {
        let rows: Vec<(i64, Vec<u8>)> = {
            let conn = self.conn();
            let mut stmt = conn.prepare_cached(
                "SELECT position, payload FROM outbox_attachment WHERE record_id = ?1
                 ORDER BY position",
            )?;
            let mapped = stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            mapped.collect::<Result<_, _>>()?
        };
        rows.into_iter()
            .map(|(position, sealed)| {
                let position = usize::try_from(position)
                    .map_err(|_| OutboxError::Corrupt(id, "attachment position".into()))?;
                self.key
                    .open(
                        &sealed,
                        &Self::attachment_associated(kind, idempotency_key, position),
                    )
                    .map_err(|_| {
                        OutboxError::Corrupt(
                            id,
                            format!("attachment {position} cannot be opened with this kiosk's key"),
                        )
                    })
            })
            .collect()
    }

    /// Pending records due at `now`, at most `limit`: those tried least first, then oldest
    /// (so a record the hall keeps failing on does not stand in front of the others).
    ///
    /// A record that cannot be opened (wrong key, damaged) or has a kind this firmware does
    /// not know is quarantined on the way, with its reason, and the others are returned.
    pub fn due(&self, now: SystemTime, limit: usize) -> Result<Vec<Pending>, OutboxError> {
        let rows: Vec<(i64, String, String, Vec<u8>, u32, u32)> = {
            let conn = self.conn();
            let mut stmt = conn.prepare_cached(
                "SELECT id, kind, idempotency_key, payload, attempts,
                        (SELECT COUNT(*) FROM outbox_attachment a WHERE a.record_id = outbox.id)
                 FROM outbox
                 WHERE state = 'pending' AND next_attempt_ms <= ?1
                 ORDER BY attempts, id LIMIT ?2",
            )?;
            let mapped = stmt.query_map(
                params![millis(now), i64::try_from(limit).unwrap_or(i64::MAX)],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                },
            )?;
            mapped.collect::<Result<_, _>>()?
        };
        let mut due = Vec::with_capacity(rows.len());
        for (id, stored_kind, idempotency_key, sealed, attempts, attachments) in rows {
            let Some(kind) = RecordKind::parse(&stored_kind) else {
                let reason = format!(
                    "kind {:?} is unknown to this firmware (written by a newer version?)",
                    shown_kind(&stored_kind)
                );
                self.quarantine(id, &reason, now)?;
                continue;
            };
            match self
                .key
                .open(&sealed, &Self::associated(kind, &idempotency_key))
            {
                Ok(payload) => due.push(Pending {
                    id,
                    kind,
                    idempotency_key,
                    payload,
                    attempts,
                    attachments,
                }),
                Err(_) => {
                    let reason = "payload cannot be opened with this kiosk's outbox key \
                                  (the key file was replaced, or the record was damaged)";
                    self.quarantine(id, reason, now)?;
                }
            }
        }
        Ok(due)
    }

    /// Records waiting for delivery that this kiosk cannot send: their payload does not open
    /// with its outbox key, or their kind is unknown to this firmware. Every pending payload
    /// is tried; nothing is changed (the delivery worker quarantines them when they come due).
    /// Not zero after an update when `outbox.key` is not the key the records were sealed
    /// with, or the new firmware cannot read what the old one wrote: `kioskctl health
    /// commit-check` then does not commit the update, so the old slot comes back with them.
    pub fn unreadable_pending(&self) -> Result<u64, OutboxError> {
        // Read under the lock, decrypt after it: a citizen's enqueue does not wait for this.
        let rows: Vec<(String, String, Vec<u8>)> = {
            let conn = self.conn();
            let mut stmt = conn.prepare_cached(
                "SELECT kind, idempotency_key, payload FROM outbox WHERE state = 'pending'",
            )?;
            let mapped = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            mapped.collect::<Result<_, _>>()?
        };
        let unreadable = rows
            .iter()
            .filter(|(stored_kind, idempotency_key, sealed)| {
                !RecordKind::parse(stored_kind).is_some_and(|kind| {
                    self.key
                        .open(sealed, &Self::associated(kind, idempotency_key))
                        .is_ok()
                })
            })
            .count();
        Ok(u64::try_from(unreadable).unwrap_or(u64::MAX))
    }

    /// Records quarantined at or after `since` (the service's start: what this run of the
    /// firmware could not open, as opposed to records set aside before an update).
    pub fn quarantined_since(&self, since: SystemTime) -> Result<u64, OutboxError> {
        let n: i64 = self.conn().query_row(
            "SELECT COUNT(*) FROM outbox WHERE state = 'quarantined' AND set_aside_ms >= ?1",
            params![millis(since)],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Sets a record aside that this kiosk cannot open or understand. `reason` must hold no
    /// personal data (it is shown by `kioskctl outbox list` and logged).
    pub fn quarantine(
        &self,
        id: RecordId,
        reason: &str,
        now: SystemTime,
    ) -> Result<(), OutboxError> {
        self.conn().execute(
            "UPDATE outbox SET state = 'quarantined', last_error = ?2, set_aside_ms = ?3
             WHERE id = ?1",
            params![id, reason, millis(now)],
        )?;
        tracing::error!(record = id, %reason, "outbox record quarantined; the others are still delivered");
        Ok(())
    }

    /// The hall confirmed the record: delete it with its attachments.
    pub fn delivered(&self, id: RecordId) -> Result<(), OutboxError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM outbox_attachment WHERE record_id = ?1", [id])?;
        tx.execute("DELETE FROM outbox WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(())
    }

    /// An attempt failed for a reason that may pass (network, 5xx, a proxy's page): count it
    /// and keep the reason for `kioskctl outbox list`. The record stays due: when to try the
    /// hall again is decided once for the hall link, not per record (see
    /// [`crate::delivery`]). Returns the attempts so far.
    pub fn failed(&self, id: RecordId, error: &str, now: SystemTime) -> Result<u32, OutboxError> {
        // Due from now at the latest (one held for the citizen's own attempt is not held
        // longer): the worker paces retries by the hall link's wait.
        let attempts: Option<u32> = self
            .conn()
            .query_row(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?2,
                        next_attempt_ms = MIN(next_attempt_ms, ?3)
                 WHERE id = ?1
                 RETURNING attempts",
                params![id, error, millis(now)],
                |r| r.get(0),
            )
            .optional()?;
        Ok(attempts.unwrap_or(0))
    }

    /// The hall refused the record for good: keep it for a technician, stop sending it.
    pub fn rejected(&self, id: RecordId, reason: &str, now: SystemTime) -> Result<(), OutboxError> {
        self.conn().execute(
            "UPDATE outbox SET state = 'rejected', last_error = ?2, set_aside_ms = ?3
             WHERE id = ?1",
            params![id, reason, millis(now)],
        )?;
        Ok(())
    }

    /// `kioskctl outbox retry` without an id: every pending record (each failed for a cause
    /// that may pass) is due now. Rejected and quarantined records are left alone: a refusal
    /// the citizen corrected and submitted again under a new key must not become a second
    /// application. Returns how many were made due.
    pub fn retry_pending_now(&self, now: SystemTime) -> Result<usize, OutboxError> {
        let changed = self.conn().execute(
            "UPDATE outbox SET next_attempt_ms = ?1 WHERE state = 'pending'",
            params![millis(now)],
        )?;
        Ok(changed)
    }

    /// `kioskctl outbox retry ID`: makes one record due now; a rejected one is queued again
    /// (the technician saw what the hall refused); a quarantined one is left alone.
    pub fn requeue(&self, id: RecordId, now: SystemTime) -> Result<Requeued, OutboxError> {
        let conn = self.conn();
        let found: Option<(String, Option<String>)> = conn
            .query_row(
                "SELECT state, last_error FROM outbox WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((state, last_error)) = found else {
            return Ok(Requeued::NotFound);
        };
        let answer = match RecordState::parse(&state) {
            RecordState::Quarantined => return Ok(Requeued::Quarantined { reason: last_error }),
            RecordState::Pending => Requeued::Pending,
            RecordState::Rejected => Requeued::Rejected { error: last_error },
        };
        conn.execute(
            "UPDATE outbox SET state = 'pending', next_attempt_ms = ?2, set_aside_ms = NULL
             WHERE id = ?1",
            params![id, millis(now)],
        )?;
        Ok(answer)
    }

    /// Deletes rejected and quarantined records set aside longer than `retention` ago (they
    /// hold personal data). Returns what was deleted, for a log line without personal data.
    pub fn purge_set_aside(
        &self,
        now: SystemTime,
        retention: Duration,
    ) -> Result<Vec<Purged>, OutboxError> {
        let cutoff =
            millis(now).saturating_sub(i64::try_from(retention.as_millis()).unwrap_or(i64::MAX));
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "DELETE FROM outbox
             WHERE state IN ('rejected', 'quarantined')
               AND COALESCE(set_aside_ms, created_ms) <= ?1
             RETURNING id, kind, state, COALESCE(set_aside_ms, created_ms)",
        )?;
        let rows = stmt.query_map([cutoff], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        let mut purged = Vec::new();
        for row in rows {
            let (id, kind, state, set_aside) = row?;
            purged.push(Purged {
                id,
                kind: shown_kind(&kind),
                state: RecordState::parse(&state),
                age: now
                    .duration_since(from_millis(set_aside))
                    .unwrap_or_default(),
            });
        }
        drop(stmt);
        conn.execute(
            "DELETE FROM outbox_attachment
             WHERE record_id NOT IN (SELECT id FROM outbox)",
            [],
        )?;
        Ok(purged)
    }

    /// When the earliest pending record is due, if any is pending.
    pub fn next_due(&self) -> Result<Option<SystemTime>, OutboxError> {
        let ms: Option<i64> = self.conn().query_row(
            "SELECT MIN(next_attempt_ms) FROM outbox WHERE state = 'pending'",
            [],
            |r| r.get(0),
        )?;
        Ok(ms.map(from_millis))
    }

    /// Counts for metrics and heartbeats.
    pub fn stats(&self, now: SystemTime) -> Result<OutboxStats, OutboxError> {
        let (pending, rejected, quarantined, oldest): (i64, i64, i64, Option<i64>) =
            self.conn().query_row(
                "SELECT
                     COALESCE(SUM(state = 'pending'), 0),
                     COALESCE(SUM(state = 'rejected'), 0),
                     COALESCE(SUM(state = 'quarantined'), 0),
                     MIN(CASE WHEN state = 'pending' THEN created_ms END)
                 FROM outbox",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
        let mut pending_by_kind = BTreeMap::new();
        {
            let conn = self.conn();
            let mut stmt = conn.prepare_cached(
                "SELECT kind, COUNT(*) FROM outbox WHERE state = 'pending' GROUP BY kind",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            for row in rows {
                let (kind, count) = row?;
                if let Some(kind) = RecordKind::parse(&kind) {
                    pending_by_kind.insert(kind, u64::try_from(count).unwrap_or(0));
                }
            }
        }
        Ok(OutboxStats {
            pending_by_kind,
            pending: u64::try_from(pending).unwrap_or(0),
            rejected: u64::try_from(rejected).unwrap_or(0),
            quarantined: u64::try_from(quarantined).unwrap_or(0),
            oldest_pending_age: oldest
                .map(|ms| now.duration_since(from_millis(ms)).unwrap_or_default()),
        })
    }

    /// Every record, without payloads, oldest first.
    pub fn list(&self) -> Result<Vec<RecordSummary>, OutboxError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, kind, idempotency_key, created_ms, attempts, next_attempt_ms,
                    last_error, state
             FROM outbox ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, u32>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, String>(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, key, created, attempts, next, last_error, state) = row?;
            out.push(RecordSummary {
                id,
                kind: shown_kind(&kind),
                idempotency_key: key,
                created: from_millis(created),
                attempts,
                next_attempt: from_millis(next),
                last_error,
                state: RecordState::parse(&state),
            });
        }
        Ok(out)
    }
}

/// A stored kind name as safe to show: printable, at most [`KIND_SHOWN`] characters.
fn shown_kind(stored: &str) -> String {
    stored
        .chars()
        .filter(|c| !c.is_control())
        .take(KIND_SHOWN)
        .collect()
}
