//! The SQLite store.
//!
//! Why rusqlite (bundled) rather than sqlx: the hall wants one dedicated writer thread that
//! owns its connection and commits many requests in one transaction (group commit); with a
//! synchronous driver that is a plain loop with full control of `BEGIN IMMEDIATE`, savepoints
//! and `COMMIT`, and no compile-time database is needed. Reads run on a small pool of
//! connections through `spawn_blocking`. The bundled build pins the SQLite version.
//!
//! Durability: WAL with `synchronous=FULL`, so every commit is fsynced to the WAL before a
//! request is answered; a power cut never loses an application the kiosk was told about.
//! (`NORMAL` would be safe from corruption in WAL mode but may lose the last commits on power
//! loss, which would break exactly-once delivery with the kiosk's outbox.) Group commit makes
//! the fsync per batch instead of per request, which is where the throughput comes from.

mod attachments;
mod due_soon;
mod followup;
mod migrations;
mod notices;
mod partners;
pub(crate) mod reads;
mod reports;
mod sites;
mod staff;
pub(crate) mod updates;
mod writes;

pub use migrations::latest as latest_schema;
pub use migrations::version_containing as migration_containing;

use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hall_api::application::TimelineEntry;
use rusqlite::{Connection, OpenFlags};

use super::{
    ApplicationRecord, Booked, BookingRecord, CatalogVersionRow, KioskRow, Moved, NewApplication,
    NewBooking, NewCatalogVersion, NewRating, NewTicket, Principal, PrincipalKind, Rated, Store,
    StoredCatalog, TicketRecord, Written,
};
use crate::error::HallError;
use crate::store::CatalogAdded;

/// The most requests committed in one transaction.
const MAX_BATCH: usize = 512;

type Completion = Box<dyn FnOnce(bool) + Send>;
type Job = Box<dyn FnOnce(&Connection) -> (bool, Completion) + Send>;

/// SQLite storage: one writer thread with group commit, a pool of readers.
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    readers: Arc<Mutex<Vec<Connection>>>,
}

/// Each connection's page cache (KiB): a month's report touches a few MiB of index pages,
/// which stay parsed between requests instead of being loaded again each time.
const CACHE_KIB: i64 = 16 * 1024;

fn open_connection(path: &Path, read_only: bool) -> Result<Connection, HallError> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    if !read_only {
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(HallError::Unavailable(format!(
                "{} cannot use WAL (journal_mode={mode}); put it on a local file system",
                path.display()
            )));
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
    }
    Ok(conn)
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database, and starts the writer thread.
    pub fn open(path: &Path) -> Result<Self, HallError> {
        let mut conn = open_connection(path, false)?;
        let before: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let version = migrations::migrate(&mut conn)?;
        if version != before {
            // A migration may change a table's definition in place (see migration 11): a
            // fresh connection reads the schema as it now is.
            drop(conn);
            conn = open_connection(path, false)?;
        }
        tracing::info!(
            schema = version,
            latest = migrations::latest(),
            "database ready"
        );
        let (tx, rx) = mpsc::channel::<Job>();
        let writer = std::thread::Builder::new()
            .name("hall-sqlite-writer".into())
            .spawn(move || writer_loop(conn, rx))?;
        Ok(SqliteStore {
            path: path.to_owned(),
            jobs: Mutex::new(Some(tx)),
            writer: Mutex::new(Some(writer)),
            readers: Arc::new(Mutex::new(Vec::new())),
        })
    }

    /// Stops taking writes, lets the writer finish what is queued, and waits for it.
    pub fn close(&self) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.take();
        }
        let handle = self.writer.lock().ok().and_then(|mut w| w.take());
        if let Some(h) = handle {
            if h.join().is_err() {
                tracing::error!("the SQLite writer thread panicked");
            }
        }
    }

    /// Runs `f` on the writer thread inside the current batch's transaction; answers only
    /// after the batch has committed. An `Err` from `f` rolls back only this request.
    async fn write<T, F>(&self, f: F) -> Result<T, HallError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, HallError> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = f(conn);
            let keep = result.is_ok();
            let done: Completion = Box::new(move |committed| {
                let answer = match result {
                    Ok(_) if !committed => Err(HallError::Unavailable("commit failed".into())),
                    other => other,
                };
                // The requester may have gone (client disconnected): nothing to tell.
                let _ = tx.send(answer);
            });
            (keep, done)
        });
        let sender = self
            .jobs
            .lock()
            .ok()
            .and_then(|j| j.clone())
            .ok_or_else(|| HallError::Unavailable("the store is closed".into()))?;
        sender
            .send(job)
            .map_err(|_| HallError::Unavailable("the writer has stopped".into()))?;
        rx.await
            .map_err(|_| HallError::Unavailable("the writer dropped the request".into()))?
    }

    /// Runs `f` on a pooled read connection on the blocking pool.
    async fn read<T, F>(&self, f: F) -> Result<T, HallError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, HallError> + Send + 'static,
    {
        let readers = Arc::clone(&self.readers);
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let pooled = readers.lock().ok().and_then(|mut r| r.pop());
            let conn = match pooled {
                Some(c) => c,
                None => open_connection(&path, true)?,
            };
            let result = f(&conn);
            if let Ok(mut r) = readers.lock() {
                if r.len() < 8 {
                    r.push(conn);
                }
            }
            result
        })
        .await
        .map_err(|e| HallError::Unavailable(format!("read task failed: {e}")))?
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.close();
    }
}

fn writer_loop(conn: Connection, rx: mpsc::Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut completions = Vec::with_capacity(batch.len());
        let begun = conn.execute_batch("BEGIN IMMEDIATE");
        if let Err(e) = begun {
            tracing::error!(error = %e, "cannot begin a write transaction");
            // Dropping the jobs drops their reply senders: each requester gets a 503.
            drop(batch);
            continue;
        }
        for job in batch {
            let savepoint = conn.execute_batch("SAVEPOINT req");
            let (keep, done) = job(&conn);
            let end = if keep || savepoint.is_err() {
                conn.execute_batch("RELEASE req")
            } else {
                conn.execute_batch("ROLLBACK TO req; RELEASE req")
            };
            if let Err(e) = end {
                tracing::error!(error = %e, "savepoint handling failed");
            }
            completions.push(done);
        }
        let committed = match conn.execute_batch("COMMIT") {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(error = %e, batch = completions.len(), "commit failed; rolling back the batch");
                if let Err(e) = conn.execute_batch("ROLLBACK") {
                    tracing::error!(error = %e, "rollback failed");
                }
                false
            }
        };
        for done in completions {
            done(committed);
        }
    }
    tracing::info!("SQLite writer stopped");
}

#[async_trait]
impl Store for SqliteStore {
    async fn put_catalog(&self, catalog: StoredCatalog) -> Result<(), HallError> {
        self.write(move |c| writes::put_catalog(c, &catalog)).await
    }

    async fn catalog_at(&self, at: DateTime<Utc>) -> Result<Option<StoredCatalog>, HallError> {
        self.read(move |c| reads::catalog_at(c, at)).await
    }

    async fn next_catalog_switch(
        &self,
        after: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, HallError> {
        self.read(move |c| reads::next_catalog_switch(c, after))
            .await
    }

    async fn add_catalog_version(
        &self,
        version: NewCatalogVersion,
    ) -> Result<CatalogAdded, HallError> {
        self.write(move |c| writes::add_catalog_version(c, &version))
            .await
    }

    async fn catalog_versions(&self) -> Result<Vec<CatalogVersionRow>, HallError> {
        self.read(reads::catalog_versions).await
    }

    async fn put_principal(&self, principal: Principal) -> Result<(), HallError> {
        self.write(move |c| writes::put_principal(c, &principal))
            .await
    }

    async fn principal(
        &self,
        kind: PrincipalKind,
        id: &str,
    ) -> Result<Option<Principal>, HallError> {
        let id = id.to_owned();
        self.read(move |c| reads::principal(c, kind, &id)).await
    }

    async fn create_application(
        &self,
        app: NewApplication,
    ) -> Result<Written<ApplicationRecord>, HallError> {
        self.write(move |c| writes::create_application(c, &app))
            .await
    }

    async fn application(&self, id: &str) -> Result<Option<ApplicationRecord>, HallError> {
        let id = id.to_owned();
        self.read(move |c| reads::application(c, "id", &id)).await
    }

    async fn application_by_tracking(
        &self,
        code: &str,
    ) -> Result<Option<ApplicationRecord>, HallError> {
        let code = code.to_owned();
        self.read(move |c| reads::application(c, "tracking_code", &code))
            .await
    }

    async fn applications_of(
        &self,
        applicant_key: [u8; 32],
        limit: usize,
    ) -> Result<Vec<ApplicationRecord>, HallError> {
        self.read(move |c| reads::applications_of(c, &applicant_key, limit))
            .await
    }

    async fn latest_consent(
        &self,
        applicant_key: [u8; 32],
    ) -> Result<Option<(String, bool)>, HallError> {
        self.read(move |c| reads::latest_consent(c, &applicant_key))
            .await
    }

    async fn booking_by_reference(
        &self,
        reference: &str,
    ) -> Result<Option<BookingRecord>, HallError> {
        let reference = reference.to_owned();
        self.read(move |c| reads::booking_by_reference(c, &reference))
            .await
    }

    async fn application_payload(&self, id: &str) -> Result<Option<Vec<u8>>, HallError> {
        let id = id.to_owned();
        self.read(move |c| reads::application_payload(c, &id)).await
    }

    async fn move_status(&self, id: &str, entry: TimelineEntry) -> Result<Moved, HallError> {
        let id = id.to_owned();
        self.write(move |c| writes::move_status(c, &id, &entry))
            .await
    }

    async fn reusable_materials(
        &self,
        applicant_key: [u8; 32],
    ) -> Result<Vec<(String, String, DateTime<Utc>)>, HallError> {
        self.read(move |c| reads::reusable_materials(c, &applicant_key))
            .await
    }

    async fn rate(&self, rating: NewRating) -> Result<Rated, HallError> {
        self.write(move |c| writes::rate(c, &rating)).await
    }

    async fn create_ticket(&self, ticket: NewTicket) -> Result<Written<TicketRecord>, HallError> {
        self.write(move |c| writes::create_ticket(c, &ticket)).await
    }

    async fn book(&self, booking: NewBooking) -> Result<Booked, HallError> {
        self.write(move |c| writes::book(c, &booking)).await
    }

    async fn slot_counts(&self, prefix: &str) -> Result<Vec<(String, u32)>, HallError> {
        let prefix = prefix.to_owned();
        self.read(move |c| reads::slot_counts(c, &prefix)).await
    }

    async fn record_heartbeat(
        &self,
        kiosk_id: &str,
        at: DateTime<Utc>,
        json: String,
    ) -> Result<(), HallError> {
        let id = kiosk_id.to_owned();
        self.write(move |c| writes::record_heartbeat(c, &id, at, &json))
            .await
    }

    async fn kiosks(&self) -> Result<Vec<KioskRow>, HallError> {
        self.read(reads::kiosks).await
    }

    async fn idempotency(
        &self,
        kiosk_id: &str,
        kind: &'static str,
        key: &str,
    ) -> Result<Option<([u8; 32], String)>, HallError> {
        let (kiosk_id, key) = (kiosk_id.to_owned(), key.to_owned());
        self.read(move |c| reads::idempotency(c, &kiosk_id, kind, &key))
            .await
    }

    async fn idempotency_settled(
        &self,
        kiosk_id: &str,
        kind: &'static str,
        key: &str,
    ) -> Result<Option<([u8; 32], String)>, HallError> {
        let (kiosk_id, key) = (kiosk_id.to_owned(), key.to_owned());
        self.write(move |c| reads::idempotency(c, &kiosk_id, kind, &key))
            .await
    }

    async fn booking(&self, id: &str) -> Result<Option<BookingRecord>, HallError> {
        let id = id.to_owned();
        self.read(move |c| reads::booking(c, "id", &id)).await
    }

    async fn ticket(&self, id: &str) -> Result<Option<TicketRecord>, HallError> {
        let id = id.to_owned();
        self.read(move |c| reads::ticket(c, &id)).await
    }

    async fn revoke_principal(&self, kind: PrincipalKind, id: &str) -> Result<bool, HallError> {
        let id = id.to_owned();
        self.write(move |c| writes::revoke_principal(c, kind, &id))
            .await
    }

    async fn set_item_withdrawn(&self, code: &str, withdraw: bool) -> Result<bool, HallError> {
        let code = code.to_owned();
        self.write(move |c| writes::set_item_withdrawn(c, &code, withdraw))
            .await
    }

    async fn withdrawals(&self) -> Result<Vec<(String, DateTime<Utc>)>, HallError> {
        self.read(reads::withdrawals).await
    }

    async fn generations(&self) -> Result<(i64, i64), HallError> {
        self.read(reads::generations).await
    }

    async fn audit_id_lookup(
        &self,
        kiosk_id: &str,
        route: &'static str,
        applicant_key: [u8; 32],
        at: DateTime<Utc>,
    ) -> Result<(), HallError> {
        let kiosk_id = kiosk_id.to_owned();
        self.write(move |c| writes::audit_id_lookup(c, &kiosk_id, route, &applicant_key, at))
            .await
    }
}
